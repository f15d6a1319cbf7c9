//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation

extension StringProtocol {
    /// The text without the white space around it, as Foundation's
    /// `trimmingCharacters(in: .whitespaces)` gives it (spaces and tabs, and Unicode's space
    /// separators), but ASCII text is trimmed byte by byte: header values are trimmed on every
    /// request, and Foundation's character sets cost tens of thousands of instructions a call.
    public func trimmingBlanks() -> String {
        let text = Substring(self)
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else { return text.trimmingCharacters(in: .whitespaces) }
        let isBlank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard let first = text.utf8.firstIndex(where: { !isBlank($0) }), let last = text.utf8.lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(text[first...last])
    }
}
