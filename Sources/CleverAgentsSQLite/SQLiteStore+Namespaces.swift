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
import GRDB

extension SQLiteStore: NamespaceStore {
    public func namespace(named name: NamespaceName) async throws -> Namespace? {
        try await read { db in
            guard let row = try Row.fetchOne(
                db,
                sql: "SELECT display_name, description, auth_mode, created_at, updated_at FROM namespaces WHERE name = ?",
                arguments: [name.rawValue]
            ) else { return nil }
            guard let mode = Namespace.AuthMode(rawValue: row[2]) else { return nil }
            return Namespace(
                name: name, displayName: row[0], description: row[1], authMode: mode,
                createdAt: Self.timestamp(row[3]), updatedAt: Self.timestamp(row[4])
            )
        }
    }

    public func createNamespace(_ namespace: Namespace) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO namespaces (name, display_name, description, auth_mode, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    namespace.name.rawValue, namespace.displayName, namespace.description, namespace.authMode.rawValue,
                    Self.millis(namespace.createdAt), Self.millis(namespace.updatedAt),
                ]
            )
        }
    }

    public func actors(in namespace: NamespaceName) async throws -> [ActorDefinition] {
        try await read { db in
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT body, updated_at FROM entities WHERE namespace = ? AND kind = ? AND NOT deleted ORDER BY name",
                arguments: [namespace.rawValue, EntityKinds.actor]
            )
            return try rows.map { row in
                var actor = try Self.decode(ActorDefinition.self, row[0])
                actor.updatedAt = Self.timestamp(row[1])
                return actor
            }
        }
    }

    public func putActor(_ actor: ActorDefinition, in namespace: NamespaceName) async throws {
        let body = try actor.entityBody()
        let now = A2ATimestamp.now
        try await write { db in
            if actor.isDefault {
                let others = try Self.loadEntities(db, namespace: namespace, where: "kind = ? AND name <> ? AND NOT deleted", [EntityKinds.actor, actor.name])
                for var other in others where other.body["isDefault"] == .bool(true) {
                    other.body["isDefault"] = .bool(false)
                    try Self.writeEntity(db, &other, revision: other.revision + 1, deleted: false, at: now)
                }
            }
            let key = EntityKey(kind: EntityKinds.actor, name: actor.name)
            var record = try Self.loadEntities(db, namespace: namespace, where: "kind = ? AND name = ?", [key.kind, key.name]).first
                ?? EntityRecord(namespace: namespace, kind: key.kind, name: key.name, body: body, revision: 0, deleted: false, syncSequence: 0, updatedAt: now)
            record.body = body
            try Self.writeEntity(db, &record, revision: record.revision + 1, deleted: false, at: now)
        }
    }

    /// Deletes an actor as a tombstone, so that sync replicas learn of the deletion.
    public func deleteActor(named name: String, in namespace: NamespaceName) async throws -> Bool {
        let now = A2ATimestamp.now
        return try await write { db in
            guard var record = try Self.loadEntities(db, namespace: namespace, where: "kind = ? AND name = ? AND NOT deleted", [EntityKinds.actor, name]).first
            else { return false }
            try Self.writeEntity(db, &record, revision: record.revision + 1, deleted: true, at: now)
            return true
        }
    }

    public func allNamespaces() async throws -> [Namespace] {
        try await read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT name, display_name, description, auth_mode, created_at, updated_at FROM namespaces ORDER BY name")
            return rows.compactMap { row in
                guard let name = NamespaceName(row[0]), let mode = Namespace.AuthMode(rawValue: row[3]) else { return nil }
                return Namespace(
                    name: name, displayName: row[1], description: row[2], authMode: mode,
                    createdAt: Self.timestamp(row[4]), updatedAt: Self.timestamp(row[5])
                )
            }
        }
    }

    /// Deletes a namespace; its entities, sync log and tasks cascade from it.
    public func deleteNamespace(named name: NamespaceName) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM sync_remote_entities WHERE namespace = ?", arguments: [name.rawValue])
            try db.execute(sql: "DELETE FROM sync_remotes WHERE namespace = ?", arguments: [name.rawValue])
            try db.execute(sql: "DELETE FROM namespaces WHERE name = ?", arguments: [name.rawValue])
            return db.changesCount == 1
        }
    }
}
