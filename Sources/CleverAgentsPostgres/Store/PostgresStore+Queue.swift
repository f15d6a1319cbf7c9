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

    /// Claims up to `limit` waiting tasks in one statement: `cleveragents_claim_tasks_v2`
    /// (migration 8) takes the claim lock, which serializes claims across replicas so that
    /// namespace caps hold exactly, then claims what each namespace has room for.
    public func claimTasks(owner: String, limit: Int, lease: Duration, defaultNamespaceLimit: Int) async throws -> [TaskRecord] {
        try await translatingErrors {
            let rows = try await client.query(
                PostgresQuery(
                    unsafeSQL: "SELECT * FROM cleveragents_claim_tasks_v2($1, $2, $3, $4, $5)",
                    binds: Self.claimBindings(defaultLimit: defaultNamespaceLimit, limit: limit, owner: owner, lease: lease, group: queueGroup)
                ),
                logger: logger
            )
            var claimed: [TaskRecord] = []
            for try await row in rows {
                claimed.append(try Self.decodeTask(row))
            }
            return claimed
        }
    }

    /// `cleveragents_lease_next_task` (migration 9).
    public func leaseNextTask(in namespace: NamespaceName, lease: TaskLeaseRequest) async throws -> TaskRecord? {
        try await translatingErrors {
            let rows = try await client.query(
                """
                SELECT * FROM cleveragents_lease_next_task(
                    \(namespace.rawValue), \(queueGroup), \(lease.defaultNamespaceLimit), \(lease.owner), \(Self.seconds(lease.duration))
                )
                """,
                logger: logger
            )
            var next: TaskRecord?
            for try await row in rows {
                next = try Self.decodeTask(row)
            }
            return next
        }
    }

    public func waitingTaskCount() async throws -> Int {
        try await translatingErrors {
            let rows = try await client.query(
                """
                SELECT count(*) FROM tasks
                WHERE queue_group = \(queueGroup) AND run_input IS NOT NULL
                  AND state IN ('TASK_STATE_SUBMITTED', 'TASK_STATE_WORKING')
                  AND (lease_expires_at IS NULL OR lease_expires_at <= now())
                """,
                logger: logger
            )
            return try await rows.collect().first?.decode(Int.self) ?? 0
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
