//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// Measures how deeply a JSON text nests objects and arrays, without parsing it, so that a
/// request nested too deeply is refused before a decoder recurses into it.
public enum JSONDepth {
    /// Whether `bytes` nests at most `limit` levels (brackets inside strings do not count).
    ///
    /// Inlinable, so that it is specialized for the caller's sequence: called through the generic
    /// entry point from another module it made one allocation per byte (51 µs for a 1 KB body).
    @inlinable
    public static func isWithin(_ limit: Int, _ bytes: some Sequence<UInt8>) -> Bool {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth > limit { return false }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            default:
                break
            }
        }
        return true
    }
}
