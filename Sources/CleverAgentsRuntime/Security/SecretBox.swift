//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsDomain
import Crypto
import Foundation

/// Seals secrets (such as an actor's graph API key) for storage, and opens them for use.
///
/// Every secret is sealed for a ``SecretBinding``: the row it belongs to and the destination it
/// is sent to. It opens only for the same binding, so a sealed value copied to another row, or
/// kept while its destination changes, is of no use.
public protocol SecretBox: Sendable {
    func seal(_ plaintext: String, for binding: SecretBinding) throws -> SealedSecret
    func open(_ sealed: SealedSecret, for binding: SecretBinding) throws -> String
}

/// What a sealed secret belongs to: authenticated with it (AES-GCM additional data), not stored.
public struct SecretBinding: Sendable, Hashable {
    /// The canonical bytes: the parts, each length-prefixed, so no two bindings share bytes.
    public let bytes: [UInt8]

    init(_ parts: [String]) {
        var bytes: [UInt8] = []
        for part in parts {
            let utf8 = Array(part.utf8)
            withUnsafeBytes(of: UInt32(utf8.count).bigEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: utf8)
        }
        self.bytes = bytes
    }

    /// The `x-api-key` of an actor, for its graph URL.
    public static func actorAPIKey(namespace: NamespaceName, actor: String, graphURL: String) -> SecretBinding {
        SecretBinding(["actor-api-key", namespace.rawValue, actor, graphURL])
    }

    /// The `Authorization` credentials of a task's webhook, for its URL.
    public static func pushCredentials(namespace: NamespaceName, taskId: String, configId: String, url: String) -> SecretBinding {
        SecretBinding(["push-credentials", namespace.rawValue, taskId, configId, url])
    }
}

/// AES-256-GCM with a server key: `v2:<base64 of nonce ‖ ciphertext ‖ tag>`, with the binding as
/// additional data.
///
/// Values sealed before bindings existed (`v1:`, no additional data) still open, for any
/// binding; sealing them again (`actors/put`, a new push config) binds them.
///
/// The key comes from configuration (a secret of the deployment); losing it makes sealed
/// secrets unreadable, so operators back it up with the database.
public struct AESGCMSecretBox: SecretBox {
    private let key: SymmetricKey

    /// - Parameter keyMaterial: 32 bytes.
    public init(keyMaterial: [UInt8]) throws {
        guard keyMaterial.count == 32 else { throw SecretBoxError.invalidKey }
        self.key = SymmetricKey(data: keyMaterial)
    }

    /// A key from its base64 form (`openssl rand -base64 32`).
    public init(base64Key: String) throws {
        guard let data = Data(base64Encoded: base64Key.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw SecretBoxError.invalidKey
        }
        try self.init(keyMaterial: Array(data))
    }

    /// 32 bytes derived from the key for one `purpose` (HKDF-SHA256): a second secret where a
    /// deployment has only this one (local mode's token pepper), never usable as the key itself.
    public func derivedKey(for purpose: String) -> [UInt8] {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data(purpose.utf8), outputByteCount: 32).withUnsafeBytes { Array($0) }
    }

    public func seal(_ plaintext: String, for binding: SecretBinding) throws -> SealedSecret {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: key, authenticating: binding.bytes)
        guard let combined = box.combined else { throw SecretBoxError.sealFailed }
        return SealedSecret(sealed: "v2:" + combined.base64EncodedString())
    }

    public func open(_ sealed: SealedSecret, for binding: SecretBinding) throws -> String {
        let version = sealed.sealed.prefix(3)
        guard version == "v1:" || version == "v2:", let data = Data(base64Encoded: String(sealed.sealed.dropFirst(3))) else {
            throw SecretBoxError.malformed
        }
        let plaintext: Data
        do {
            let box = try AES.GCM.SealedBox(combined: data)
            plaintext = version == "v1:" ? try AES.GCM.open(box, using: key) : try AES.GCM.open(box, using: key, authenticating: binding.bytes)
        } catch {
            throw SecretBoxError.notOpenable
        }
        guard let string = String(data: plaintext, encoding: .utf8) else { throw SecretBoxError.malformed }
        return string
    }
}

public enum SecretBoxError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidKey
    case sealFailed
    case malformed
    /// Sealed with another key, or for another row or destination.
    case notOpenable

    public var description: String {
        switch self {
        case .invalidKey: "the secret key must be 32 bytes, base64-encoded"
        case .sealFailed: "sealing the secret failed"
        case .malformed: "the sealed secret is malformed"
        case .notOpenable: "the sealed secret was sealed with another key, or for another place or destination; set it again"
        }
    }
}

extension ActorDefinition {
    /// The actor's `x-api-key`, opened for its current graph URL; `nil` when it has none.
    public func openAPIKey(in namespace: NamespaceName, with secrets: any SecretBox) throws -> String? {
        try apiKey.map { try secrets.open($0, for: .actorAPIKey(namespace: namespace, actor: name, graphURL: graphURL)) }
    }

    /// Seals `plaintext` as the actor's `x-api-key`, for its current graph URL.
    public mutating func sealAPIKey(_ plaintext: String, in namespace: NamespaceName, with secrets: any SecretBox) throws {
        apiKey = try secrets.seal(plaintext, for: .actorAPIKey(namespace: namespace, actor: name, graphURL: graphURL))
    }
}
