//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto
import Foundation

/// The identifiers and timestamps the LangGraph server writes.
enum Identifiers {
    /// A UUIDv7 (time-ordered), as LangGraph gives runs.
    static func uuid7() -> String {
        let milliseconds = UInt64(Date().timeIntervalSince1970 * 1000)
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index))) }
        var random = SystemRandomNumberGenerator()
        for index in 6..<16 { bytes[index] = UInt8.random(in: 0...255, using: &random) }
        bytes[6] = (bytes[6] & 0x0F) | 0x70
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return format(bytes)
    }

    /// A random UUIDv4.
    static func uuid4() -> String {
        UUID().uuidString.lowercased()
    }

    /// A UUIDv5 of `name` in `namespace`: LangGraph's default assistant of a graph is
    /// `uuid5(6ba7b821-9dad-11d1-80b4-00c04fd430c8, graph name)`.
    static func uuid5(namespace: String, name: String) -> String {
        let namespaceBytes = withUnsafeBytes(of: UUID(uuidString: namespace)!.uuid) { Array($0) }
        var digest = Array(Insecure.SHA1.hash(data: namespaceBytes + Array(name.utf8)).prefix(16))
        digest[6] = (digest[6] & 0x0F) | 0x50
        digest[8] = (digest[8] & 0x3F) | 0x80
        return format(digest)
    }

    /// The namespace of LangGraph's default assistant ids.
    static let assistantNamespace = "6ba7b821-9dad-11d1-80b4-00c04fd430c8"

    /// 32 hex digits, like LangGraph's interrupt ids (xxh3-128 digests).
    static func hex32() -> String {
        var random = SystemRandomNumberGenerator()
        return (0..<16).map { _ in hexByte(UInt8.random(in: 0...255, using: &random)) }.joined()
    }

    /// Whether `text` is a UUID (any version), in any case.
    static func isUUID(_ text: String) -> Bool {
        UUID(uuidString: text) != nil
    }

    /// Whether `text` looks like an interrupt id (32 lower-case hex digits).
    static func isInterruptID(_ text: String) -> Bool {
        text.utf8.count == 32 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    private static func format(_ bytes: [UInt8]) -> String {
        let hex = bytes.map(hexByte).joined()
        let characters = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }

    private static func hexByte(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }

    /// An ISO 8601 timestamp with microseconds and `+00:00`, as the LangGraph server writes them.
    static func timestamp(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = floor(seconds)
        let micros = Int((seconds - whole) * 1_000_000)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: whole))
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.year, 4))-\(pad(parts.month, 2))-\(pad(parts.day, 2))T\(pad(parts.hour, 2)):\(pad(parts.minute, 2)):\(pad(parts.second, 2)).\(pad(micros, 6))+00:00"
    }
}
