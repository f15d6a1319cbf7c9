//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsDomain
public import CleverAgentsRuntime
import Foundation
import PostgresNIO

extension PostgresStore: TaskQueue {
    /// The channel that tells replicas that queued work is free to claim (a lease was released).
    public static let taskQueueChannel = "cleveragents_task_queue"

    /// Serializes claims across replicas, so that namespace caps hold exactly; a claim is one
    /// short transaction: the lock, then one statement that claims and counts what still waits.
    /// (The lock must come before the statement: a statement sees the rows committed before it
    /// started, and a claim must see every earlier claim.)
    static let claimLockKey: Int64 = 0x4341_5155_4555  // "CAQUEU"

    public func claimTasks(owner: String, limit: Int, lease: Duration, defaultNamespaceLimit: Int) async throws -> TaskClaim {
        try await translatingErrors {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(Self.claimLockKey))", logger: logger)
                // Each namespace's n-th waiting task is ranked n: rank 1 of every namespace goes
                // before any rank 2 (fair shares), and a namespace stops at its cap of leased tasks.
                let rows = try await connection.query(
                    PostgresQuery(
                        unsafeSQL: """
                            WITH leased AS (
                                SELECT namespace, count(*) AS n FROM tasks
                                WHERE run_input IS NOT NULL AND lease_expires_at > now()
                                GROUP BY namespace
                            ), waiting AS (
                                SELECT namespace, id, queued_at,
                                       row_number() OVER (PARTITION BY namespace ORDER BY queued_at, id) AS rank
                                FROM tasks
                                WHERE run_input IS NOT NULL AND queue_group = $5
                                  AND state IN ('TASK_STATE_SUBMITTED', 'TASK_STATE_WORKING')
                                  AND (lease_expires_at IS NULL OR lease_expires_at <= now())
                            ), eligible AS (
                                SELECT w.namespace, w.id FROM waiting w
                                JOIN namespaces ns ON ns.name = w.namespace
                                LEFT JOIN leased l ON l.namespace = w.namespace
                                WHERE w.rank + coalesce(l.n, 0) <= coalesce(ns.max_running_tasks, $1)
                                ORDER BY w.rank, w.queued_at
                                LIMIT $2
                            ), locked AS (
                                SELECT t.namespace, t.id FROM tasks t
                                JOIN eligible e ON e.namespace = t.namespace AND e.id = t.id
                                FOR UPDATE OF t SKIP LOCKED
                            ), claimed AS (
                                UPDATE tasks t
                                SET lease_owner = $3, lease_expires_at = now() + make_interval(secs => $4)
                                FROM locked
                                WHERE t.namespace = locked.namespace AND t.id = locked.id
                                RETURNING \(Self.taskColumns.split(separator: ",").map { "t." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", "))
                            )
                            -- The claimed tasks, and how many wait still (at least one row, for the count).
                            SELECT c.*, (SELECT count(*) FROM waiting) - (SELECT count(*) FROM claimed)
                            FROM (SELECT 1) AS one LEFT JOIN claimed c ON true
                            """,
                        binds: Self.claimBindings(defaultLimit: defaultNamespaceLimit, limit: limit, owner: owner, lease: lease, group: queueGroup)
                    ),
                    logger: logger
                )
                var claimed: [TaskRecord] = []
                var waiting = 0
                for try await row in rows {
                    let columns = row.makeRandomAccess()
                    waiting = try columns[columns.count - 1].decode(Int.self)
                    if try columns[1].decode(String?.self) != nil {
                        claimed.append(try Self.decodeTask(row))
                    }
                }
                return TaskClaim(tasks: claimed, waiting: waiting)
            }
        }
    }

    public func renewLeases(owner: String, lease: Duration) async throws -> Set<TaskKey> {
        try await translatingErrors {
            let rows = try await client.query(
                """
                UPDATE tasks SET lease_expires_at = now() + make_interval(secs => \(Self.seconds(lease)))
                WHERE lease_owner = \(owner) AND run_input IS NOT NULL
                RETURNING namespace, id
                """,
                logger: logger
            )
            var held: Set<TaskKey> = []
            for try await (namespace, id) in rows.decode((String, String).self) {
                if let name = NamespaceName(namespace) { held.insert(TaskKey(namespace: name, id: id)) }
            }
            return held
        }
    }

    public func releaseLease(owner: String, task: TaskKey) async throws {
        try await translatingErrors {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query(
                    """
                    UPDATE tasks SET lease_owner = NULL, lease_expires_at = NULL
                    WHERE namespace = \(task.namespace.rawValue) AND id = \(task.id) AND lease_owner = \(owner)
                    """,
                    logger: logger
                )
                try await connection.query("SELECT pg_notify(\(Self.taskQueueChannel), '')", logger: logger)
            }
        }
    }

    public func releaseLeases(owner: String) async throws {
        try await translatingErrors {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query(
                    "UPDATE tasks SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner = \(owner)",
                    logger: logger
                )
                try await connection.query("SELECT pg_notify(\(Self.taskQueueChannel), '')", logger: logger)
            }
        }
    }

    public func setRunningLimit(_ limit: Int?, namespace: NamespaceName) async throws {
        try await translatingErrors {
            let rows = try await client.query(
                "UPDATE namespaces SET max_running_tasks = \(limit) WHERE name = \(namespace.rawValue) RETURNING 1",
                logger: logger
            )
            guard try await rows.collect().count == 1 else { throw ServiceError.namespaceNotFound(namespace.rawValue) }
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func claimBindings(defaultLimit: Int, limit: Int, owner: String, lease: Duration, group: String) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(defaultLimit)
        binds.append(limit)
        binds.append(owner)
        binds.append(seconds(lease))
        binds.append(group)
        return binds
    }
}
