//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
public import CleverAgentsDomain
public import CleverAgentsRuntime
import Foundation
import GRDB

/// Principals, teams, role bindings, tokens and the audit log of local mode: what its owner
/// administers over stdio, kept as the server keeps them. One process serves the file, so no
/// change is announced to other replicas.
extension SQLiteStore: IdentityStore {
    public func credential(tokenID: String) async throws -> Credential? {
        try await read { db in
            guard let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT t.principal, t.namespace, t.secret_hash, t.name, t.created_at, t.expires_at, t.revoked_at, t.max_role,
                           p.disabled, p.is_superadmin
                    FROM api_tokens t JOIN principals p ON p.id = t.principal
                    WHERE t.id = ?
                    """,
                arguments: [tokenID]
            ) else { return nil }
            let token = try Self.token(id: tokenID, row: row, from: 0)
            let role = try token.namespace.flatMap { try Self.role(of: token.principal, in: $0, db: db) }
            return Credential(token: token, principalDisabled: row[8], isSuperadmin: row[9], role: role)
        }
    }

    public func role(of principal: String, in namespace: NamespaceName) async throws -> NamespaceRole? {
        try await read { db in try Self.role(of: principal, in: namespace, db: db) }
    }

    /// The highest of the principal's own binding and its teams' bindings.
    static func role(of principal: String, in namespace: NamespaceName, db: Database) throws -> NamespaceRole? {
        let roles = try String.fetchAll(
            db,
            sql: """
                SELECT b.role FROM role_bindings b
                WHERE b.namespace = ? AND (
                    (b.subject_kind = 'principal' AND b.subject = ?)
                    OR (b.subject_kind = 'team' AND EXISTS (
                        SELECT 1 FROM team_members m WHERE m.namespace = b.namespace AND m.team = b.subject AND m.principal = ?)))
                """,
            arguments: [namespace.rawValue, principal, principal]
        )
        return roles.compactMap(NamespaceRole.init(rawValue:)).max()
    }

    public func ensurePrincipal(_ principal: Principal) async throws -> Principal {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO principals (id, kind, display_name, is_superadmin, disabled, created_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO NOTHING
                    """,
                arguments: [
                    principal.id, principal.kind.rawValue, principal.displayName, principal.isSuperadmin, principal.disabled,
                    Self.millis(principal.createdAt),
                ]
            )
            guard let stored = try Self.principal(id: principal.id, db: db) else { throw StoreError.conflict }
            return stored
        }
    }

    public func principal(id: String) async throws -> Principal? {
        try await read { db in try Self.principal(id: id, db: db) }
    }

    static func principal(id: String, db: Database) throws -> Principal? {
        guard let row = try Row.fetchOne(
            db,
            sql: "SELECT kind, display_name, is_superadmin, disabled, created_at FROM principals WHERE id = ?",
            arguments: [id]
        ) else { return nil }
        guard let kind = Principal.Kind(rawValue: row[0]) else { throw StoreError.unavailable("stored principal '\(id)' has an unknown kind") }
        return Principal(id: id, kind: kind, displayName: row[1], isSuperadmin: row[2], disabled: row[3], createdAt: Self.timestamp(row[4]))
    }

    public func setSuperadmin(_ principal: String, _ isSuperadmin: Bool) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE principals SET is_superadmin = ? WHERE id = ?", arguments: [isSuperadmin, principal])
        }
    }

    // MARK: Tokens

    public func insertToken(_ token: APITokenRecord) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO api_tokens (id, principal, namespace, secret_hash, name, created_at, expires_at, revoked_at, max_role)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    token.id, token.principal, token.namespace?.rawValue, Data(token.secretHash), token.name, Self.millis(token.createdAt),
                    token.expiresAt.map(Self.millis), token.revokedAt.map(Self.millis), token.maxRole?.rawValue,
                ]
            )
        }
    }

    public func revokeToken(id: String, namespace: NamespaceName?, at: A2ATimestamp) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND namespace IS ? AND revoked_at IS NULL",
                arguments: [Self.millis(at), id, namespace?.rawValue]
            )
            return db.changesCount > 0
        }
    }

    public func tokens(namespace: NamespaceName) async throws -> [APITokenRecord] {
        try await read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, principal, namespace, secret_hash, name, created_at, expires_at, revoked_at, max_role FROM api_tokens
                    WHERE namespace = ? ORDER BY created_at, id
                    """,
                arguments: [namespace.rawValue]
            )
            return try rows.map { row in try Self.token(id: row[0], row: row, from: 1) }
        }
    }

    /// A token from its columns `principal, namespace, secret_hash, name, created_at, expires_at,
    /// revoked_at, max_role`, starting at `first`.
    static func token(id: String, row: Row, from first: Int) throws -> APITokenRecord {
        let namespace: String? = row[first + 1]
        let hash: Data = row[first + 2]
        let expiresAt: Int64? = row[first + 5]
        let revokedAt: Int64? = row[first + 6]
        let maxRole: String? = row[first + 7]
        return APITokenRecord(
            id: id,
            principal: row[first],
            namespace: try namespace.map(Self.namespace),
            secretHash: Array(hash),
            name: row[first + 3],
            createdAt: Self.timestamp(row[first + 4]),
            expiresAt: expiresAt.map(Self.timestamp),
            revokedAt: revokedAt.map(Self.timestamp),
            maxRole: maxRole.flatMap(NamespaceRole.init(rawValue:))
        )
    }

    // MARK: Role bindings and teams

    public func putRoleBinding(_ binding: RoleBinding) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO role_bindings (namespace, subject_kind, subject, role, created_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (namespace, subject_kind, subject) DO UPDATE SET role = excluded.role
                    """,
                arguments: [binding.namespace.rawValue, binding.subject.kind, binding.subject.name, binding.role.rawValue, Self.millis(.now)]
            )
        }
    }

    public func deleteRoleBinding(namespace: NamespaceName, subject: RoleSubject) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: "DELETE FROM role_bindings WHERE namespace = ? AND subject_kind = ? AND subject = ?",
                arguments: [namespace.rawValue, subject.kind, subject.name]
            )
            return db.changesCount > 0
        }
    }

    public func roleBindings(namespace: NamespaceName) async throws -> [RoleBinding] {
        try await read { db in
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT subject_kind, subject, role FROM role_bindings WHERE namespace = ? ORDER BY subject_kind, subject",
                arguments: [namespace.rawValue]
            )
            return rows.compactMap { row in
                guard let subject = RoleSubject(kind: row[0], name: row[1]), let role = NamespaceRole(rawValue: row[2]) else { return nil }
                return RoleBinding(namespace: namespace, subject: subject, role: role)
            }
        }
    }

    public func createTeam(namespace: NamespaceName, name: String) async throws {
        try await write { db in
            try db.execute(sql: "INSERT INTO teams (namespace, name, created_at) VALUES (?, ?, ?)", arguments: [namespace.rawValue, name, Self.millis(.now)])
        }
    }

    public func deleteTeam(namespace: NamespaceName, name: String) async throws -> Bool {
        try await write { db in
            // The team's bindings go with it (its members go by the foreign key).
            try db.execute(
                sql: "DELETE FROM role_bindings WHERE namespace = ? AND subject_kind = 'team' AND subject = ?",
                arguments: [namespace.rawValue, name]
            )
            try db.execute(sql: "DELETE FROM teams WHERE namespace = ? AND name = ?", arguments: [namespace.rawValue, name])
            return db.changesCount > 0
        }
    }

    public func teams(namespace: NamespaceName) async throws -> [String: [String]] {
        try await read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT t.name, m.principal FROM teams t LEFT JOIN team_members m ON m.namespace = t.namespace AND m.team = t.name
                    WHERE t.namespace = ? ORDER BY t.name, m.principal
                    """,
                arguments: [namespace.rawValue]
            )
            var teams: [String: [String]] = [:]
            for row in rows {
                let team: String = row[0]
                let member: String? = row[1]
                var members = teams[team] ?? []  // a team without members is listed too
                if let member { members.append(member) }
                teams[team] = members
            }
            return teams
        }
    }

    public func addTeamMember(namespace: NamespaceName, team: String, principal: String) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO team_members (namespace, team, principal) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                arguments: [namespace.rawValue, team, principal]
            )
        }
    }

    public func removeTeamMember(namespace: NamespaceName, team: String, principal: String) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: "DELETE FROM team_members WHERE namespace = ? AND team = ? AND principal = ?",
                arguments: [namespace.rawValue, team, principal]
            )
            return db.changesCount > 0
        }
    }

    // MARK: Audit

    public func appendAudit(_ entry: AuditEntry) async throws {
        let details = try Self.json(entry.details)
        try await write { db in
            try db.execute(
                sql: "INSERT INTO audit_log (namespace, actor, action, target, details, at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [entry.namespace?.rawValue, entry.actor, entry.action, entry.target, details, Self.millis(entry.at)]
            )
        }
    }

    public func audit(namespace: NamespaceName, limit: Int) async throws -> [AuditEntry] {
        try await read { db in
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT actor, action, target, details, at FROM audit_log WHERE namespace = ? ORDER BY id DESC LIMIT ?",
                arguments: [namespace.rawValue, limit]
            )
            return try rows.map { row in
                AuditEntry(
                    namespace: namespace,
                    actor: row[0],
                    action: row[1],
                    target: row[2],
                    details: try Self.decode(JSONObject.self, row[3]),
                    at: Self.timestamp(row[4])
                )
            }
        }
    }

    public func namespaces(usingPrincipal principal: String) async throws -> [NamespaceName] {
        try await read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT namespace FROM api_tokens WHERE principal = ? AND namespace IS NOT NULL
                    UNION SELECT namespace FROM role_bindings WHERE subject_kind = 'principal' AND subject = ?
                    UNION SELECT namespace FROM team_members WHERE principal = ?
                    ORDER BY 1
                    """,
                arguments: [principal, principal, principal]
            ).map(Self.namespace)
        }
    }

    /// Nothing is left: the namespace's tokens, bindings, teams and audit entries went with it
    /// (foreign keys with `ON DELETE CASCADE`).
    public func removeNamespace(_ namespace: NamespaceName) async throws {}
}
