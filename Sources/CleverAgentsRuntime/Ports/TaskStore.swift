//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
public import CleverAgentsDomain

/// Durable storage of tasks and their event logs. Every call is scoped by namespace.
public protocol TaskStore: Sendable {
    /// Inserts a new task with its first events and webhook configurations (its context is
    /// recorded too), and queues the events for those webhooks, in one transaction.
    ///
    /// The events must be numbered 1… and `task.lastEventSequence` must equal the last one.
    func createTask(_ task: TaskRecord, events: [TaskEventRecord], pushConfigs: [PushConfigRecord]) async throws

    /// Replaces a task's state and appends events, and queues the events for the task's
    /// webhooks, in one transaction.
    ///
    /// Fails with ``StoreError/conflict`` unless the stored version is `expectedVersion`.
    func updateTask(_ task: TaskRecord, expectedVersion: Int64, appending events: [TaskEventRecord]) async throws

    /// As ``updateTask(_:expectedVersion:appending:)``, told which parts of the task's document
    /// the update leaves as the stored version has them: a store may leave those unwritten (a
    /// status change then rewrites neither the artifacts nor the history).
    func updateTask(_ task: TaskRecord, expectedVersion: Int64, appending events: [TaskEventRecord], unchanged: TaskDocumentParts) async throws

    /// The task, or `nil` when the namespace has no task with that id.
    func task(namespace: NamespaceName, id: String) async throws -> TaskRecord?

    /// The task's events with a sequence number greater than `afterSequence`, in order.
    func events(namespace: NamespaceName, taskId: String, afterSequence: Int64) async throws -> [TaskEventRecord]

    /// One page of tasks, newest status first.
    func listTasks(namespace: NamespaceName, query: TaskQuery) async throws -> TaskPage
}

/// The large parts of a task's document, which a store may skip writing when unchanged.
public struct TaskDocumentParts: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    public static let artifacts = TaskDocumentParts(rawValue: 1 << 0)
    public static let history = TaskDocumentParts(rawValue: 1 << 1)
    public static let metadata = TaskDocumentParts(rawValue: 1 << 2)
}

extension TaskStore {
    /// Writes the whole task: stores that do not write parts separately need nothing else.
    public func updateTask(_ task: TaskRecord, expectedVersion: Int64, appending events: [TaskEventRecord], unchanged: TaskDocumentParts) async throws {
        try await updateTask(task, expectedVersion: expectedVersion, appending: events)
    }

    /// Inserts a new task without webhook configurations.
    public func createTask(_ task: TaskRecord, events: [TaskEventRecord]) async throws {
        try await createTask(task, events: events, pushConfigs: [])
    }
}

/// Filters and page position for ``TaskStore/listTasks(namespace:query:)``.
public struct TaskQuery: Sendable, Hashable {
    /// Only tasks of this owner; `nil` for all tasks of the namespace.
    public var owner: String?
    public var contextId: String?
    public var state: TaskState?
    public var statusTimestampAfter: A2ATimestamp?
    public var pageSize: Int
    /// Resume after this position (from the previous page's last task).
    public var after: TaskCursor?

    public init(
        owner: String? = nil,
        contextId: String? = nil,
        state: TaskState? = nil,
        statusTimestampAfter: A2ATimestamp? = nil,
        pageSize: Int,
        after: TaskCursor? = nil
    ) {
        self.owner = owner
        self.contextId = contextId
        self.state = state
        self.statusTimestampAfter = statusTimestampAfter
        self.pageSize = pageSize
        self.after = after
    }
}

/// A stable position in the task order (status timestamp descending, then id descending).
public struct TaskCursor: Sendable, Hashable, Codable {
    public var statusTimestamp: A2ATimestamp
    public var id: String

    public init(statusTimestamp: A2ATimestamp, id: String) {
        self.statusTimestamp = statusTimestamp
        self.id = id
    }
}

/// One page of tasks and the total number of matches.
public struct TaskPage: Sendable, Hashable {
    public var tasks: [TaskRecord]
    public var totalSize: Int
    /// Whether more tasks follow this page.
    public var hasMore: Bool

    public init(tasks: [TaskRecord], totalSize: Int, hasMore: Bool) {
        self.tasks = tasks
        self.totalSize = totalSize
        self.hasMore = hasMore
    }
}

/// Failures every store reports the same way.
extension Error {
    /// Whether this is ``StoreError/unavailable(_:)``: the database cannot be reached now.
    public var isUnavailableStore: Bool {
        if case .unavailable = self as? StoreError { return true }
        return false
    }
}

public enum StoreError: Error, Sendable, Hashable {
    /// Another writer changed the row first.
    case conflict
    /// The row already exists.
    case alreadyExists
    /// The database cannot be reached; the request may be retried later.
    case unavailable(String)
}
