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

extension PostgresStore: PushConfigStore, PushOutbox {
    public var queuedDeliveries: PushWakeSignal? { pushWake }

    /// The class of the advisory locks that serialize creating push configs per task (the
    /// two-key form: its own key space, apart from the one-key locks of migrations and claims).
    static let pushConfigLockClass: Int32 = 0x5043_4647  // "PCFG"

    public func putPushConfig(_ config: PushConfigRecord, limit: Int) async throws {
        try await translatingErrors {
            try await client.withTransaction(logger: logger) { connection in
                // Concurrent creations for one task queue on this lock; the statement after it takes
                // its snapshot once the lock is held, so it counts what the others committed.
                try await connection.query(
                    "SELECT pg_advisory_xact_lock(\(Self.pushConfigLockClass), hashtext(\(config.namespace.rawValue) || '/' || \(config.taskId)))",
                    logger: logger
                )
                let rows = try await connection.query(
                    """
                    INSERT INTO push_configs (namespace, task_id, id, url, token, auth_scheme, credentials, owner, created_at)
                    SELECT \(config.namespace.rawValue), \(config.taskId), \(config.id), \(config.url), \(config.token),
                           \(config.authenticationScheme), \(config.credentials?.sealed), \(config.owner), \(config.createdAt.date)
                    WHERE EXISTS (
                              SELECT 1 FROM push_configs
                              WHERE namespace = \(config.namespace.rawValue) AND task_id = \(config.taskId) AND id = \(config.id)
                          )
                       OR (SELECT count(*) FROM push_configs WHERE namespace = \(config.namespace.rawValue) AND task_id = \(config.taskId)) < \(limit)
                    ON CONFLICT (namespace, task_id, id) DO UPDATE
                    SET url = EXCLUDED.url, token = EXCLUDED.token, auth_scheme = EXCLUDED.auth_scheme,
                        credentials = EXCLUDED.credentials, owner = EXCLUDED.owner
                    RETURNING id
                    """,
                    logger: logger
                )
                guard try await rows.collect().count == 1 else { throw PushConfigLimitExceeded(limit: limit) }
            }
        }
    }

    public func pushConfig(namespace: NamespaceName, taskId: String, id: String) async throws -> PushConfigRecord? {
        try await translatingErrors {
            try await pushConfigs(namespace: namespace, taskId: taskId, id: id).first
        }
    }

    public func pushConfigs(namespace: NamespaceName, taskId: String) async throws -> [PushConfigRecord] {
        try await translatingErrors {
            try await pushConfigs(namespace: namespace, taskId: taskId, id: nil)
        }
    }

    private func pushConfigs(namespace: NamespaceName, taskId: String, id: String?) async throws -> [PushConfigRecord] {
        let rows = try await client.query(
            """
            SELECT id, url, token, auth_scheme, credentials, owner, created_at FROM push_configs
            WHERE namespace = \(namespace.rawValue) AND task_id = \(taskId) AND (\(id)::text IS NULL OR id = \(id))
            ORDER BY created_at, id
            """,
            logger: logger
        )
        var configs: [PushConfigRecord] = []
        for try await (id, url, token, scheme, credentials, owner, createdAt) in rows.decode((String, String, String?, String?, String?, String, Date).self) {
            configs.append(
                PushConfigRecord(
                    namespace: namespace, taskId: taskId, id: id, url: url, token: token, authenticationScheme: scheme,
                    credentials: credentials.map(SealedSecret.init(sealed:)), owner: owner, createdAt: A2ATimestamp(storedDate: createdAt)
                )
            )
        }
        return configs
    }

    public func deletePushConfig(namespace: NamespaceName, taskId: String, id: String) async throws {
        try await translatingErrors {
            try await client.query(
                "DELETE FROM push_configs WHERE namespace = \(namespace.rawValue) AND task_id = \(taskId) AND id = \(id)",
                logger: logger
            )
        }
    }

    // MARK: Outbox

    /// Claims due deliveries of tasks in this replica's queue group (`tasks.queueGroup`): the
    /// replicas that run a task deliver its notifications, under their own egress policy and
    /// secrets (a canary group with a stricter policy must not give up on another group's).
    public func claimDueDeliveries(limit: Int, lease: Duration) async throws -> [PushDelivery] {
        try await translatingErrors {
            let leaseMilliseconds = Int64(lease.components.seconds * 1000 + lease.components.attoseconds / 1_000_000_000_000_000)
            let rows = try await client.query(
                """
                WITH due AS (
                    SELECT d.id FROM push_deliveries d
                    WHERE d.failed_at IS NULL AND d.next_attempt_at <= now()
                      AND EXISTS (
                          SELECT 1 FROM tasks t
                          WHERE t.namespace = d.namespace AND t.id = d.task_id AND t.queue_group = \(queueGroup)
                      )
                      AND NOT EXISTS (
                          SELECT 1 FROM push_deliveries e
                          WHERE e.namespace = d.namespace AND e.task_id = d.task_id AND e.config_id = d.config_id
                            AND e.failed_at IS NULL AND e.event_seq < d.event_seq
                      )
                    ORDER BY d.next_attempt_at, d.id
                    LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED
                ), claimed AS (
                    UPDATE push_deliveries p
                    SET attempts = p.attempts + 1, next_attempt_at = now() + \(leaseMilliseconds) * interval '1 millisecond'
                    FROM due WHERE p.id = due.id
                    RETURNING p.id, p.namespace, p.task_id, p.config_id, p.event_seq, p.attempts
                )
                SELECT c.id, c.namespace, c.task_id, c.config_id, c.event_seq, c.attempts, e.payload
                FROM claimed c JOIN task_events e ON e.namespace = c.namespace AND e.task_id = c.task_id AND e.seq = c.event_seq
                ORDER BY c.id
                """,
                logger: logger
            )
            var deliveries: [PushDelivery] = []
            for try await (id, namespace, taskId, configId, sequence, attempts, payload) in rows.decode(
                (Int64, String, String, String, Int64, Int, JSONColumn<StreamResponse>).self
            ) {
                guard let name = NamespaceName(namespace) else { continue }
                deliveries.append(
                    PushDelivery(id: id, namespace: name, taskId: taskId, configId: configId, eventSequence: sequence, event: payload.value, attempts: attempts)
                )
            }
            return deliveries
        }
    }

    public func completeDelivery(id: Int64) async throws {
        try await translatingErrors {
            try await client.query("DELETE FROM push_deliveries WHERE id = \(id)", logger: logger)
        }
    }

    public func retryDelivery(id: Int64, after delay: Duration, error: String) async throws {
        try await translatingErrors {
            let milliseconds = Int64(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)
            try await client.query(
                """
                UPDATE push_deliveries SET next_attempt_at = now() + \(milliseconds) * interval '1 millisecond', last_error = \(error)
                WHERE id = \(id)
                """,
                logger: logger
            )
        }
    }

    public func abandonDelivery(id: Int64, error: String) async throws {
        try await translatingErrors {
            try await client.query("UPDATE push_deliveries SET failed_at = now(), last_error = \(error) WHERE id = \(id)", logger: logger)
        }
    }

    public func releaseDeliveries(ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        try await translatingErrors {
            try await client.query(
                """
                UPDATE push_deliveries SET next_attempt_at = now(), attempts = greatest(attempts - 1, 0)
                WHERE id = ANY(\(ids)) AND failed_at IS NULL
                """,
                logger: logger
            )
        }
    }
}
