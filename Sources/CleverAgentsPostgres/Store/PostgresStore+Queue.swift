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

    /// Claims up to `limit` waiting tasks in one statement: `cleveragents_claim_tasks` (migration
    /// 6) takes the claim lock, which serializes claims across replicas so that namespace caps
    /// hold exactly, then claims and counts what still waits.
    public func claimTasks(owner: String, limit: Int, lease: Duration, defaultNamespaceLimit: Int) async throws -> TaskClaim {
        try await translatingErrors {
            let rows = try await client.query(
                PostgresQuery(
                    unsafeSQL: "SELECT * FROM cleveragents_claim_tasks($1, $2, $3, $4, $5)",
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
