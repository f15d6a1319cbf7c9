//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
public import CleverAgentsDomain
import Crypto
import Foundation

/// Turns a presented credential into a ``Caller``.
///
/// Tokens are looked up by their id in the namespace actor's cache (loaded from the store on a
/// miss, once for concurrent callers); the secret is checked against its keyed hash in constant
/// time on every request, so a cached entry never lets a wrong secret through.
public struct Authenticator: Sendable {
    public let identities: any IdentityStore
    public let clock: A2ATimestampSource
    /// The HMAC keyed with the pepper, before any data. Each hash starts from a copy (its hash
    /// states are copied on write) instead of deriving the key's padded blocks again: that
    /// derivation was a third of the authentication of every request.
    private let keyedMAC: HMAC<SHA256>

    /// - Parameter pepper: the server key of the token hashes (`auth.tokenPepper`).
    public init(identities: any IdentityStore, pepper: [UInt8], clock: A2ATimestampSource = .system) {
        self.identities = identities
        self.keyedMAC = HMAC<SHA256>(key: SymmetricKey(data: pepper))
        self.clock = clock
    }

    /// The keyed hash stored for a token secret.
    public func hash(secret: String) -> [UInt8] {
        Array(mac(of: secret))
    }

    private func mac(of secret: String) -> HMAC<SHA256>.MAC {
        var mac = keyedMAC
        mac.update(data: Data(secret.utf8))
        return mac.finalize()
    }

    /// Makes a new token for `principal`, returning the text to show once and the record to store.
    public func makeToken(
        principal: String,
        namespace: NamespaceName?,
        name: String,
        expiresAt: A2ATimestamp?,
        maxRole: NamespaceRole? = nil
    ) -> (APITokenText, APITokenRecord) {
        var generator = SystemRandomNumberGenerator()
        let text = APITokenText.generate(using: &generator)
        let record = APITokenRecord(
            id: text.id,
            principal: principal,
            namespace: namespace,
            secretHash: hash(secret: text.secret),
            name: name,
            createdAt: clock.now(),
            expiresAt: expiresAt,
            maxRole: maxRole
        )
        return (text, record)
    }

    /// The API token in a presented credential.
    public static func token(in credential: String?) throws(AuthenticationError) -> APITokenText {
        guard let credential, !credential.isEmpty else { throw .missing }
        guard let token = APITokenText(credential) else { throw .malformed }
        return token
    }

    /// The caller presenting `token` to `namespace`, given what is stored under its id (`nil`:
    /// nothing). The secret is checked against its keyed hash on every call.
    public func caller(presenting token: APITokenText, stored: Credential?, in namespace: NamespaceName) throws(AuthenticationError) -> Caller {
        guard let stored, verify(secret: token.secret, against: stored.token.secretHash) else {
            throw .invalid
        }
        let now = clock.now()
        if stored.token.revokedAt != nil { throw .invalid }
        if let expiresAt = stored.token.expiresAt, expiresAt <= now { throw .expired }
        if stored.principalDisabled { throw .invalid }
        switch stored.token.namespace {
        case .some(let tokenNamespace) where tokenNamespace == namespace:
            // A namespace token carries the principal's role here, capped by its minter's, and
            // never server power, whatever flags its principal has.
            return Caller(principalID: stored.token.principal, role: stored.effectiveRole, isSuperadmin: false, tokenID: stored.token.id)
        case .none where stored.isSuperadmin:
            // A server-level token of a superadmin works in every namespace.
            return Caller(principalID: stored.token.principal, role: nil, isSuperadmin: true, tokenID: stored.token.id)
        default:
            // A token of another namespace is no credential here.
            throw .invalid
        }
    }

    /// The caller presenting a server-level credential (for server administration): a token made
    /// without a namespace, of a principal that is a superadmin. A namespace token is no
    /// credential here, whatever its principal's flags.
    public func authenticateServer(_ credential: String?) async throws -> Caller {
        let token = try Self.token(in: credential)
        guard let stored = try await identities.credential(tokenID: token.id), verify(secret: token.secret, against: stored.token.secretHash),
            stored.token.revokedAt == nil, !stored.principalDisabled, stored.token.namespace == nil, stored.isSuperadmin
        else { throw AuthenticationError.invalid }
        if let expiresAt = stored.token.expiresAt, expiresAt <= clock.now() { throw AuthenticationError.expired }
        return Caller(principalID: stored.token.principal, role: nil, isSuperadmin: true, tokenID: stored.token.id)
    }

    /// Constant-time comparison of the presented secret's keyed hash with the stored one.
    func verify(secret: String, against stored: [UInt8]) -> Bool {
        mac(of: secret) == stored  // swift-crypto compares a MAC with bytes in constant time
    }
}

/// Why a credential was not accepted. Every case is HTTP 401; the message never says whether a
/// token exists.
public enum AuthenticationError: Error, Sendable, Hashable, CustomStringConvertible {
    case missing
    case malformed
    case invalid
    case expired

    public var description: String {
        switch self {
        case .missing: "a credential is required: send Authorization: Bearer <token> or X-API-Key: <token>"
        case .malformed: "the credential is not a CleverAgents API token"
        case .invalid: "the credential is not valid for this namespace"
        case .expired: "the token has expired"
        }
    }

    /// The RFC 6750 `error` of the `WWW-Authenticate` challenge.
    public var challengeError: String? {
        self == .missing ? nil : "invalid_token"
    }
}

/// The caller lacks a permission (HTTP 403).
public struct PermissionDenied: Error, Sendable, Hashable, CustomStringConvertible {
    public var permission: Permission
    /// Why the caller's permission was not enough (a grant beyond its own role), if it had it.
    public var detail: String?

    public init(_ permission: Permission, detail: String? = nil) {
        self.permission = permission
        self.detail = detail
    }

    /// A grant that would give or take away more power than the caller holds.
    public static func grant(needing role: NamespaceRole) -> PermissionDenied {
        PermissionDenied(.manageAccess, detail: GrantRules.refusal(needing: role))
    }

    /// The lowest role that holds the permission (`nil`: none does; a superadmin's).
    public var requiredRole: NamespaceRole? {
        NamespaceRole.allCases.sorted().first { $0.permissions.contains(permission) }
    }

    public var description: String {
        if let detail { return detail }
        guard let requiredRole else { return "permission '\(permission.rawValue)' is required (a superadmin's)" }
        return "permission '\(permission.rawValue)' is required (the role '\(requiredRole.rawValue)' or higher in this namespace)"
    }
}
