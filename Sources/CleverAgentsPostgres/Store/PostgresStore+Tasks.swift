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

/// A task to create, with its first events and push configs, and the lease asked for it.
struct NewTask: Sendable {
    var task: TaskRecord
    var events: [TaskEventRecord]
    var pushConfigs: [PushConfigRecord]
    var lease: TaskLeaseRequest? = nil
}

/// A task update to write: the new state, the version it replaces, the parts of the document it
/// leaves as they are, and its events.
struct TaskUpdateWrite: Sendable {
    var task: TaskRecord
    var expectedVersion: Int64
    var unchanged: TaskDocumentParts
    var events: [TaskEventRecord]
}

extension PostgresStore: TaskStore {
    /// The channel that announces appended task events (``TaskEventNotice``).
    public static let taskEventsChannel = "cleveragents_task_events"

    static let taskColumns = """
        namespace, id, context_id, owner, actor, status, artifacts, history, metadata, thread_id::text,
        run_id, replied_with_message, version, last_event_seq, created_at, updated_at, run_input
        """

    public func createTask(_ task: TaskRecord, events: [TaskEventRecord], pushConfigs: [PushConfigRecord]) async throws {
        try await create(NewTask(task: task, events: events, pushConfigs: pushConfigs))
    }

    public func createTask(_ task: TaskRecord, events: [TaskEventRecord], pushConfigs: [PushConfigRecord], lease: TaskLeaseRequest) async throws -> Bool {
        try await create(NewTask(task: task, events: events, pushConfigs: pushConfigs, lease: lease))
    }

    @discardableResult
    private func create(_ new: NewTask) async throws -> Bool {
        if let taskCreations {
            return try await taskCreations.submit(new)
        }
        return try await createTasks([new])[0]
    }

    /// Creates tasks and tells, for each, whether it was leased. A task without push configs is
    /// one statement, atomic on its own: a lone one needs no transaction (one round trip instead
    /// of five; a round trip costs the server more CPU than the statement costs PostgreSQL).
    /// Several (the group commit of concurrent `createTask` calls) share one transaction.
    func createTasks(_ tasks: [NewTask]) async throws -> [Bool] {
        try await translatingErrors {
            if tasks.count == 1, let new = tasks.first, new.pushConfigs.isEmpty {
                return [try await insert(new.task, events: new.events, lease: new.lease, on: nil)]
            }
            // In namespace order, so that two group writes lock their namespaces' places in the
            // same order.
            let order = tasks.indices.sorted { tasks[$0].task.namespace.rawValue < tasks[$1].task.namespace.rawValue }
            let leased = try await client.withTransaction(logger: logger) { connection in
                var leased = [Bool](repeating: false, count: tasks.count)
                for index in order {
                    let new = tasks[index]
                    guard !new.pushConfigs.isEmpty else {
                        leased[index] = try await insert(new.task, events: new.events, lease: new.lease, on: connection)
                        continue
                    }
                    // The events queue deliveries for the configs, which one statement could
                    // not see (all its parts share one snapshot): configs first, events last.
                    leased[index] = try await insert(new.task, events: [], lease: new.lease, on: connection)
                    for config in new.pushConfigs {
                        try await connection.query(
                            """
                            INSERT INTO push_configs (namespace, task_id, id, url, token, auth_scheme, credentials, owner, created_at)
                            VALUES (\(config.namespace.rawValue), \(config.taskId), \(config.id), \(config.url), \(config.token),
                                    \(config.authenticationScheme), \(config.credentials?.sealed), \(config.owner), \(config.createdAt.date))
                            """,
                            logger: logger
                        )
                    }
                    _ = try await connection.query(try appendEventsStatement(new.events), logger: logger).collect()
                }
                return leased
            }
            if tasks.contains(where: { !$0.pushConfigs.isEmpty && !$0.events.isEmpty }) {
                pushWake.signal()
            }
            return leased
        }
    }

    /// Whether `new` is stored as it was submitted and, if so, whether it is leased as asked
    /// (after a group write that failed but may have committed).
    func storedLease(of new: NewTask) async -> Bool? {
        guard let stored = try? await task(namespace: new.task.namespace, id: new.task.id), stored == new.task else { return nil }
        guard let owner = new.lease?.owner else { return false }
        let rows = try? await client.query(
            "SELECT lease_owner FROM tasks WHERE namespace = \(new.task.namespace.rawValue) AND id = \(new.task.id)",
            logger: logger
        ).collect()
        return (try? rows?.first?.decode(String?.self)) == owner
    }

    /// Inserts a task with its first events (``InsertTaskStatement``); returns whether it is leased.
    private func insert(_ task: TaskRecord, events: [TaskEventRecord], lease: TaskLeaseRequest?, on connection: PostgresConnection?) async throws -> Bool {
        let statement = InsertTaskStatement(task: task, events: try EventBinds(events, origin: instanceID), queueGroup: queueGroup, lease: lease)
        let leased: Bool?
        if let connection {
            leased = try await Self.first(of: connection.execute(statement, logger: logger))
        } else {
            leased = try await Self.first(of: client.execute(statement, logger: logger))
        }
        guard let leased else { throw StoreError.unavailable("a task insert returned no row") }
        return leased
    }

    /// Updates a task if it still has `expectedVersion` and appends its new events, in one
    /// statement: atomic on its own, so no transaction, and one round trip instead of four.
    public func updateTask(_ task: TaskRecord, expectedVersion: Int64, appending events: [TaskEventRecord]) async throws {
        try await updateTask(task, expectedVersion: expectedVersion, appending: events, unchanged: [])
    }

    /// Unchanged parts are not written (PostgreSQL keeps their stored values: a large one stays
    /// where it is, out of line), nor encoded here. Concurrent updates of different tasks share
    /// one statement and one commit (``updateTasks(_:)``).
    public func updateTask(_ task: TaskRecord, expectedVersion: Int64, appending events: [TaskEventRecord], unchanged: TaskDocumentParts) async throws {
        let update = TaskUpdateWrite(task: task, expectedVersion: expectedVersion, unchanged: unchanged, events: events)
        let updated: Bool
        if let taskUpdates {
            updated = try await taskUpdates.submit(update)
        } else {
            updated = try await updateTasks([update])[0]
        }
        guard updated else { throw StoreError.conflict }
    }

    /// Updates tasks if each still has its expected version and appends their events; tells, for
    /// each, whether it was updated. One update is ``UpdateTaskStatement``, several are
    /// ``UpdateTasksStatement``: atomic on their own, so no transaction, and one round trip.
    func updateTasks(_ updates: [TaskUpdateWrite]) async throws -> [Bool] {
        try await translatingErrors {
            if updates.count == 1, let update = updates.first {
                let statement = UpdateTaskStatement(
                    task: update.task,
                    expectedVersion: update.expectedVersion,
                    unchanged: update.unchanged,
                    events: try EventBinds(update.events, origin: instanceID)
                )
                guard let queued = try await Self.first(of: client.execute(statement, logger: logger)) else { return [false] }
                if queued > 0 { pushWake.signal() }
                return [true]
            }
            var updated = [Bool](repeating: false, count: updates.count)
            var queued = 0
            for try await row in try await client.execute(UpdateTasksStatement(updates: updates, origin: instanceID), logger: logger) {
                updated[row.position - 1] = true
                queued += row.queued
            }
            if queued > 0 { pushWake.signal() }
            return updated
        }
    }

    /// Whether `update` is stored as it was submitted (after a group write that failed but may
    /// have committed).
    func isStored(_ update: TaskUpdateWrite) async -> Bool? {
        guard let stored = try? await task(namespace: update.task.namespace, id: update.task.id), stored == update.task else { return nil }
        return true
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

    /// Appends events of a task inserted earlier in the same transaction (one with push
    /// configurations, whose deliveries the events queue), and announces them at commit.
    private func appendEventsStatement(_ events: [TaskEventRecord]) throws -> PostgresQuery {
        guard let last = events.last else { return "SELECT 0" }
        let binds = try EventBinds(events, origin: instanceID)
        return """
            WITH inserted AS (
                INSERT INTO task_events (namespace, task_id, seq, payload, created_at)
                SELECT \(last.namespace.rawValue), \(last.taskId), e.seq, e.payload::jsonb, now()
                FROM unnest(\(binds.sequences)::bigint[], \(binds.payloads)::text[]) AS e(seq, payload)
                RETURNING seq
            ), queued AS (
                INSERT INTO push_deliveries (namespace, task_id, config_id, event_seq, next_attempt_at, created_at)
                SELECT c.namespace, c.task_id, c.id, i.seq, now(), now()
                FROM push_configs c, inserted i
                WHERE c.namespace = \(last.namespace.rawValue) AND c.task_id = \(last.taskId)
                ON CONFLICT DO NOTHING
            )
            SELECT pg_notify(\(Self.taskEventsChannel), \(binds.notice))
            """
    }

    /// The first row of a statement's rows (read to the end, so that the connection is free).
    static func first<Rows: AsyncSequence>(of rows: Rows) async throws -> Rows.Element? {
        var first: Rows.Element?
        for try await row in rows where first == nil {
            first = row
        }
        return first
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
