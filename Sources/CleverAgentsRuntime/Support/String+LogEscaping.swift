//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

extension String {
    /// At most `limit` characters, with control characters written as `\u{…}` so that the text
    /// cannot forge log lines.
    public func escapedForLog(limit: Int) -> String {
        var output = ""
        for (index, scalar) in unicodeScalars.enumerated() {
            if index == limit {
                output += "…"
                break
            }
            if scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format {
                output += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}
