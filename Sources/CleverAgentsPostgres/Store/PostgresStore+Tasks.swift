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
                return [try await Self.leased(write(try insertStatement(new.task, events: new.events, lease: new.lease), on: nil))]
            }
            let leased = try await client.withTransaction(logger: logger) { connection in
                var leased: [Bool] = []
                for new in tasks {
                    guard !new.pushConfigs.isEmpty else {
                        leased.append(try await Self.leased(write(try insertStatement(new.task, events: new.events, lease: new.lease), on: connection)))
                        continue
                    }
                    // The events queue deliveries for the configs, which one statement could
                    // not see (all its parts share one snapshot): configs first, events last.
                    leased.append(try await Self.leased(write(try insertStatement(new.task, events: [], lease: new.lease), on: connection)))
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
                    var append = SQLStatement()
                    try appendEvents(new.events, after: nil, queueDeliveries: true, to: &append)
                    try await write(append, on: connection)
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

    /// Whether the statement of ``insertStatement(_:events:lease:)`` leased its task.
    private static func leased(_ rows: [PostgresRow]) throws -> Bool {
        guard let row = rows.first else { throw StoreError.unavailable("a task insert returned no row") }
        return try row.makeRandomAccess()[1].decode(Bool.self)
    }

    /// Inserts a task, its context and its first events (which queue no push delivery: a new
    /// task has no push configs yet), leased when `lease` is given and the namespace has room
    /// (`cleveragents_lease_new_task`, migration 8). Returns one row whose second column tells
    /// whether the task is leased.
    private func insertStatement(_ task: TaskRecord, events: [TaskEventRecord], lease: TaskLeaseRequest?) throws -> SQLStatement {
        var statement = SQLStatement()
        let queuedAt: Date? = task.runInput == nil ? nil : Date()
        let leasing = lease != nil && task.runInput != nil
        // Bound once, used by both parts.
        let namespace = statement.bind(task.namespace.rawValue)
        let owner = statement.bind(task.owner)
        let contextId = statement.bind(task.contextId)
        let threadID = statement.bind(task.threadID)
        let createdAt = statement.bind(task.createdAt.date)
        let insert = """
            WITH lease AS (
                SELECT \(leasing ? "cleveragents_lease_new_task(\(namespace), \(statement.bind(queueGroup)), \(statement.bind(lease?.defaultNamespaceLimit ?? 0)))" : "false") AS granted
            ), context AS (
                INSERT INTO contexts (namespace, owner, context_id, thread_id, created_at)
                VALUES (\(namespace), \(owner), \(contextId), \(threadID)::uuid, \(createdAt))
                ON CONFLICT DO NOTHING
            ), task AS (
                INSERT INTO tasks (namespace, id, context_id, owner, actor, state, status, artifacts, history, metadata,
                                   thread_id, run_id, replied_with_message, version, last_event_seq, status_at, created_at, updated_at,
                                   run_input, queued_at, queue_group, lease_owner, lease_expires_at)
                SELECT \(namespace), \(statement.bind(task.id)), \(contextId), \(owner), \(statement.bind(task.actorName)),
                        \(statement.bind(task.state.rawValue)), \(try statement.bind(JSONColumn(task.status))),
                        \(try statement.bind(JSONColumn(task.artifacts))), \(try statement.bind(JSONColumn(task.history))),
                        \(try statement.bind(task.metadata.map(JSONColumn.init))), \(threadID)::uuid, \(statement.bind(task.runID)),
                        \(statement.bind(task.repliedWithMessage)), \(statement.bind(task.version)), \(statement.bind(task.lastEventSequence)),
                        \(statement.bind(Self.statusDate(task))), \(createdAt), \(statement.bind(task.updatedAt.date)),
                        \(try statement.bind(task.runInput.map(JSONColumn.init))), \(statement.bind(queuedAt)), \(statement.bind(queueGroup)),
                        CASE WHEN lease.granted THEN \(statement.bind(lease?.owner)) END,
                        CASE WHEN lease.granted THEN now() + make_interval(secs => \(statement.bind(Self.seconds(lease?.duration ?? .zero)))) END
                FROM lease
                RETURNING lease_owner IS NOT NULL AS leased
            )
            """
        statement.append(insert)
        try appendEvents(events, after: "task", queueDeliveries: false, also: "task.leased", to: &statement)
        return statement
    }

    /// Updates a task if it still has `expectedVersion` and appends its new events, in one
    /// statement: atomic on its own, so no transaction, and one round trip instead of four.
    public func updateTask(_ task: TaskRecord, expectedVersion: Int64, appending events: [TaskEventRecord]) async throws {
        try await translatingErrors {
            var statement = SQLStatement()
            let queuedAt: Date? = task.runInput == nil ? nil : Date()
            let update = """
                WITH task AS (
                    UPDATE tasks
                    SET state = \(statement.bind(task.state.rawValue)), status = \(try statement.bind(JSONColumn(task.status))),
                        artifacts = \(try statement.bind(JSONColumn(task.artifacts))), history = \(try statement.bind(JSONColumn(task.history))),
                        metadata = \(try statement.bind(task.metadata.map(JSONColumn.init))), run_id = \(statement.bind(task.runID)),
                        replied_with_message = \(statement.bind(task.repliedWithMessage)), version = \(statement.bind(task.version)),
                        last_event_seq = \(statement.bind(task.lastEventSequence)), status_at = \(statement.bind(Self.statusDate(task))),
                        updated_at = \(statement.bind(task.updatedAt.date)), run_input = \(try statement.bind(task.runInput.map(JSONColumn.init))),
                        -- A run queued anew (a follow-up message) waits from now; a run that ended frees its lease.
                        queued_at = CASE WHEN run_input IS NULL THEN \(statement.bind(queuedAt)) ELSE queued_at END,
                        lease_owner = CASE WHEN \(statement.bind(task.runInput == nil)) THEN NULL ELSE lease_owner END,
                        lease_expires_at = CASE WHEN \(statement.bind(task.runInput == nil)) THEN NULL ELSE lease_expires_at END
                    WHERE namespace = \(statement.bind(task.namespace.rawValue)) AND id = \(statement.bind(task.id))
                      AND version = \(statement.bind(expectedVersion))
                    RETURNING 1
                )
                """
            statement.append(update)
            try appendEvents(events, after: "task", queueDeliveries: true, to: &statement)
            guard try await write(statement, on: nil).count == 1 else { throw StoreError.conflict }
        }
    }

    /// Runs a statement built by ``appendEvents(_:after:queueDeliveries:to:)`` and returns how
    /// many rows it returned; outside a transaction (`connection` is `nil`), tells the push worker
    /// when it queued deliveries.
    @discardableResult
    private func write(_ statement: SQLStatement, on connection: PostgresConnection?) async throws -> [PostgresRow] {
        let rows: [PostgresRow]
        if let connection {
            rows = try await connection.query(statement.query, logger: logger).collect()
        } else {
            rows = try await client.query(statement.query, logger: logger).collect()
        }
        if connection == nil, try rows.first?.makeRandomAccess()[0].decode(Int.self) ?? 0 > 0 {
            pushWake.signal()
        }
        return rows
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

    /// Ends `statement` with the parts that append a task's new events: the rows, a push
    /// delivery per event and push configuration of the task (`queueDeliveries`), and the notice
    /// to other replicas (sent at commit). When `guardPart` names a `WITH` part that returns a
    /// row when its write took place, the events are written only then, and the statement
    /// returns one row exactly then. The row's first column counts the deliveries queued; `also`
    /// adds columns after it.
    ///
    /// PostgreSQL runs every data-modifying `WITH` part to completion whether or not the main
    /// query reads it, and all parts see one snapshot.
    private func appendEvents(
        _ events: [TaskEventRecord],
        after guardPart: String?,
        queueDeliveries: Bool,
        also extraColumns: String? = nil,
        to statement: inout SQLStatement
    ) throws {
        let from = guardPart.map { " FROM \($0)" } ?? ""
        let extra = extraColumns.map { ", \($0)" } ?? ""
        guard let last = events.last else {
            statement.append("\nSELECT 0\(extra)\(from)")
            return
        }
        let notice = TaskEventNotice(task: TaskKey(namespace: last.namespace, id: last.taskId), sequence: last.sequence, origin: instanceID)
        let payloads = try events.map { String(decoding: try A2AJSONWriter.encode($0.event), as: UTF8.self) }
        let lead = statement.sql.isEmpty ? "WITH" : ","
        let namespace = statement.bind(last.namespace.rawValue)
        let taskId = statement.bind(last.taskId)
        let inserted = """
            \(lead) inserted AS (
                INSERT INTO task_events (namespace, task_id, seq, payload, created_at)
                SELECT \(namespace), \(taskId), e.seq, e.payload::jsonb, \(statement.bind(Date()))
                FROM unnest(\(statement.bind(events.map(\.sequence)))::bigint[], \(statement.bind(payloads))::text[]) AS e(seq, payload)
                \(guardPart.map { "WHERE EXISTS (SELECT 1 FROM \($0))" } ?? "")
                RETURNING seq
            )
            """
        statement.append(inserted)
        if queueDeliveries {
            statement.append(
                """
                , queued AS (
                    INSERT INTO push_deliveries (namespace, task_id, config_id, event_seq, next_attempt_at, created_at)
                    SELECT c.namespace, c.task_id, c.id, i.seq, now(), now()
                    FROM push_configs c, inserted i
                    WHERE c.namespace = \(namespace) AND c.task_id = \(taskId)
                    ON CONFLICT DO NOTHING
                    RETURNING 1
                )
                """
            )
        }
        let queued = queueDeliveries ? "(SELECT count(*) FROM queued)" : "0"
        let notify = "\nSELECT \(queued)\(extra), pg_notify(\(statement.bind(Self.taskEventsChannel)), \(statement.bind(notice.payload)))\(from)"
        statement.append(notify)
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
