//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol

/// A change an executor reports for a task, before it becomes an A2A event.
public enum TaskUpdate: Sendable, Hashable {
    /// The task moves to `state`, optionally with an agent message.
    case status(TaskState, message: Message?)
    /// A new artifact, or a chunk appended to one sent before with the same id.
    case artifact(Artifact, append: Bool, lastChunk: Bool)
}

/// A persisted task event: the per-task sequence number and the stream response it carries.
public struct TaskEventRecord: Sendable, Hashable {
    public var namespace: NamespaceName
    public var taskId: String
    /// 1, 2, 3… per task, without gaps.
    public var sequence: Int64
    public var event: StreamResponse
    /// The task as this process wrote it with this event, when the event is the last of its
    /// write and comes straight from the writer (not from the store or another replica). It saves
    /// a reader that waits for this event the read of the task; it is not part of the event
    /// (equality and hashing ignore it).
    public var committedTask: TaskRecord?

    public init(namespace: NamespaceName, taskId: String, sequence: Int64, event: StreamResponse) {
        self.namespace = namespace
        self.taskId = taskId
        self.sequence = sequence
        self.event = event
    }

    public static func == (lhs: TaskEventRecord, rhs: TaskEventRecord) -> Bool {
        lhs.namespace == rhs.namespace && lhs.taskId == rhs.taskId && lhs.sequence == rhs.sequence && lhs.event == rhs.event
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(namespace)
        hasher.combine(taskId)
        hasher.combine(sequence)
        hasher.combine(event)
    }

    /// Whether this event ends a stream: a terminal status or a direct message, and also an
    /// interrupted status (input required) when `untilInterrupted`.
    public func endsStream(untilInterrupted: Bool = true) -> Bool {
        event.endsStream(untilInterrupted: untilInterrupted)
    }
}

extension StreamResponse {
    /// Whether this event ends a stream: a terminal status or a direct message, and also an
    /// interrupted status (input required) when `untilInterrupted`.
    public func endsStream(untilInterrupted: Bool = true) -> Bool {
        switch self {
        case .statusUpdate(let update):
            update.status.state.isTerminal || (untilInterrupted && update.status.state.isInterrupted)
        case .message: true
        case .task(let task): task.status.state.isTerminal
        case .artifactUpdate: false
        }
    }
}

/// Why an update could not be applied.
public enum TaskUpdateError: Error, Sendable, Hashable {
    /// The task is terminal; nothing may change it any more.
    case taskIsTerminal(TaskState)
    /// An `append` chunk for an artifact that was never started.
    case unknownArtifact(String)
    /// The update would make the task's artifacts hold more than `limit` bytes.
    case artifactsTooLarge(limit: Int)
    /// The update would make the task's history longer than `limit` messages.
    case historyTooLong(limit: Int)
    /// The update would make the task's messages hold more than `limit` bytes.
    case historyTooLarge(limit: Int)
}

extension TaskUpdateError {
    /// Whether the update was refused because of a ``TaskLimits`` limit.
    public var isLimit: Bool {
        switch self {
        case .artifactsTooLarge, .historyTooLong, .historyTooLarge: true
        case .taskIsTerminal, .unknownArtifact: false
        }
    }
}

extension TaskRecord {
    /// Marks a status message as progress: shown while it is current, not kept in the history.
    public static let progressMetadataKey = "cleveragents/progress"

    /// Applies an update and returns the event that announces it.
    ///
    /// Status messages follow the A2A SDKs: the message of the status being replaced moves into
    /// the history, so the history reads as the conversation so far.
    ///
    /// An update that would take the task past `limits` is refused (a limit error of
    /// ``TaskUpdateError``) and changes nothing. A history already past a limit (grown by the
    /// client's own messages) refuses only the updates that would add to it.
    public mutating func apply(
        _ update: TaskUpdate,
        at now: A2ATimestamp,
        limits: TaskLimits = .unlimited
    ) throws(TaskUpdateError) -> StreamResponse {
        guard !status.state.isTerminal else { throw .taskIsTerminal(status.state) }
        switch update {
        case .status(let state, let message):
            let message = message.map { value in
                var value = value
                value.taskId = id
                value.contextId = contextId
                if value.role == .unspecified { value.role = .agent }
                return value
            }
            let historyBytes = try checkHistory(adding: message, limits: limits)
            archiveStatusMessage()
            status = TaskStatus(state: state, message: message, timestamp: now)
            if let historyBytes { measure.historyBytes = historyBytes }
            touch(now)
            return .statusUpdate(TaskStatusUpdateEvent(taskId: id, contextId: contextId, status: status))
        case .artifact(let artifact, let append, let lastChunk):
            let index = artifacts.firstIndex(where: { $0.artifactId == artifact.artifactId })
            if index == nil && append { throw .unknownArtifact(artifact.artifactId) }
            let artifactBytes = try checkArtifacts(adding: artifact, replacing: append ? nil : index, limits: limits)
            if let index {
                if append {
                    artifacts[index].parts.append(contentsOf: artifact.parts)
                    if let name = artifact.name { artifacts[index].name = name }
                    if let description = artifact.description { artifacts[index].description = description }
                    if let metadata = artifact.metadata { artifacts[index].metadata = metadata }
                } else {
                    artifacts[index] = artifact
                }
            } else {
                artifacts.append(artifact)
            }
            if let artifactBytes { measure.artifactBytes = artifactBytes }
            touch(now)
            return .artifactUpdate(
                TaskArtifactUpdateEvent(taskId: id, contextId: contextId, artifact: artifact, append: append, lastChunk: lastChunk)
            )
        }
    }

    /// The artifacts' size once `artifact` is added (or replaces the one at `index`), when it is
    /// measured (under a limit); throws when that passes the limit.
    ///
    /// An appended chunk counts whole, its name and metadata too, although they replace the
    /// artifact's own: a little more than the exact size, never less.
    private mutating func checkArtifacts(adding artifact: Artifact, replacing index: Int?, limits: TaskLimits) throws(TaskUpdateError) -> Int? {
        guard limits.maximumArtifactBytes != .max else { return nil }
        let current = measure.artifactBytes ?? artifactBytes
        measure.artifactBytes = current
        let replaced = index.map { Self.contentBytes(of: artifacts[$0]) } ?? 0
        let bytes = current - replaced + Self.contentBytes(of: artifact)
        guard bytes <= limits.maximumArtifactBytes else { throw .artifactsTooLarge(limit: limits.maximumArtifactBytes) }
        return bytes
    }

    /// The history's size once the status message (if kept) moved into it and `message` is the
    /// status message, when it is measured (under a limit); throws when that passes a limit.
    ///
    /// The size counts the new status message, which joins the history when it is replaced; the
    /// length counts the history only.
    private mutating func checkHistory(adding message: Message?, limits: TaskLimits) throws(TaskUpdateError) -> Int? {
        let archived = statusMessageToArchive
        if archived != nil, history.count >= limits.maximumHistoryMessages {
            throw .historyTooLong(limit: limits.maximumHistoryMessages)
        }
        guard limits.maximumHistoryBytes != .max else { return nil }
        let current = measure.historyBytes ?? historyBytes
        measure.historyBytes = current
        let bytes = current + (archived.map(Self.contentBytes(of:)) ?? 0)
        let added = archived != nil || message != nil
        if added, bytes + (message.map(Self.contentBytes(of:)) ?? 0) > limits.maximumHistoryBytes {
            throw .historyTooLarge(limit: limits.maximumHistoryBytes)
        }
        return bytes
    }

    /// Adds a user message to the history (a follow-up message on an existing task).
    ///
    /// The current status message (such as the question of an input-required task) goes into the
    /// history first, so that the answer follows the question.
    public mutating func appendUserMessage(_ message: Message, at now: A2ATimestamp) {
        var message = message
        message.taskId = id
        message.contextId = contextId
        archiveStatusMessage()
        history.append(message)
        touch(now)
    }

    /// Moves the status message into the history, once: a message already there is not added again.
    private mutating func archiveStatusMessage() {
        if let previous = statusMessageToArchive {
            history.append(previous)
        }
    }

    /// The status message, when replacing the status moves it into the history: not progress,
    /// and not there already.
    private var statusMessageToArchive: Message? {
        guard let previous = status.message, previous.metadata?[TaskRecord.progressMetadataKey] != true,
            !history.contains(where: { $0.messageId == previous.messageId })
        else { return nil }
        return previous
    }

    private mutating func touch(_ now: A2ATimestamp) {
        updatedAt = now
        version += 1
    }
}
