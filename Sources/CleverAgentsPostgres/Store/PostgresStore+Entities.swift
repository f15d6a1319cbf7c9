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
import PostgresNIO

extension PostgresStore: EntityStore {
    static let entityColumns = "kind, name, body, revision, deleted, sync_seq, updated_at"

    public func applySyncBatch(_ batch: SyncBatch, namespace: NamespaceName) async throws -> SyncPushResponse {
        try await translatingErrors {
            try await client.withTransaction(logger: logger) { connection in
                // The head's row lock orders this namespace's entity writers: sequences follow commit order.
                var head = try await lockSyncHead(namespace, on: connection)
                try await connection.query(
                    """
                    DELETE FROM sync_batches
                    WHERE namespace = \(namespace.rawValue) AND created_at < now() - \(SyncBatchRetention.seconds) * interval '1 second'
                    """,
                    logger: logger
                )
                let previous = try await connection.query(
                    """
                    SELECT fingerprint, response FROM sync_batches
                    WHERE namespace = \(namespace.rawValue) AND principal = \(batch.principal) AND batch_id = \(batch.batchId)
                    """,
                    logger: logger
                )
                for try await (fingerprint, response) in previous.decode((String, JSONColumn<SyncPushResponse>).self) {
                    guard fingerprint == batch.fingerprint else { throw SyncBatchError.batchIdReused(batch.batchId) }
                    var replayed = response.value
                    replayed.replayed = true
                    return replayed
                }
                var current = try await loadEntities(namespace, keys: batch.items.map { EntityKey(kind: $0.kind, name: $0.name) }, on: connection)
                let now = Date()
                var results: [SyncItemResult] = []
                var writes: [EntityRecord] = []
                for item in batch.items {
                    let key = EntityKey(kind: item.kind, name: item.name)
                    let stored = current[key]
                    switch SyncRules.decide(item, current: stored) {
                    case .write(let body, let deleted, let revision):
                        head += 1
                        let record = EntityRecord(
                            namespace: namespace, kind: key.kind, name: key.name, body: body, revision: revision, deleted: deleted,
                            syncSequence: head, updatedAt: A2ATimestamp(storedDate: now)
                        )
                        current[key] = record
                        writes.append(record)
                        results.append(SyncItemResult(kind: key.kind, name: key.name, status: .applied, revision: revision))
                    case .unchanged:
                        results.append(SyncItemResult(kind: key.kind, name: key.name, status: .unchanged, revision: stored?.revision ?? 0))
                    case .conflict:
                        results.append(
                            SyncItemResult(kind: key.kind, name: key.name, status: .conflict, revision: stored?.revision ?? 0, current: stored?.syncEntity)
                        )
                    }
                }
                try await writeEntities(writes, namespace: namespace, at: now, on: connection)
                try await storeSyncHead(namespace, head, on: connection)
                let response = SyncPushResponse(batchId: batch.batchId, replayed: false, results: results, head: head)
                try await connection.query(
                    """
                    INSERT INTO sync_batches (namespace, principal, batch_id, fingerprint, response, created_at)
                    VALUES (\(namespace.rawValue), \(batch.principal), \(batch.batchId), \(batch.fingerprint), \(JSONColumn(response)), \(now))
                    """,
                    logger: logger
                )
                return response
            }
        }
    }

    public func syncChanges(namespace: NamespaceName, after cursor: Int64, limit: Int) async throws -> SyncPullResponse {
        try await translatingErrors {
            let rows = try await client.query(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT \(Self.entityColumns) FROM entities
                        WHERE namespace = $1 AND sync_seq > $2 ORDER BY sync_seq LIMIT $3
                        """,
                    binds: {
                        var binds = PostgresBindings()
                        binds.append(namespace.rawValue)
                        binds.append(cursor)
                        binds.append(limit + 1)
                        return binds
                    }()
                ),
                logger: logger
            )
            var records: [EntityRecord] = []
            for try await row in rows {
                records.append(try Self.decodeEntity(row, namespace: namespace))
            }
            let hasMore = records.count > limit
            if hasMore { records.removeLast() }
            let head = try await syncHead(namespace)
            return SyncPullResponse(changes: records.map(\.syncEntity), nextCursor: records.last?.syncSequence ?? cursor, hasMore: hasMore, head: head)
        }
    }

    public func syncStatus(namespace: NamespaceName) async throws -> SyncStatusResponse {
        try await translatingErrors {
            let rows = try await client.query(
                "SELECT kind, deleted, count(*) FROM entities WHERE namespace = \(namespace.rawValue) GROUP BY kind, deleted",
                logger: logger
            )
            var live = 0
            var tombstones = 0
            var kinds: [String: Int] = [:]
            for try await (kind, deleted, count) in rows.decode((String, Bool, Int).self) {
                if deleted {
                    tombstones += count
                } else {
                    live += count
                    kinds[kind, default: 0] += count
                }
            }
            return SyncStatusResponse(head: try await syncHead(namespace), entities: live, tombstones: tombstones, kinds: kinds)
        }
    }

    public func entity(namespace: NamespaceName, key: EntityKey) async throws -> EntityRecord? {
        try await translatingErrors {
            try await client.withConnection { connection in
                try await loadEntities(namespace, keys: [key], on: connection)[key]
            }
        }
    }

    public func entities(namespace: NamespaceName) async throws -> [EntityRecord] {
        try await translatingErrors {
            let rows = try await client.query(
                PostgresQuery(
                    unsafeSQL: "SELECT \(Self.entityColumns) FROM entities WHERE namespace = $1 ORDER BY kind, name",
                    binds: Self.bindings(namespace.rawValue)
                ),
                logger: logger
            )
            var records: [EntityRecord] = []
            for try await row in rows {
                records.append(try Self.decodeEntity(row, namespace: namespace))
            }
            return records
        }
    }

    // MARK: Sync log

    /// Stores changed entities and logs them, in two statements whatever their number.
    func writeEntities(_ records: [EntityRecord], namespace: NamespaceName, at now: Date, on connection: PostgresConnection) async throws {
        guard !records.isEmpty else { return }
        let encoder = JSONEncoder()
        let bodies = try records.map { String(decoding: try encoder.encode($0.body), as: UTF8.self) }
        var binds = PostgresBindings()
        binds.append(namespace.rawValue)
        binds.append(records.map(\.kind))
        binds.append(records.map(\.name))
        binds.append(bodies)
        binds.append(records.map(\.revision))
        binds.append(records.map(\.deleted))
        binds.append(records.map(\.syncSequence))
        binds.append(now)
        try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO entities (namespace, kind, name, body, revision, deleted, sync_seq, created_at, updated_at)
                    SELECT $1, t.kind, t.name, t.body::jsonb, t.revision, t.deleted, t.seq, $8, $8
                    FROM unnest($2::text[], $3::text[], $4::text[], $5::int8[], $6::bool[], $7::int8[]) AS t(kind, name, body, revision, deleted, seq)
                    ON CONFLICT (namespace, kind, name) DO UPDATE
                    SET body = EXCLUDED.body, revision = EXCLUDED.revision, deleted = EXCLUDED.deleted,
                        sync_seq = EXCLUDED.sync_seq, updated_at = EXCLUDED.updated_at
                    """,
                binds: binds
            ),
            logger: logger
        )
        var logBinds = PostgresBindings()
        logBinds.append(namespace.rawValue)
        logBinds.append(records.map(\.syncSequence))
        logBinds.append(records.map(\.kind))
        logBinds.append(records.map(\.name))
        logBinds.append(records.map(\.revision))
        logBinds.append(records.map(\.deleted))
        logBinds.append(now)
        try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO sync_log (namespace, seq, kind, name, revision, deleted, changed_at)
                    SELECT $1, t.seq, t.kind, t.name, t.revision, t.deleted, $7
                    FROM unnest($2::int8[], $3::text[], $4::text[], $5::int8[], $6::bool[]) AS t(seq, kind, name, revision, deleted)
                    """,
                binds: logBinds
            ),
            logger: logger
        )
    }

    /// Locks the namespace's sync head until the transaction ends and returns it.
    func lockSyncHead(_ namespace: NamespaceName, on connection: PostgresConnection) async throws -> Int64 {
        let rows = try await connection.query(
            """
            INSERT INTO sync_heads (namespace, head_seq) VALUES (\(namespace.rawValue), 0)
            ON CONFLICT (namespace) DO UPDATE SET head_seq = sync_heads.head_seq
            RETURNING head_seq
            """,
            logger: logger
        )
        return try await rows.collect().first?.decode(Int64.self) ?? 0
    }

    func storeSyncHead(_ namespace: NamespaceName, _ head: Int64, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE sync_heads SET head_seq = \(head) WHERE namespace = \(namespace.rawValue)", logger: logger)
    }

    func appendSyncLog(
        namespace: NamespaceName,
        sequence: Int64,
        key: EntityKey,
        revision: Int64,
        deleted: Bool,
        at date: Date,
        on connection: PostgresConnection
    ) async throws {
        try await connection.query(
            """
            INSERT INTO sync_log (namespace, seq, kind, name, revision, deleted, changed_at)
            VALUES (\(namespace.rawValue), \(sequence), \(key.kind), \(key.name), \(revision), \(deleted), \(date))
            """,
            logger: logger
        )
    }

    private func syncHead(_ namespace: NamespaceName) async throws -> Int64 {
        let rows = try await client.query("SELECT head_seq FROM sync_heads WHERE namespace = \(namespace.rawValue)", logger: logger)
        return try await rows.collect().first?.decode(Int64.self) ?? 0
    }

    private func loadEntities(_ namespace: NamespaceName, keys: [EntityKey], on connection: PostgresConnection) async throws -> [EntityKey: EntityRecord] {
        guard !keys.isEmpty else { return [:] }
        var binds = PostgresBindings()
        binds.append(namespace.rawValue)
        binds.append(keys.map(\.kind))
        binds.append(keys.map(\.name))
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT \(Self.entityColumns) FROM entities
                    WHERE namespace = $1 AND (kind, name) IN (SELECT * FROM unnest($2::text[], $3::text[]))
                    """,
                binds: binds
            ),
            logger: logger
        )
        var records: [EntityKey: EntityRecord] = [:]
        for try await row in rows {
            let record = try Self.decodeEntity(row, namespace: namespace)
            records[record.key] = record
        }
        return records
    }

    static func decodeEntity(_ row: PostgresRow, namespace: NamespaceName) throws -> EntityRecord {
        let (kind, name, body, revision, deleted, sequence, updatedAt) = try row.decode((String, String, JSONColumn<JSONObject>, Int64, Bool, Int64, Date).self)
        return EntityRecord(
            namespace: namespace, kind: kind, name: name, body: body.value, revision: revision, deleted: deleted,
            syncSequence: sequence, updatedAt: A2ATimestamp(storedDate: updatedAt)
        )
    }
}
