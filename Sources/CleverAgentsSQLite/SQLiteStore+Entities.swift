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
import GRDB

extension SQLiteStore: EntityStore {
    public func applySyncBatch(_ batch: SyncBatch, namespace: NamespaceName) async throws -> SyncPushResponse {
        let now = A2ATimestamp.now
        return try await write { db in
            try db.execute(
                sql: "DELETE FROM sync_batches WHERE namespace = ? AND created_at < ?",
                arguments: [namespace.rawValue, now.millisecondsSinceEpoch - SyncBatchRetention.seconds * 1000]
            )
            if let previous = try Row.fetchOne(
                db,
                sql: "SELECT fingerprint, response FROM sync_batches WHERE namespace = ? AND principal = ? AND batch_id = ?",
                arguments: [namespace.rawValue, batch.principal, batch.batchId]
            ) {
                guard (previous[0] as String) == batch.fingerprint else { throw SyncBatchError.batchIdReused(batch.batchId) }
                var response = try Self.decode(SyncPushResponse.self, previous[1])
                response.replayed = true
                return response
            }
            var results: [SyncItemResult] = []
            for item in batch.items {
                let key = EntityKey(kind: item.kind, name: item.name)
                let current = try Self.loadEntities(db, namespace: namespace, where: "kind = ? AND name = ?", [key.kind, key.name]).first
                switch SyncRules.decide(item, current: current) {
                case .write(let body, let deleted, let revision):
                    var record = current
                        ?? EntityRecord(namespace: namespace, kind: key.kind, name: key.name, body: body, revision: 0, deleted: false, syncSequence: 0, updatedAt: now)
                    record.body = body
                    try Self.writeEntity(db, &record, revision: revision, deleted: deleted, at: now)
                    results.append(SyncItemResult(kind: key.kind, name: key.name, status: .applied, revision: revision))
                case .unchanged:
                    results.append(SyncItemResult(kind: key.kind, name: key.name, status: .unchanged, revision: current?.revision ?? 0))
                case .conflict:
                    results.append(
                        SyncItemResult(kind: key.kind, name: key.name, status: .conflict, revision: current?.revision ?? 0, current: current?.syncEntity)
                    )
                }
            }
            let response = SyncPushResponse(batchId: batch.batchId, replayed: false, results: results, head: try Self.head(db, namespace))
            try db.execute(
                sql: "INSERT INTO sync_batches (namespace, principal, batch_id, fingerprint, response, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [namespace.rawValue, batch.principal, batch.batchId, batch.fingerprint, try Self.json(response), Self.millis(now)]
            )
            return response
        }
    }

    public func syncChanges(namespace: NamespaceName, after cursor: Int64, limit: Int) async throws -> SyncPullResponse {
        try await read { db in
            var records = try Self.loadEntities(db, namespace: namespace, where: "sync_seq > ? ORDER BY sync_seq LIMIT ?", [cursor, limit + 1])
            let hasMore = records.count > limit
            if hasMore { records.removeLast() }
            return SyncPullResponse(
                changes: records.map(\.syncEntity),
                nextCursor: records.last?.syncSequence ?? cursor,
                hasMore: hasMore,
                head: try Self.head(db, namespace)
            )
        }
    }

    public func syncStatus(namespace: NamespaceName) async throws -> SyncStatusResponse {
        try await read { db in
            var live = 0
            var tombstones = 0
            var kinds: [String: Int] = [:]
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT kind, deleted, count(*) FROM entities WHERE namespace = ? GROUP BY kind, deleted",
                arguments: [namespace.rawValue]
            )
            for row in rows {
                let count: Int = row[2]
                if row[1] as Bool {
                    tombstones += count
                } else {
                    live += count
                    kinds[row[0], default: 0] += count
                }
            }
            return SyncStatusResponse(head: try Self.head(db, namespace), entities: live, tombstones: tombstones, kinds: kinds)
        }
    }

    public func entity(namespace: NamespaceName, key: EntityKey) async throws -> EntityRecord? {
        try await read { db in
            try Self.loadEntities(db, namespace: namespace, where: "kind = ? AND name = ?", [key.kind, key.name]).first
        }
    }

    public func entities(namespace: NamespaceName) async throws -> [EntityRecord] {
        try await read { db in
            try Self.loadEntities(db, namespace: namespace, where: "1 ORDER BY kind, name", [])
        }
    }

    // MARK: Rows

    /// Stores a changed entity with the next sequence of its namespace's sync log, and logs it.
    /// SQLite has one writer at a time, so sequences follow commit order.
    static func writeEntity(_ db: Database, _ record: inout EntityRecord, revision: Int64, deleted: Bool, at now: A2ATimestamp) throws {
        try db.execute(
            sql: """
                INSERT INTO sync_heads (namespace, head_seq) VALUES (?, 1)
                ON CONFLICT (namespace) DO UPDATE SET head_seq = head_seq + 1
                """,
            arguments: [record.namespace.rawValue]
        )
        let sequence = try head(db, record.namespace)
        record.revision = revision
        record.deleted = deleted
        record.syncSequence = sequence
        record.updatedAt = now
        try db.execute(
            sql: """
                INSERT INTO entities (namespace, kind, name, body, revision, deleted, sync_seq, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (namespace, kind, name) DO UPDATE
                SET body = excluded.body, revision = excluded.revision, deleted = excluded.deleted,
                    sync_seq = excluded.sync_seq, updated_at = excluded.updated_at
                """,
            arguments: [
                record.namespace.rawValue, record.kind, record.name, try json(record.body), revision, deleted, sequence,
                millis(now), millis(now),
            ]
        )
        try db.execute(
            sql: "INSERT INTO sync_log (namespace, seq, kind, name, revision, deleted, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: [record.namespace.rawValue, sequence, record.kind, record.name, revision, deleted, millis(now)]
        )
    }

    static func head(_ db: Database, _ namespace: NamespaceName) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT head_seq FROM sync_heads WHERE namespace = ?", arguments: [namespace.rawValue]) ?? 0
    }

    /// Entities of the namespace matching `condition` (SQL after `AND`, with `?` arguments).
    static func loadEntities(_ db: Database, namespace: NamespaceName, where condition: String, _ arguments: [any DatabaseValueConvertible]) throws -> [EntityRecord] {
        let rows = try Row.fetchAll(
            db,
            sql: "SELECT kind, name, body, revision, deleted, sync_seq, updated_at FROM entities WHERE namespace = ? AND \(condition)",
            arguments: StatementArguments(([namespace.rawValue] + arguments).map { Optional($0) })
        )
        return try rows.map { row in
            EntityRecord(
                namespace: namespace, kind: row[0], name: row[1], body: try decode(JSONObject.self, row[2]), revision: row[3],
                deleted: row[4], syncSequence: row[5], updatedAt: timestamp(row[6])
            )
        }
    }
}

extension SQLiteStore: SyncReplicaStore {
    public func replicaState(remote: String, namespace: NamespaceName) async throws -> SyncReplicaState {
        try await read { db in
            let cursor = try Int64.fetchOne(
                db,
                sql: "SELECT pull_cursor FROM sync_remotes WHERE namespace = ? AND remote = ?",
                arguments: [namespace.rawValue, remote]
            ) ?? 0
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT kind, name, remote_revision, local_revision FROM sync_remote_entities WHERE namespace = ? AND remote = ?",
                arguments: [namespace.rawValue, remote]
            )
            var synced: [EntityKey: SyncedRevisions] = [:]
            for row in rows {
                synced[EntityKey(kind: row[0], name: row[1])] = SyncedRevisions(remote: row[2], local: row[3])
            }
            return SyncReplicaState(pullCursor: cursor, synced: synced)
        }
    }

    public func recordSynced(remote: String, namespace: NamespaceName, pairs: [EntityKey: SyncedRevisions], pullCursor: Int64?) async throws {
        try await write { db in
            for (key, revisions) in pairs {
                try db.execute(
                    sql: """
                        INSERT INTO sync_remote_entities (namespace, remote, kind, name, remote_revision, local_revision) VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT (namespace, remote, kind, name) DO UPDATE
                        SET remote_revision = excluded.remote_revision, local_revision = excluded.local_revision
                        """,
                    arguments: [namespace.rawValue, remote, key.kind, key.name, revisions.remote, revisions.local]
                )
            }
            if let pullCursor {
                try db.execute(
                    sql: """
                        INSERT INTO sync_remotes (namespace, remote, pull_cursor) VALUES (?, ?, ?)
                        ON CONFLICT (namespace, remote) DO UPDATE SET pull_cursor = excluded.pull_cursor
                        """,
                    arguments: [namespace.rawValue, remote, pullCursor]
                )
            }
        }
    }
}
