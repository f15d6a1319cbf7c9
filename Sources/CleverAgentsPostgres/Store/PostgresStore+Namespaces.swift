//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
public import CleverAgentsDomain
public import CleverAgentsRuntime
import Foundation
import PostgresNIO

extension PostgresStore: NamespaceStore {
    static let actorKind = "actor"

    public func namespace(named name: NamespaceName) async throws -> Namespace? {
        try await translatingErrors {
            let rows = try await client.query(
                """
                SELECT name, display_name, description, auth_mode, created_at, updated_at
                FROM namespaces WHERE name = \(name.rawValue)
                """,
                logger: logger
            )
            for try await (rawName, displayName, description, authMode, createdAt, updatedAt) in rows.decode(
                (String, String, String, String, Date, Date).self
            ) {
                guard let name = NamespaceName(rawName), let mode = Namespace.AuthMode(rawValue: authMode) else { continue }
                return Namespace(
                    name: name,
                    displayName: displayName,
                    description: description,
                    authMode: mode,
                    createdAt: A2ATimestamp(storedDate: createdAt),
                    updatedAt: A2ATimestamp(storedDate: updatedAt)
                )
            }
            return nil
        }
    }

    public func createNamespace(_ namespace: Namespace) async throws {
        try await translatingErrors {
            try await client.query(
                """
                INSERT INTO namespaces (name, display_name, description, auth_mode, created_at, updated_at)
                VALUES (\(namespace.name.rawValue), \(namespace.displayName), \(namespace.description),
                        \(namespace.authMode.rawValue), \(namespace.createdAt.date), \(namespace.updatedAt.date))
                """,
                logger: logger
            )
        }
    }

    public func actors(in namespace: NamespaceName) async throws -> [ActorDefinition] {
        try await translatingErrors {
            let rows = try await client.query(
                """
                SELECT body, updated_at FROM entities
                WHERE namespace = \(namespace.rawValue) AND kind = \(Self.actorKind) AND NOT deleted
                ORDER BY name
                """,
                logger: logger
            )
            var actors: [ActorDefinition] = []
            for try await (body, updatedAt) in rows.decode((JSONColumn<ActorDefinition>, Date).self) {
                var actor = body.value
                actor.updatedAt = A2ATimestamp(storedDate: updatedAt)
                actors.append(actor)
            }
            return actors
        }
    }

    public func putActor(_ actor: ActorDefinition, in namespace: NamespaceName) async throws {
        let body = try actor.entityBody()
        try await translatingErrors {
            let now = Date()
            try await client.withTransaction(logger: logger) { connection in
                var head = try await lockSyncHead(namespace, on: connection)
                if actor.isDefault {
                    // Clearing the flag on the others is a change of each of them, logged in name order.
                    let cleared = try await connection.query(
                        """
                        WITH changed AS (
                            SELECT name, row_number() OVER (ORDER BY name) AS offset_seq FROM entities
                            WHERE namespace = \(namespace.rawValue) AND kind = \(Self.actorKind) AND name <> \(actor.name)
                              AND NOT deleted AND (body->>'isDefault')::boolean
                        )
                        UPDATE entities e
                        SET body = jsonb_set(e.body, '{isDefault}', 'false'), revision = e.revision + 1,
                            sync_seq = \(head) + changed.offset_seq, updated_at = \(now)
                        FROM changed
                        WHERE e.namespace = \(namespace.rawValue) AND e.kind = \(Self.actorKind) AND e.name = changed.name
                        RETURNING e.name, e.revision, e.sync_seq
                        """,
                        logger: logger
                    )
                    // Collected first: the connection runs one query at a time.
                    for row in try await cleared.collect() {
                        let (name, revision, sequence) = try row.decode((String, Int64, Int64).self)
                        try await appendSyncLog(
                            namespace: namespace, sequence: sequence, key: EntityKey(kind: Self.actorKind, name: name),
                            revision: revision, deleted: false, at: now, on: connection
                        )
                        head = max(head, sequence)
                    }
                }
                head += 1
                let rows = try await connection.query(
                    """
                    INSERT INTO entities (namespace, kind, name, body, revision, deleted, sync_seq, created_at, updated_at)
                    VALUES (\(namespace.rawValue), \(Self.actorKind), \(actor.name), \(JSONColumn(body)), 1, false, \(head), \(now), \(now))
                    ON CONFLICT (namespace, kind, name) DO UPDATE
                    SET body = EXCLUDED.body, revision = entities.revision + 1, deleted = false, sync_seq = EXCLUDED.sync_seq,
                        updated_at = EXCLUDED.updated_at
                    RETURNING revision
                    """,
                    logger: logger
                )
                let revision = try await rows.collect().first?.decode(Int64.self) ?? 1
                try await appendSyncLog(
                    namespace: namespace, sequence: head, key: EntityKey(kind: Self.actorKind, name: actor.name),
                    revision: revision, deleted: false, at: now, on: connection
                )
                try await storeSyncHead(namespace, head, on: connection)
            }
        }
    }
}

extension PostgresStore {
    /// Deletes an actor as a tombstone, so that sync replicas learn of the deletion.
    public func deleteActor(named name: String, in namespace: NamespaceName) async throws -> Bool {
        try await translatingErrors {
            let now = Date()
            return try await client.withTransaction(logger: logger) { connection in
                let head = try await lockSyncHead(namespace, on: connection) + 1
                let rows = try await connection.query(
                    """
                    UPDATE entities SET deleted = true, revision = revision + 1, sync_seq = \(head), updated_at = \(now)
                    WHERE namespace = \(namespace.rawValue) AND kind = \(Self.actorKind) AND name = \(name) AND NOT deleted
                    RETURNING revision
                    """,
                    logger: logger
                )
                guard let revision = try await rows.collect().first?.decode(Int64.self) else { return false }
                try await appendSyncLog(
                    namespace: namespace, sequence: head, key: EntityKey(kind: Self.actorKind, name: name),
                    revision: revision, deleted: true, at: now, on: connection
                )
                try await storeSyncHead(namespace, head, on: connection)
                return true
            }
        }
    }

    public func namespaceNames(limit: Int) async throws -> [NamespaceName] {
        try await translatingErrors {
            let rows = try await client.query("SELECT name FROM namespaces ORDER BY name LIMIT \(limit)", logger: logger)
            var names: [NamespaceName] = []
            for try await rawName in rows.decode(String.self) {
                if let name = NamespaceName(rawName) { names.append(name) }
            }
            return names
        }
    }

    public func allNamespaces() async throws -> [Namespace] {
        try await translatingErrors {
            let rows = try await client.query(
                "SELECT name, display_name, description, auth_mode, created_at, updated_at FROM namespaces ORDER BY name",
                logger: logger
            )
            var namespaces: [Namespace] = []
            for try await (rawName, displayName, description, authMode, createdAt, updatedAt) in rows.decode(
                (String, String, String, String, Date, Date).self
            ) {
                guard let name = NamespaceName(rawName), let mode = Namespace.AuthMode(rawValue: authMode) else { continue }
                namespaces.append(
                    Namespace(
                        name: name, displayName: displayName, description: description, authMode: mode,
                        createdAt: A2ATimestamp(storedDate: createdAt), updatedAt: A2ATimestamp(storedDate: updatedAt)
                    )
                )
            }
            return namespaces
        }
    }

    public func deleteNamespace(named name: NamespaceName) async throws -> Bool {
        try await translatingErrors {
            try await client.withTransaction(logger: logger) { connection in
                // Events have no foreign key (migration 8): they go with their tasks, here. Push
                // configurations cascade from the tasks.
                try await connection.query("DELETE FROM task_events WHERE namespace = \(name.rawValue)", logger: logger)
                try await connection.query("DELETE FROM tasks WHERE namespace = \(name.rawValue)", logger: logger)
                let rows = try await connection.query("DELETE FROM namespaces WHERE name = \(name.rawValue) RETURNING 1", logger: logger)
                let deleted = try await rows.collect().count == 1
                try await Self.announce(on: connection, name.rawValue, logger: logger)
                return deleted
            }
        }
    }
}

extension A2ATimestamp {
    /// A timestamp read back from a `timestamptz` column. Stored values are whole milliseconds,
    /// so rounding (not truncating) undoes the floating-point conversion exactly.
    init(storedDate date: Date) {
        self.init(millisecondsSinceEpoch: Int64((date.timeIntervalSince1970 * 1000).rounded()))
    }
}
