//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
public import CleverAgentsDomain

/// Storage of principals, teams, role bindings, API tokens and the audit log.
///
/// Writes that change who may do what also announce the change (`IdentityEvents`) so that every
/// replica drops what it cached.
public protocol IdentityStore: Sendable {
    /// A token with its principal and the principal's role in the token's namespace.
    func credential(tokenID: String) async throws -> Credential?

    /// The role of `principal` in `namespace`: the highest of its own binding and its teams'.
    func role(of principal: String, in namespace: NamespaceName) async throws -> NamespaceRole?

    /// Creates the principal if it does not exist; returns it as stored.
    @discardableResult
    func ensurePrincipal(_ principal: Principal) async throws -> Principal

    func principal(id: String) async throws -> Principal?

    func setSuperadmin(_ principal: String, _ isSuperadmin: Bool) async throws

    func insertToken(_ token: APITokenRecord) async throws

    /// Revokes a token of `namespace` (`nil` for server-level tokens); returns whether one was revoked.
    func revokeToken(id: String, namespace: NamespaceName?, at: A2ATimestamp) async throws -> Bool

    func tokens(namespace: NamespaceName) async throws -> [APITokenRecord]

    /// Creates or replaces a binding.
    func putRoleBinding(_ binding: RoleBinding) async throws

    /// Returns whether a binding was deleted.
    func deleteRoleBinding(namespace: NamespaceName, subject: RoleSubject) async throws -> Bool

    func roleBindings(namespace: NamespaceName) async throws -> [RoleBinding]

    func createTeam(namespace: NamespaceName, name: String) async throws

    func deleteTeam(namespace: NamespaceName, name: String) async throws -> Bool

    /// Teams and their members.
    func teams(namespace: NamespaceName) async throws -> [String: [String]]

    func addTeamMember(namespace: NamespaceName, team: String, principal: String) async throws

    func removeTeamMember(namespace: NamespaceName, team: String, principal: String) async throws -> Bool

    func appendAudit(_ entry: AuditEntry) async throws

    /// The namespaces in which `principal` holds a token, a role binding or a team membership.
    func namespaces(usingPrincipal principal: String) async throws -> [NamespaceName]

    /// Forgets what belongs to a deleted namespace: its tokens, role bindings, teams and audit
    /// entries. (A store whose schema cascades the namespace's deletion may have nothing left to do.)
    func removeNamespace(_ namespace: NamespaceName) async throws

    func audit(namespace: NamespaceName, limit: Int) async throws -> [AuditEntry]
}
