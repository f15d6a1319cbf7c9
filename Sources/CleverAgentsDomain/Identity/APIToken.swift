//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
import Foundation

/// The text form of an API token: `ca_<id>_<secret>`.
///
/// The id (16 characters of lowercase base32) finds the token without scanning; only a keyed hash
/// of the secret (43 characters of base64url, 256 random bits) is stored, compared in constant
/// time. The full token is shown once, when it is created.
public struct APITokenText: Sendable, Hashable {
    public static let prefix = "ca_"
    public static let idLength = 16
    public static let secretLength = 43

    public var id: String
    public var secret: String

    public init(id: String, secret: String) {
        self.id = id
        self.secret = secret
    }

    /// Parses a presented credential; `nil` when it is not of our form.
    public init?(_ text: String) {
        let utf8 = Array(text.utf8)
        let expected = Self.prefix.utf8.count + Self.idLength + 1 + Self.secretLength
        guard utf8.count == expected, text.hasPrefix(Self.prefix) else { return nil }
        let idStart = Self.prefix.utf8.count
        let idBytes = utf8[idStart..<(idStart + Self.idLength)]
        guard utf8[idStart + Self.idLength] == UInt8(ascii: "_") else { return nil }
        let secretBytes = utf8[(idStart + Self.idLength + 1)...]
        guard idBytes.allSatisfy(Self.isBase32), secretBytes.allSatisfy(Self.isBase64URL) else { return nil }
        self.id = String(decoding: idBytes, as: UTF8.self)
        self.secret = String(decoding: secretBytes, as: UTF8.self)
    }

    /// The token as the client sends it.
    public var text: String { Self.prefix + id + "_" + secret }

    /// A new token from random bytes (10 for the id, 32 for the secret).
    public static func generate(using generator: inout some RandomNumberGenerator) -> APITokenText {
        let idBytes = (0..<10).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let secretBytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return APITokenText(id: base32(idBytes), secret: base64URL(secretBytes))
    }

    static func isBase32(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "2")...UInt8(ascii: "7")).contains(byte)
    }

    static func isBase64URL(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }

    static func base32(_ bytes: [UInt8]) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)
        var output: [UInt8] = []
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return String(decoding: output, as: UTF8.self)
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var output: [UInt8] = []
        var index = 0
        while index + 3 <= bytes.count {
            let value = Int(bytes[index]) << 16 | Int(bytes[index + 1]) << 8 | Int(bytes[index + 2])
            output.append(contentsOf: [alphabet[value >> 18 & 63], alphabet[value >> 12 & 63], alphabet[value >> 6 & 63], alphabet[value & 63]])
            index += 3
        }
        let rest = bytes.count - index
        if rest == 1 {
            let value = Int(bytes[index]) << 16
            output.append(contentsOf: [alphabet[value >> 18 & 63], alphabet[value >> 12 & 63]])
        } else if rest == 2 {
            let value = Int(bytes[index]) << 16 | Int(bytes[index + 1]) << 8
            output.append(contentsOf: [alphabet[value >> 18 & 63], alphabet[value >> 12 & 63], alphabet[value >> 6 & 63]])
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// A stored API token (without its secret).
public struct APITokenRecord: Sendable, Hashable {
    public var id: String
    public var principal: String
    /// The namespace the token is valid in; `nil` for a server-level (superadmin) token.
    public var namespace: NamespaceName?
    /// The keyed hash of the secret.
    public var secretHash: [UInt8]
    public var name: String
    public var createdAt: A2ATimestamp
    public var expiresAt: A2ATimestamp?
    public var revokedAt: A2ATimestamp?
    /// The most power the token carries in its namespace, whatever its principal holds: the role
    /// of whoever minted it through the API (``GrantRules/tokenCap(mintedBy:)``). `nil` for
    /// tokens made by operators (the command line, a superadmin).
    public var maxRole: NamespaceRole?

    public init(
        id: String,
        principal: String,
        namespace: NamespaceName?,
        secretHash: [UInt8],
        name: String,
        createdAt: A2ATimestamp,
        expiresAt: A2ATimestamp? = nil,
        revokedAt: A2ATimestamp? = nil,
        maxRole: NamespaceRole? = nil
    ) {
        self.id = id
        self.principal = principal
        self.namespace = namespace
        self.secretHash = secretHash
        self.name = name
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.maxRole = maxRole
    }
}

/// What authentication needs to know about a token: the token, its principal, and the
/// principal's role in the token's namespace (directly or through teams).
public struct Credential: Sendable, Hashable {
    public var token: APITokenRecord
    public var principalDisabled: Bool
    public var isSuperadmin: Bool
    public var role: NamespaceRole?

    public init(token: APITokenRecord, principalDisabled: Bool, isSuperadmin: Bool, role: NamespaceRole?) {
        self.token = token
        self.principalDisabled = principalDisabled
        self.isSuperadmin = isSuperadmin
        self.role = role
    }

    /// The role the token acts with in its namespace: the principal's role, but never more than
    /// the token's ``APITokenRecord/maxRole``.
    public var effectiveRole: NamespaceRole? {
        guard let role, let cap = token.maxRole else { return role }
        return min(role, cap)
    }
}

extension APITokenText {
    /// The credential a request presents: the `Bearer` value of `Authorization`, else the whole
    /// `Authorization` value (another scheme: present, but never one of our tokens), else
    /// `X-API-Key`. `nil` when the request carries none.
    public static func presented(authorization: String?, apiKey: String?) -> String? {
        if let authorization {
            return bearerCredentials(in: authorization)?.trimmingBlanks() ?? authorization
        }
        return apiKey?.trimmingBlanks()
    }

    /// What follows the `Bearer` scheme (any case, after leading spaces), or `nil` for another
    /// scheme or nothing after it. Read byte by byte: this runs on every request.
    static func bearerCredentials(in authorization: String) -> Substring? {
        let bytes = authorization.utf8
        guard let start = bytes.firstIndex(where: { $0 != UInt8(ascii: " ") }),
            let space = bytes[start...].firstIndex(of: UInt8(ascii: " "))
        else { return nil }
        let scheme = bytes[start..<space]
        guard scheme.count == 6, zip(scheme, "bearer".utf8).allSatisfy({ $0 | 0x20 == $1 }) else { return nil }
        let credentials = authorization[bytes.index(after: space)...]
        return credentials.isEmpty ? nil : credentials
    }
}
