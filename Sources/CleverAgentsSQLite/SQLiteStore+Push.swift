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

extension SQLiteStore: PushConfigStore, PushOutbox {
    public func putPushConfig(_ config: PushConfigRecord, limit: Int) async throws {
        // One write transaction: SQLite serializes writers, so the count cannot go stale.
        try await write { db in
            let row = try Row.fetchOne(
                db,
                sql: "SELECT COUNT(*) AS total, COALESCE(SUM(id = ?), 0) AS same FROM push_configs WHERE namespace = ? AND task_id = ?",
                arguments: [config.id, config.namespace.rawValue, config.taskId]
            )
            let total: Int = row?["total"] ?? 0
            let same: Int = row?["same"] ?? 0
            guard same > 0 || total < limit else { throw PushConfigLimitExceeded(limit: limit) }
            try Self.insertPushConfig(db, config, replace: true)
        }
    }

    public func pushConfig(namespace: NamespaceName, taskId: String, id: String) async throws -> PushConfigRecord? {
        try await read { db in try Self.pushConfigs(db, namespace: namespace, taskId: taskId, id: id).first }
    }

    public func pushConfigs(namespace: NamespaceName, taskId: String) async throws -> [PushConfigRecord] {
        try await read { db in try Self.pushConfigs(db, namespace: namespace, taskId: taskId, id: nil) }
    }

    public func deletePushConfig(namespace: NamespaceName, taskId: String, id: String) async throws {
        try await write { db in
            try db.execute(
                sql: "DELETE FROM push_configs WHERE namespace = ? AND task_id = ? AND id = ?",
                arguments: [namespace.rawValue, taskId, id]
            )
        }
    }

    // MARK: Outbox

    public func claimDueDeliveries(limit: Int, lease: Duration) async throws -> [PushDelivery] {
        let now = A2ATimestamp.now.millisecondsSinceEpoch
        let leaseMilliseconds = lease.components.seconds * 1000 + lease.components.attoseconds / 1_000_000_000_000_000
        return try await write { db in
            let due = try Int64.fetchAll(
                db,
                sql: """
                    SELECT d.id FROM push_deliveries d
                    WHERE d.failed_at IS NULL AND d.next_attempt_at <= ?
                      AND NOT EXISTS (
                          SELECT 1 FROM push_deliveries e
                          WHERE e.namespace = d.namespace AND e.task_id = d.task_id AND e.config_id = d.config_id
                            AND e.failed_at IS NULL AND e.event_seq < d.event_seq
                      )
                    ORDER BY d.next_attempt_at, d.id
                    LIMIT ?
                    """,
                arguments: [now, limit]
            )
            var deliveries: [PushDelivery] = []
            for id in due {
                try db.execute(
                    sql: "UPDATE push_deliveries SET attempts = attempts + 1, next_attempt_at = ? WHERE id = ?",
                    arguments: [now + leaseMilliseconds, id]
                )
                guard let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT d.namespace, d.task_id, d.config_id, d.event_seq, d.attempts, e.payload
                        FROM push_deliveries d JOIN task_events e ON e.namespace = d.namespace AND e.task_id = d.task_id AND e.seq = d.event_seq
                        WHERE d.id = ?
                        """,
                    arguments: [id]
                ) else { continue }
                deliveries.append(
                    PushDelivery(
                        id: id, namespace: try Self.namespace(row[0]), taskId: row[1], configId: row[2], eventSequence: row[3],
                        event: try Self.decode(StreamResponse.self, row[5]), attempts: row[4]
                    )
                )
            }
            return deliveries
        }
    }

    public func completeDelivery(id: Int64) async throws {
        try await write { db in try db.execute(sql: "DELETE FROM push_deliveries WHERE id = ?", arguments: [id]) }
    }

    public func retryDelivery(id: Int64, after delay: Duration, error: String) async throws {
        let due = A2ATimestamp.now.millisecondsSinceEpoch + delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000
        try await write { db in
            try db.execute(sql: "UPDATE push_deliveries SET next_attempt_at = ?, last_error = ? WHERE id = ?", arguments: [due, error, id])
        }
    }

    public func abandonDelivery(id: Int64, error: String) async throws {
        let now = A2ATimestamp.now.millisecondsSinceEpoch
        try await write { db in
            try db.execute(sql: "UPDATE push_deliveries SET failed_at = ?, last_error = ? WHERE id = ?", arguments: [now, error, id])
        }
    }

    public func releaseDeliveries(ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        let now = A2ATimestamp.now.millisecondsSinceEpoch
        try await write { db in
            for id in ids {
                try db.execute(
                    sql: "UPDATE push_deliveries SET next_attempt_at = ?, attempts = max(attempts - 1, 0) WHERE id = ? AND failed_at IS NULL",
                    arguments: [now, id]
                )
            }
        }
    }

    // MARK: Rows

    static func insertPushConfig(_ db: Database, _ config: PushConfigRecord, replace: Bool) throws {
        let upsert = """
            ON CONFLICT (namespace, task_id, id) DO UPDATE
            SET url = excluded.url, token = excluded.token, auth_scheme = excluded.auth_scheme,
                credentials = excluded.credentials, owner = excluded.owner
            """
        try db.execute(
            sql: """
                INSERT INTO push_configs (namespace, task_id, id, url, token, auth_scheme, credentials, owner, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """ + (replace ? "\n" + upsert : ""),
            arguments: [
                config.namespace.rawValue, config.taskId, config.id, config.url, config.token, config.authenticationScheme,
                config.credentials?.sealed, config.owner, millis(config.createdAt),
            ]
        )
    }

    static func pushConfigs(_ db: Database, namespace: NamespaceName, taskId: String, id: String?) throws -> [PushConfigRecord] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT id, url, token, auth_scheme, credentials, owner, created_at FROM push_configs
                WHERE namespace = ? AND task_id = ? AND (? IS NULL OR id = ?)
                ORDER BY created_at, id
                """,
            arguments: [namespace.rawValue, taskId, id, id]
        ).map { row in
            PushConfigRecord(
                namespace: namespace, taskId: taskId, id: row[0], url: row[1], token: row[2], authenticationScheme: row[3],
                credentials: (row[4] as String?).map(SealedSecret.init(sealed:)), owner: row[5], createdAt: timestamp(row[6])
            )
        }
    }

    /// Queues `events` for every webhook of their task (part of the caller's transaction).
    static func queueDeliveries(_ db: Database, for events: [TaskEventRecord]) throws {
        guard let first = events.first else { return }
        let now = A2ATimestamp.now.millisecondsSinceEpoch
        for event in events {
            try db.execute(
                sql: """
                    INSERT INTO push_deliveries (namespace, task_id, config_id, event_seq, next_attempt_at, created_at)
                    SELECT namespace, task_id, id, ?, ?, ? FROM push_configs WHERE namespace = ? AND task_id = ?
                    ON CONFLICT DO NOTHING
                    """,
                arguments: [event.sequence, now, now, first.namespace.rawValue, first.taskId]
            )
        }
    }
}
