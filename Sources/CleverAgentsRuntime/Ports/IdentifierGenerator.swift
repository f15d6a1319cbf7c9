//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// Makes identifiers for tasks, contexts, messages and artifacts.
public protocol IdentifierGenerator: Sendable {
    func makeID() -> String
}

/// Time-ordered UUIDs (RFC 9562 version 7): sortable, and kind to B-tree indexes.
public struct UUIDv7Generator: IdentifierGenerator {
    public init() {}

    public func makeID() -> String {
        var generator = SystemRandomNumberGenerator()
        return Self.make(milliseconds: UInt64(A2ATimestampSource.nowMilliseconds()), using: &generator)
    }

    static func make(milliseconds: UInt64, using generator: inout some RandomNumberGenerator) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 {
            bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index)))
        }
        let random = generator.next()
        let random2 = generator.next()
        for index in 6..<16 {
            let source = index < 14 ? random : random2
            bytes[index] = UInt8(truncatingIfNeeded: source >> (8 * (index % 8)))
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x70
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return formatUUID(bytes)
    }
}

/// Formats 16 bytes as a lowercase hyphenated UUID.
func formatUUID(_ bytes: [UInt8]) -> String {
    let hex: [UInt8] = Array("0123456789abcdef".utf8)
    var output = [UInt8]()
    output.reserveCapacity(36)
    for (index, byte) in bytes.enumerated() {
        if index == 4 || index == 6 || index == 8 || index == 10 { output.append(UInt8(ascii: "-")) }
        output.append(hex[Int(byte >> 4)])
        output.append(hex[Int(byte & 0x0F)])
    }
    return String(decoding: output, as: UTF8.self)
}
