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
import Logging
import NIOCore
import PostgresNIO

extension PostgresStore: IdentityStore {
    /// The channel on which identity changes are announced; the payload is the namespace, or `*`.
    public static let identityChannel = "cleveragents_identity"

    public func credential(tokenID: String) async throws -> Credential? {
        try await translatingErrors {
            let rows = try await client.query(
                """
                SELECT t.principal, t.namespace, t.secret_hash, t.name, t.created_at, t.expires_at, t.revoked_at,
                       p.disabled, p.is_superadmin, t.max_role,
                       (SELECT max(CASE b.role WHEN 'viewer' THEN 0 WHEN 'member' THEN 1 WHEN 'admin' THEN 2 WHEN 'owner' THEN 3 END)
                        FROM role_bindings b
                        WHERE b.namespace = t.namespace AND (
                            (b.subject_kind = 'principal' AND b.subject = t.principal)
                            OR (b.subject_kind = 'team' AND EXISTS (
                                SELECT 1 FROM team_members m WHERE m.namespace = b.namespace AND m.team = b.subject AND m.principal = t.principal))))
                FROM api_tokens t JOIN principals p ON p.id = t.principal
                WHERE t.id = \(tokenID)
                """,
                logger: logger
            )
            for try await row in rows {
                let columns = row.makeRandomAccess()
                let namespace = try columns[1].decode(String?.self).flatMap(NamespaceName.init)
                let token = APITokenRecord(
                    id: tokenID,
                    principal: try columns[0].decode(String.self),
                    namespace: namespace,
                    secretHash: Array(try columns[2].decode(ByteBuffer.self).readableBytesView),
                    name: try columns[3].decode(String.self),
                    createdAt: A2ATimestamp(storedDate: try columns[4].decode(Date.self)),
                    expiresAt: try columns[5].decode(Date?.self).map(A2ATimestamp.init(storedDate:)),
                    revokedAt: try columns[6].decode(Date?.self).map(A2ATimestamp.init(storedDate:)),
                    maxRole: try columns[9].decode(String?.self).flatMap(NamespaceRole.init(rawValue:))
                )
                let rank = try columns[10].decode(Int?.self)
                return Credential(
                    token: token,
                    principalDisabled: try columns[7].decode(Bool.self),
                    isSuperadmin: try columns[8].decode(Bool.self),
                    role: rank.flatMap { NamespaceRole.allCases.sorted()[safe: $0] }
                )
            }
            return nil
        }
    }

    public func role(of principal: String, in namespace: NamespaceName) async throws -> NamespaceRole? {
        try await translatingErrors {
            let rows = try await client.query(
                """
                SELECT b.role FROM role_bindings b
                WHERE b.namespace = \(namespace.rawValue) AND (
                    (b.subject_kind = 'principal' AND b.subject = \(principal))
                    OR (b.subject_kind = 'team' AND EXISTS (
                        SELECT 1 FROM team_members m WHERE m.namespace = b.namespace AND m.team = b.subject AND m.principal = \(principal))))
                """,
                logger: logger
            )
            var roles: [NamespaceRole] = []
            for try await role in rows.decode(String.self) {
                if let role = NamespaceRole(rawValue: role) { roles.append(role) }
            }
            return roles.max()
        }
    }

    public func ensurePrincipal(_ principal: Principal) async throws -> Principal {
        try await translatingErrors {
            try await client.query(
                """
                INSERT INTO principals (id, kind, display_name, is_superadmin, disabled, created_at)
                VALUES (\(principal.id), \(principal.kind.rawValue), \(principal.displayName), \(principal.isSuperadmin), \(principal.disabled), \(principal.createdAt.date))
                ON CONFLICT (id) DO NOTHING
                """,
                logger: logger
            )
            guard let stored = try await self.principal(id: principal.id) else { throw StoreError.conflict }
            return stored
        }
    }

    public func principal(id: String) async throws -> Principal? {
        try await translatingErrors {
            let rows = try await client.query(
                "SELECT kind, display_name, is_superadmin, disabled, created_at FROM principals WHERE id = \(id)",
                logger: logger
            )
            for try await (kind, name, superadmin, disabled, createdAt) in rows.decode((String, String, Bool, Bool, Date).self) {
                return Principal(
                    id: id, kind: Principal.Kind(rawValue: kind) ?? .user, displayName: name, isSuperadmin: superadmin, disabled: disabled,
                    createdAt: A2ATimestamp(storedDate: createdAt)
                )
            }
            return nil
        }
    }

    public func setSuperadmin(_ principal: String, _ isSuperadmin: Bool) async throws {
        try await translatingErrors {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query("UPDATE principals SET is_superadmin = \(isSuperadmin) WHERE id = \(principal)", logger: logger)
                try await Self.announce(on: connection, "*", logger: logger)
            }
        }
    }

    public func insertToken(_ token: APITokenRecord) async throws {
        try await translatingErrors {
            try await client.query(
                """
                INSERT INTO api_tokens (id, principal, namespace, secret_hash, name, created_at, expires_at, revoked_at, max_role)
                VALUES (\(token.id), \(token.principal), \(token.namespace?.rawValue), \(ByteBuffer(bytes: token.secretHash)), \(token.name),
                        \(token.createdAt.date), \(token.expiresAt?.date), \(token.revokedAt?.date), \(token.maxRole?.rawValue))
                """,
                logger: logger
            )
        }
    }

    public func revokeToken(id: String, namespace: NamespaceName?, at: A2ATimestamp) async throws -> Bool {
        try await translatingErrors {
            try await client.withTransaction(logger: logger) { connection in
                let rows = try await connection.query(
                    """
                    UPDATE api_tokens SET revoked_at = \(at.date)
                    WHERE id = \(id) AND namespace IS NOT DISTINCT FROM \(namespace?.rawValue) AND revoked_at IS NULL
                    RETURNING 1
                    """,
                    logger: logger
                )
                let revoked = try await rows.collect().count == 1
                if revoked { try await Self.announce(on: connection, namespace?.rawValue ?? "*", logger: logger) }
                return revoked
            }
        }
    }

    public func tokens(namespace: NamespaceName) async throws -> [APITokenRecord] {
        try await translatingErrors {
            let rows = try await client.query(
                """
                SELECT id, principal, secret_hash, name, created_at, expires_at, revoked_at, max_role FROM api_tokens
                WHERE namespace = \(namespace.rawValue) ORDER BY created_at, id
                """,
                logger: logger
            )
            var tokens: [APITokenRecord] = []
            for try await (id, principal, hash, name, created, expires, revoked, maxRole) in rows.decode(
                (String, String, ByteBuffer, String, Date, Date?, Date?, String?).self
            ) {
                tokens.append(
                    APITokenRecord(
                        id: id, principal: principal, namespace: namespace, secretHash: Array(hash.readableBytesView), name: name, createdAt: A2ATimestamp(storedDate: created),
                        expiresAt: expires.map(A2ATimestamp.init(storedDate:)), revokedAt: revoked.map(A2ATimestamp.init(storedDate:)),
                        maxRole: maxRole.flatMap(NamespaceRole.init(rawValue:))
                    )
                )
            }
            return tokens
        }
    }

    public func putRoleBinding(_ binding: RoleBinding) async throws {
        try await translatingErrors {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query(
                    """
                    INSERT INTO role_bindings (namespace, subject_kind, subject, role, created_at)
                    VALUES (\(binding.namespace.rawValue), \(binding.subject.kind), \(binding.subject.name), \(binding.role.rawValue), now())
                    ON CONFLICT (namespace, subject_kind, subject) DO UPDATE SET role = EXCLUDED.role
                    """,
                    logger: logger
                )
                try await Self.announce(on: connection, binding.namespace.rawValue, logger: logger)
            }
        }
    }

    public func deleteRoleBinding(namespace: NamespaceName, subject: RoleSubject) async throws -> Bool {
        try await translatingErrors {
            try await client.withTransaction(logger: logger) { connection in
                let rows = try await connection.query(
                    """
                    DELETE FROM role_bindings WHERE namespace = \(namespace.rawValue) AND subject_kind = \(subject.kind) AND subject = \(subject.name)
                    RETURNING 1
                    """,
                    logger: logger
                )
                let deleted = try await rows.collect().count == 1
                try await Self.announce(on: connection, namespace.rawValue, logger: logger)
                return deleted
            }
        }
    }

    public func roleBindings(namespace: NamespaceName) async throws -> [RoleBinding] {
        try await translatingErrors {
            let rows = try await client.query(
                "SELECT subject_kind, subject, role FROM role_bindings WHERE namespace = \(namespace.rawValue) ORDER BY subject_kind, subject",
                logger: logger
            )
            var bindings: [RoleBinding] = []
            for try await (kind, name, role) in rows.decode((String, String, String).self) {
                guard let subject = RoleSubject(kind: kind, name: name), let role = NamespaceRole(rawValue: role) else { continue }
                bindings.append(RoleBinding(namespace: namespace, subject: subject, role: role))
            }
            return bindings
        }
    }

    public func createTeam(namespace: NamespaceName, name: String) async throws {
        try await translatingErrors {
            try await client.query("INSERT INTO teams (namespace, name, created_at) VALUES (\(namespace.rawValue), \(name), now())", logger: logger)
        }
    }

    public func deleteTeam(namespace: NamespaceName, name: String) async throws -> Bool {
        try await translatingErrors {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query(
                    "DELETE FROM role_bindings WHERE namespace = \(namespace.rawValue) AND subject_kind = 'team' AND subject = \(name)",
                    logger: logger
                )
                let rows = try await connection.query("DELETE FROM teams WHERE namespace = \(namespace.rawValue) AND name = \(name) RETURNING 1", logger: logger)
                let deleted = try await rows.collect().count == 1
                try await Self.announce(on: connection, namespace.rawValue, logger: logger)
                return deleted
            }
        }
    }

    public func teams(namespace: NamespaceName) async throws -> [String: [String]] {
        try await translatingErrors {
            let rows = try await client.query(
                """
                SELECT t.name, m.principal FROM teams t LEFT JOIN team_members m ON m.namespace = t.namespace AND m.team = t.name
                WHERE t.namespace = \(namespace.rawValue) ORDER BY t.name, m.principal
                """,
                logger: logger
            )
            var teams: [String: [String]] = [:]
            for try await (team, member) in rows.decode((String, String?).self) {
                teams[team, default: []].append(contentsOf: member.map { [$0] } ?? [])
            }
            return teams
        }
    }

    public func addTeamMember(namespace: NamespaceName, team: String, principal: String) async throws {
        try await translatingErrors {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query(
                    "INSERT INTO team_members (namespace, team, principal) VALUES (\(namespace.rawValue), \(team), \(principal)) ON CONFLICT DO NOTHING",
                    logger: logger
                )
                try await Self.announce(on: connection, namespace.rawValue, logger: logger)
            }
        }
    }

    public func removeTeamMember(namespace: NamespaceName, team: String, principal: String) async throws -> Bool {
        try await translatingErrors {
            try await client.withTransaction(logger: logger) { connection in
                let rows = try await connection.query(
                    "DELETE FROM team_members WHERE namespace = \(namespace.rawValue) AND team = \(team) AND principal = \(principal) RETURNING 1",
                    logger: logger
                )
                let removed = try await rows.collect().count == 1
                try await Self.announce(on: connection, namespace.rawValue, logger: logger)
                return removed
            }
        }
    }

    public func appendAudit(_ entry: AuditEntry) async throws {
        try await translatingErrors {
            try await client.query(
                """
                INSERT INTO audit_log (namespace, actor, action, target, details, at)
                VALUES (\(entry.namespace?.rawValue), \(entry.actor), \(entry.action), \(entry.target), \(JSONColumn(entry.details)), \(entry.at.date))
                """,
                logger: logger
            )
        }
    }

    public func audit(namespace: NamespaceName, limit: Int) async throws -> [AuditEntry] {
        try await translatingErrors {
            let rows = try await client.query(
                "SELECT actor, action, target, details, at FROM audit_log WHERE namespace = \(namespace.rawValue) ORDER BY id DESC LIMIT \(limit)",
                logger: logger
            )
            var entries: [AuditEntry] = []
            for try await (actor, action, target, details, at) in rows.decode((String, String, String, JSONColumn<JSONObject>, Date).self) {
                entries.append(AuditEntry(namespace: namespace, actor: actor, action: action, target: target, details: details.value, at: A2ATimestamp(storedDate: at)))
            }
            return entries
        }
    }

    public func namespaces(usingPrincipal principal: String) async throws -> [NamespaceName] {
        try await translatingErrors {
            let rows = try await client.query(
                """
                SELECT namespace FROM api_tokens WHERE principal = \(principal) AND namespace IS NOT NULL
                UNION SELECT namespace FROM role_bindings WHERE subject_kind = 'principal' AND subject = \(principal)
                UNION SELECT namespace FROM team_members WHERE principal = \(principal)
                ORDER BY 1
                """,
                logger: logger
            )
            var names: [NamespaceName] = []
            for try await name in rows.decode(String.self) {
                if let name = NamespaceName(name) { names.append(name) }
            }
            return names
        }
    }

    /// Nothing to do: the namespace's tokens, role bindings, teams and audit entries are deleted
    /// with it (`ON DELETE CASCADE`), in the same transaction.
    public func removeNamespace(_ namespace: NamespaceName) async throws {}

    /// Tells every replica that who may do what changed in `scope` (a namespace, or `*`).
    static func announce(on connection: PostgresConnection, _ scope: String, logger: Logger) async throws {
        try await connection.query("SELECT pg_notify(\(identityChannel), \(scope))", logger: logger)
    }
}

extension Array {
    subscript(safe index: Int) -> Element? {
        indices.contains(index) ? self[index] : nil
    }
}
