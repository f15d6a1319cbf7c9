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
public protocol SecretBox: Sendable {
    func seal(_ plaintext: String) throws -> SealedSecret
    func open(_ sealed: SealedSecret) throws -> String
}

/// AES-256-GCM with a server key: `v1:<base64 of nonce ‖ ciphertext ‖ tag>`.
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

    public func seal(_ plaintext: String) throws -> SealedSecret {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: key)
        guard let combined = box.combined else { throw SecretBoxError.sealFailed }
        return SealedSecret(sealed: "v1:" + combined.base64EncodedString())
    }

    public func open(_ sealed: SealedSecret) throws -> String {
        guard sealed.sealed.hasPrefix("v1:"), let data = Data(base64Encoded: String(sealed.sealed.dropFirst(3))) else {
            throw SecretBoxError.malformed
        }
        let box = try AES.GCM.SealedBox(combined: data)
        let plaintext = try AES.GCM.open(box, using: key)
        guard let string = String(data: plaintext, encoding: .utf8) else { throw SecretBoxError.malformed }
        return string
    }
}

public enum SecretBoxError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidKey
    case sealFailed
    case malformed

    public var description: String {
        switch self {
        case .invalidKey: "the secret key must be 32 bytes, base64-encoded"
        case .sealFailed: "sealing the secret failed"
        case .malformed: "the sealed secret is malformed or was sealed with another key"
        }
    }
}
