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

    /// Claims up to `limit` waiting tasks in one statement: `cleveragents_claim_tasks_v3`
    /// (migration 10) takes, for each namespace in turn, free places of its cap and as many of
    /// its oldest waiting tasks, both locked and skipping what another replica holds.
    public func claimTasks(owner: String, limit: Int, lease: Duration, defaultNamespaceLimit: Int) async throws -> [TaskRecord] {
        try await translatingErrors {
            let rows = try await client.query(
                PostgresQuery(
                    unsafeSQL: "SELECT * FROM cleveragents_claim_tasks_v3($1, $2, $3, $4, $5)",
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

    /// ``LeaseNextTaskStatement``; in a namespace whose places are not all made yet,
    /// `cleveragents_lease_next_task_v3` (migration 11), which makes them.
    public func leaseNextTask(in namespace: NamespaceName, lease: TaskLeaseRequest) async throws -> TaskRecord? {
        try await translatingErrors {
            let statement = LeaseNextTaskStatement(namespace: namespace, queueGroup: queueGroup, lease: lease)
            switch try await Self.first(of: client.execute(statement, logger: logger)) {
            case .leased(let task): return task
            case nil: return nil
            case .needsPlaces:
                return try await Self.first(of: client.execute(LeaseNextTaskFunctionStatement(next: statement), logger: logger))
            }
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

    /// Renews the leases `owner` holds with their places (tasks first, then places, as every
    /// statement that changes both). A lease whose place another task took (it ran out first) is
    /// not renewed: it runs out, and the worker stops that run.
    public func renewLeases(owner: String, lease: Duration) async throws -> Set<TaskKey> {
        try await translatingErrors {
            let rows = try await client.query(
                """
                WITH renewed AS (
                    UPDATE tasks t SET lease_expires_at = now() + make_interval(secs => \(Self.seconds(lease)))
                    WHERE t.lease_owner = \(owner) AND t.run_input IS NOT NULL AND (
                        t.lease_slot IS NULL OR EXISTS (
                            SELECT 1 FROM task_slots s WHERE s.namespace = t.namespace AND s.slot = t.lease_slot AND s.task_id = t.id
                        )
                    )
                    RETURNING t.namespace, t.id, t.lease_slot, t.lease_expires_at
                ), placed AS (
                    UPDATE task_slots s SET lease_expires_at = r.lease_expires_at
                    FROM renewed r
                    WHERE s.namespace = r.namespace AND s.slot = r.lease_slot AND s.task_id = r.id
                )
                SELECT namespace, id FROM renewed
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
                    Self.releasing(where: "namespace = $1 AND id = $2 AND lease_owner = $3", binds: Self.bindings(task.namespace.rawValue, task.id, owner)),
                    logger: logger
                )
                try await connection.query("SELECT pg_notify(\(Self.taskQueueChannel), '')", logger: logger)
            }
        }
    }

    public func releaseLeases(owner: String) async throws {
        try await translatingErrors {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query(Self.releasing(where: "lease_owner = $1", binds: Self.bindings(owner)), logger: logger)
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

    /// Gives back the leases of the tasks that `condition` selects, and frees their places.
    static func releasing(where condition: String, binds: PostgresBindings) -> PostgresQuery {
        PostgresQuery(
            unsafeSQL: """
                WITH released AS (
                    UPDATE tasks SET lease_owner = NULL, lease_expires_at = NULL WHERE \(condition)
                    RETURNING namespace, id, lease_slot
                )
                UPDATE task_slots s SET task_id = NULL, lease_expires_at = NULL
                FROM released r
                WHERE s.namespace = r.namespace AND s.slot = r.lease_slot AND s.task_id = r.id
                """,
            binds: binds
        )
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
