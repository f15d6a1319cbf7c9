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

/// A task to create, with its first events and push configs.
struct NewTask: Sendable {
    var task: TaskRecord
    var events: [TaskEventRecord]
    var pushConfigs: [PushConfigRecord]
}

extension PostgresStore: TaskStore {
    /// The channel that announces appended task events (``TaskEventNotice``).
    public static let taskEventsChannel = "cleveragents_task_events"

    static let taskColumns = """
        namespace, id, context_id, owner, actor, status, artifacts, history, metadata, thread_id::text,
        run_id, replied_with_message, version, last_event_seq, created_at, updated_at, run_input
        """

    public func createTask(_ task: TaskRecord, events: [TaskEventRecord], pushConfigs: [PushConfigRecord]) async throws {
        let new = NewTask(task: task, events: events, pushConfigs: pushConfigs)
        if let taskCreations {
            try await taskCreations.submit(new)
        } else {
            try await createTasks([new])
        }
    }

    /// Creates tasks in one transaction (the group commit of concurrent `createTask` calls).
    func createTasks(_ tasks: [NewTask]) async throws {
        try await translatingErrors {
            try await client.withTransaction(logger: logger) { connection in
                for new in tasks {
                    try await insertTask(new.task, events: new.events, pushConfigs: new.pushConfigs, on: connection)
                }
            }
        }
    }

    private func insertTask(_ task: TaskRecord, events: [TaskEventRecord], pushConfigs: [PushConfigRecord], on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO contexts (namespace, owner, context_id, thread_id, created_at)
            VALUES (\(task.namespace.rawValue), \(task.owner), \(task.contextId), \(task.threadID)::uuid, \(task.createdAt.date))
            ON CONFLICT DO NOTHING
            """,
            logger: logger
        )
        try await connection.query(
            """
            INSERT INTO tasks (namespace, id, context_id, owner, actor, state, status, artifacts, history, metadata,
                               thread_id, run_id, replied_with_message, version, last_event_seq, status_at, created_at, updated_at,
                               run_input, queued_at, queue_group)
            VALUES (\(task.namespace.rawValue), \(task.id), \(task.contextId), \(task.owner), \(task.actorName),
                    \(task.state.rawValue), \(JSONColumn(task.status)), \(JSONColumn(task.artifacts)), \(JSONColumn(task.history)),
                    \(task.metadata.map(JSONColumn.init)), \(task.threadID)::uuid, \(task.runID), \(task.repliedWithMessage),
                    \(task.version), \(task.lastEventSequence), \(Self.statusDate(task)), \(task.createdAt.date), \(task.updatedAt.date),
                    \(task.runInput.map(JSONColumn.init)), \(task.runInput == nil ? nil : Date()), \(queueGroup))
            """,
            logger: logger
        )
        for config in pushConfigs {
            try await connection.query(
                """
                INSERT INTO push_configs (namespace, task_id, id, url, token, auth_scheme, credentials, owner, created_at)
                VALUES (\(config.namespace.rawValue), \(config.taskId), \(config.id), \(config.url), \(config.token),
                        \(config.authenticationScheme), \(config.credentials?.sealed), \(config.owner), \(config.createdAt.date))
                """,
                logger: logger
            )
        }
        try await appendEvents(events, on: connection)
    }

    public func updateTask(_ task: TaskRecord, expectedVersion: Int64, appending events: [TaskEventRecord]) async throws {
        try await translatingErrors {
            try await client.withTransaction(logger: logger) { connection in
                let rows = try await connection.query(
                    """
                    UPDATE tasks
                    SET state = \(task.state.rawValue), status = \(JSONColumn(task.status)), artifacts = \(JSONColumn(task.artifacts)),
                        history = \(JSONColumn(task.history)), metadata = \(task.metadata.map(JSONColumn.init)),
                        run_id = \(task.runID), replied_with_message = \(task.repliedWithMessage), version = \(task.version),
                        last_event_seq = \(task.lastEventSequence), status_at = \(Self.statusDate(task)), updated_at = \(task.updatedAt.date),
                        run_input = \(task.runInput.map(JSONColumn.init)),
                        -- A run queued anew (a follow-up message) waits from now; a run that ended frees its lease.
                        queued_at = CASE WHEN run_input IS NULL THEN \(task.runInput == nil ? nil : Date()) ELSE queued_at END,
                        lease_owner = CASE WHEN \(task.runInput == nil) THEN NULL ELSE lease_owner END,
                        lease_expires_at = CASE WHEN \(task.runInput == nil) THEN NULL ELSE lease_expires_at END
                    WHERE namespace = \(task.namespace.rawValue) AND id = \(task.id) AND version = \(expectedVersion)
                    RETURNING 1
                    """,
                    logger: logger
                )
                guard try await rows.collect().count == 1 else { throw StoreError.conflict }
                try await appendEvents(events, on: connection)
            }
        }
    }

    public func task(namespace: NamespaceName, id: String) async throws -> TaskRecord? {
        try await translatingErrors {
            let rows = try await client.query(
                PostgresQuery(
                    unsafeSQL: "SELECT \(Self.taskColumns) FROM tasks WHERE namespace = $1 AND id = $2",
                    binds: Self.bindings(namespace.rawValue, id)
                ),
                logger: logger
            )
            for try await row in rows {
                return try Self.decodeTask(row)
            }
            return nil
        }
    }

    public func events(namespace: NamespaceName, taskId: String, afterSequence: Int64) async throws -> [TaskEventRecord] {
        try await translatingErrors {
            let rows = try await client.query(
                """
                SELECT seq, payload FROM task_events
                WHERE namespace = \(namespace.rawValue) AND task_id = \(taskId) AND seq > \(afterSequence)
                ORDER BY seq
                """,
                logger: logger
            )
            var events: [TaskEventRecord] = []
            for try await (sequence, payload) in rows.decode((Int64, JSONColumn<StreamResponse>).self) {
                events.append(TaskEventRecord(namespace: namespace, taskId: taskId, sequence: sequence, event: payload.value))
            }
            return events
        }
    }

    public func listTasks(namespace: NamespaceName, query: TaskQuery) async throws -> TaskPage {
        try await translatingErrors {
            var conditions = ["namespace = $1"]
            var binds = PostgresBindings()
            binds.append(namespace.rawValue)
            if let owner = query.owner {
                binds.append(owner)
                conditions.append("owner = $\(binds.count)")
            }
            if let contextId = query.contextId {
                binds.append(contextId)
                conditions.append("context_id = $\(binds.count)")
            }
            if let state = query.state {
                binds.append(state.rawValue)
                conditions.append("state = $\(binds.count)")
            }
            if let after = query.statusTimestampAfter {
                binds.append(after.date)
                conditions.append("status_at > $\(binds.count)")
            }
            let filter = conditions.joined(separator: " AND ")
            let countBinds = binds
            var pageConditions = filter
            if let cursor = query.after {
                binds.append(cursor.statusTimestamp.date)
                let timeIndex = binds.count
                binds.append(cursor.id)
                pageConditions += " AND (status_at, id) < ($\(timeIndex), $\(binds.count))"
            }
            binds.append(query.pageSize + 1)
            let rows = try await client.query(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT \(Self.taskColumns) FROM tasks WHERE \(pageConditions)
                        ORDER BY status_at DESC, id DESC LIMIT $\(binds.count)
                        """,
                    binds: binds
                ),
                logger: logger
            )
            var tasks: [TaskRecord] = []
            for try await row in rows {
                tasks.append(try Self.decodeTask(row))
            }
            let hasMore = tasks.count > query.pageSize
            if hasMore { tasks.removeLast() }
            let total = try await client.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM tasks WHERE \(filter)", binds: countBinds), logger: logger)
                .collect().first?.decode(Int.self) ?? 0
            return TaskPage(tasks: tasks, totalSize: total, hasMore: hasMore)
        }
    }

    /// Appends a task's new events in one statement: the rows, a push delivery per event and
    /// push configuration of the task, and the notice to other replicas (sent at commit). One
    /// round trip instead of one per event, delivery and notice: a round trip costs more of the
    /// server's CPU than the statements themselves cost PostgreSQL. (PostgreSQL runs a
    /// data-modifying `WITH` part to completion whether or not the main query reads it.)
    private func appendEvents(_ events: [TaskEventRecord], on connection: PostgresConnection) async throws {
        guard let last = events.last else { return }
        let notice = TaskEventNotice(task: TaskKey(namespace: last.namespace, id: last.taskId), sequence: last.sequence, origin: instanceID)
        let encoder = JSONEncoder()
        let payloads = try events.map { String(decoding: try encoder.encode($0.event), as: UTF8.self) }
        try await connection.query(
            """
            WITH inserted AS (
                INSERT INTO task_events (namespace, task_id, seq, payload, created_at)
                SELECT \(last.namespace.rawValue), \(last.taskId), e.seq, e.payload::jsonb, \(Date())
                FROM unnest(\(events.map(\.sequence))::bigint[], \(payloads)::text[]) AS e(seq, payload)
                RETURNING seq
            ), queued AS (
                INSERT INTO push_deliveries (namespace, task_id, config_id, event_seq, next_attempt_at, created_at)
                SELECT c.namespace, c.task_id, c.id, i.seq, now(), now()
                FROM push_configs c, inserted i
                WHERE c.namespace = \(last.namespace.rawValue) AND c.task_id = \(last.taskId)
                ON CONFLICT DO NOTHING
            )
            SELECT pg_notify(\(Self.taskEventsChannel), \(notice.payload))
            """,
            logger: logger
        ).collect()
    }

    static func statusDate(_ task: TaskRecord) -> Date {
        (task.status.timestamp ?? task.updatedAt).date
    }

    static func bindings(_ values: String...) -> PostgresBindings {
        var binds = PostgresBindings()
        for value in values { binds.append(value) }
        return binds
    }

    static func decodeTask(_ row: PostgresRow) throws -> TaskRecord {
        let columns = row.makeRandomAccess()
        let rawNamespace = try columns[0].decode(String.self)
        guard let namespace = NamespaceName(rawNamespace) else {
            throw StoreError.unavailable("stored task has an invalid namespace '\(rawNamespace)'")
        }
        return TaskRecord(
            namespace: namespace,
            id: try columns[1].decode(String.self),
            contextId: try columns[2].decode(String.self),
            owner: try columns[3].decode(String.self),
            actorName: try columns[4].decode(String.self),
            status: try columns[5].decode(JSONColumn<TaskStatus>.self).value,
            artifacts: try columns[6].decode(JSONColumn<[Artifact]>.self).value,
            history: try columns[7].decode(JSONColumn<[Message]>.self).value,
            metadata: try columns[8].decode(JSONColumn<JSONObject>?.self)?.value,
            threadID: try columns[9].decode(String.self),
            runID: try columns[10].decode(String?.self),
            repliedWithMessage: try columns[11].decode(Bool.self),
            version: try columns[12].decode(Int64.self),
            lastEventSequence: try columns[13].decode(Int64.self),
            createdAt: A2ATimestamp(storedDate: try columns[14].decode(Date.self)),
            updatedAt: A2ATimestamp(storedDate: try columns[15].decode(Date.self)),
            runInput: try columns[16].decode(JSONColumn<TaskRunInput>?.self)?.value
        )
    }
}
