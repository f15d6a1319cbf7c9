//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// The name of a namespace (a tenant): 1–63 lowercase letters, digits and hyphens, starting
/// with a letter or digit, so that it is safe in URLs, logs and Kubernetes labels alike.
public struct NamespaceName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: String

    /// Validates `rawValue`; returns `nil` if it is not a valid namespace name.
    public init?(_ rawValue: String) {
        guard Self.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    public static func isValid(_ name: String) -> Bool {
        let utf8 = name.utf8
        guard (1...63).contains(utf8.count), let first = utf8.first, isLowerAlphanumeric(first) else { return false }
        return utf8.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// What a valid name looks like, for error messages.
    public static let rule = "1-63 characters of a-z, 0-9 and '-', starting with a letter or digit"

    public var description: String { rawValue }

    public static func < (lhs: NamespaceName, rhs: NamespaceName) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

extension NamespaceName: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let name = NamespaceName(raw) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "Invalid namespace name '\(raw)': \(Self.rule)")
        }
        self = name
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
