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

extension SQLiteStore: TaskStore {
    static let taskColumns = """
        namespace, id, context_id, owner, actor, status, artifacts, history, metadata, thread_id,
        run_id, replied_with_message, version, last_event_seq, created_at, updated_at
        """

    public func createTask(_ task: TaskRecord, events: [TaskEventRecord], pushConfigs: [PushConfigRecord]) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO tasks (namespace, id, context_id, owner, actor, state, status, artifacts, history, metadata,
                                       thread_id, run_id, replied_with_message, version, last_event_seq, status_at, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: try Self.taskArguments(task, including: [task.namespace.rawValue, task.id, task.contextId, task.owner, task.actorName])
            )
            for config in pushConfigs {
                try Self.insertPushConfig(db, config, replace: false)
            }
            try Self.insertEvents(db, events)
            try Self.queueDeliveries(db, for: events)
        }
    }

    public func updateTask(_ task: TaskRecord, expectedVersion: Int64, appending events: [TaskEventRecord]) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE tasks SET state = ?, status = ?, artifacts = ?, history = ?, metadata = ?, thread_id = ?, run_id = ?,
                        replied_with_message = ?, version = ?, last_event_seq = ?, status_at = ?, created_at = ?, updated_at = ?
                    WHERE namespace = ? AND id = ? AND version = ?
                    """,
                arguments: try Self.taskArguments(task, including: []) + [task.namespace.rawValue, task.id, expectedVersion]
            )
            guard db.changesCount == 1 else { throw StoreError.conflict }
            let last = try Int64.fetchOne(
                db,
                sql: "SELECT max(seq) FROM task_events WHERE namespace = ? AND task_id = ?",
                arguments: [task.namespace.rawValue, task.id]
            ) ?? 0
            for (offset, event) in events.enumerated() where event.sequence != last + Int64(offset) + 1 {
                throw StoreError.conflict
            }
            try Self.insertEvents(db, events)
            try Self.queueDeliveries(db, for: events)
        }
    }

    public func task(namespace: NamespaceName, id: String) async throws -> TaskRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.taskColumns) FROM tasks WHERE namespace = ? AND id = ?", arguments: [namespace.rawValue, id])
                .map(Self.decodeTask)
        }
    }

    public func events(namespace: NamespaceName, taskId: String, afterSequence: Int64) async throws -> [TaskEventRecord] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT seq, payload FROM task_events WHERE namespace = ? AND task_id = ? AND seq > ? ORDER BY seq",
                arguments: [namespace.rawValue, taskId, afterSequence]
            ).map { row in
                TaskEventRecord(namespace: namespace, taskId: taskId, sequence: row[0], event: try Self.decode(StreamResponse.self, row[1]))
            }
        }
    }

    public func listTasks(namespace: NamespaceName, query: TaskQuery) async throws -> TaskPage {
        try await read { db in
            var conditions = ["namespace = ?"]
            var arguments: [any DatabaseValueConvertible] = [namespace.rawValue]
            if let owner = query.owner {
                conditions.append("owner = ?")
                arguments.append(owner)
            }
            if let contextId = query.contextId {
                conditions.append("context_id = ?")
                arguments.append(contextId)
            }
            if let state = query.state {
                conditions.append("state = ?")
                arguments.append(state.rawValue)
            }
            if let after = query.statusTimestampAfter {
                conditions.append("status_at > ?")
                arguments.append(Self.millis(after))
            }
            let filter = conditions.joined(separator: " AND ")
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM tasks WHERE \(filter)", arguments: StatementArguments(arguments.map { Optional($0) })) ?? 0
            var pageFilter = filter
            var pageArguments = arguments
            if let cursor = query.after {
                pageFilter += " AND (status_at, id) < (?, ?)"
                pageArguments.append(Self.millis(cursor.statusTimestamp))
                pageArguments.append(cursor.id)
            }
            pageArguments.append(query.pageSize + 1)
            var tasks = try Row.fetchAll(
                db,
                sql: "SELECT \(Self.taskColumns) FROM tasks WHERE \(pageFilter) ORDER BY status_at DESC, id DESC LIMIT ?",
                arguments: StatementArguments(pageArguments.map { Optional($0) })
            ).map(Self.decodeTask)
            let hasMore = tasks.count > query.pageSize
            if hasMore { tasks.removeLast() }
            return TaskPage(tasks: tasks, totalSize: total, hasMore: hasMore)
        }
    }

    // MARK: Rows

    /// The values of the task columns after the leading identity ones, in table order.
    static func taskArguments(_ task: TaskRecord, including leading: [any DatabaseValueConvertible]) throws -> StatementArguments {
        let values: [(any DatabaseValueConvertible)?] = [
            task.state.rawValue, try json(task.status), try json(task.artifacts), try json(task.history),
            try task.metadata.map { try json($0) }, task.threadID, task.runID, task.repliedWithMessage, task.version,
            task.lastEventSequence, millis(task.status.timestamp ?? task.updatedAt), millis(task.createdAt), millis(task.updatedAt),
        ]
        return StatementArguments(leading.map { Optional($0) } + values)
    }

    static func decodeTask(_ row: Row) throws -> TaskRecord {
        TaskRecord(
            namespace: try namespace(row[0]),
            id: row[1],
            contextId: row[2],
            owner: row[3],
            actorName: row[4],
            status: try decode(TaskStatus.self, row[5]),
            artifacts: try decode([Artifact].self, row[6]),
            history: try decode([Message].self, row[7]),
            metadata: try (row[8] as String?).map { try decode(JSONObject.self, $0) },
            threadID: row[9],
            runID: row[10],
            repliedWithMessage: row[11],
            version: row[12],
            lastEventSequence: row[13],
            createdAt: timestamp(row[14]),
            updatedAt: timestamp(row[15])
        )
    }

    static func insertEvents(_ db: Database, _ events: [TaskEventRecord]) throws {
        let now = A2ATimestamp.now
        for event in events {
            try db.execute(
                sql: "INSERT INTO task_events (namespace, task_id, seq, payload, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [event.namespace.rawValue, event.taskId, event.sequence, try json(event.event), millis(now)]
            )
        }
    }
}
