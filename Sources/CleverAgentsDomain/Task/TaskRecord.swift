//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol

/// A task as the server keeps it: the A2A task plus who owns it and how it runs.
public struct TaskRecord: Sendable, Hashable {
    public var namespace: NamespaceName
    public var id: String
    public var contextId: String
    /// The principal that created the task.
    public var owner: String
    /// The actor (graph binding) that runs it.
    public var actorName: String
    public var status: TaskStatus
    public var artifacts: [Artifact] {
        didSet { measure.artifactBytes = nil }
    }
    public var history: [Message] {
        didSet { measure.historyBytes = nil }
    }
    public var metadata: JSONObject?
    /// The LangGraph thread of the task's context.
    public var threadID: String
    /// The LangGraph run currently or last executing the task.
    public var runID: String?
    /// The graph answered with a message rather than task output: a blocking `SendMessage`
    /// returns that message (the final status message) instead of the task.
    public var repliedWithMessage: Bool
    /// Bumped on every change; guards concurrent writers (optimistic concurrency).
    public var version: Int64
    /// Sequence number of the last event appended for this task.
    public var lastEventSequence: Int64
    public var createdAt: A2ATimestamp
    public var updatedAt: A2ATimestamp
    /// What the task's next (or current) graph run starts from, while the task needs a run:
    /// set when the task is queued, cleared when the run ends (terminal or waiting for input).
    /// A replica that takes the task over rebuilds the run from it.
    public var runInput: TaskRunInput?
    /// The measured size of the artifacts and history, for limited updates (not part of the value).
    var measure = TaskContentMeasure()

    public init(
        namespace: NamespaceName,
        id: String,
        contextId: String,
        owner: String,
        actorName: String,
        status: TaskStatus,
        artifacts: [Artifact] = [],
        history: [Message] = [],
        metadata: JSONObject? = nil,
        threadID: String,
        runID: String? = nil,
        repliedWithMessage: Bool = false,
        version: Int64 = 1,
        lastEventSequence: Int64 = 0,
        createdAt: A2ATimestamp,
        updatedAt: A2ATimestamp? = nil,
        runInput: TaskRunInput? = nil
    ) {
        self.namespace = namespace
        self.id = id
        self.contextId = contextId
        self.owner = owner
        self.actorName = actorName
        self.status = status
        self.artifacts = artifacts
        self.history = history
        self.metadata = metadata
        self.threadID = threadID
        self.runID = runID
        self.repliedWithMessage = repliedWithMessage
        self.version = version
        self.lastEventSequence = lastEventSequence
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.runInput = runInput
    }

    public var state: TaskState { status.state }

    /// The wire form, trimmed as the caller asked.
    ///
    /// - Parameters:
    ///   - historyLength: `nil` keeps the whole history, `0` none, `n` the last `n` messages.
    ///   - includeArtifacts: when `false` the `artifacts` key is left out entirely.
    public func a2aTask(historyLength: Int? = nil, includeArtifacts: Bool = true) -> A2ATask {
        A2ATask(
            id: id,
            contextId: contextId,
            status: status,
            artifacts: includeArtifacts ? artifacts : nil,
            history: HistoryWindow.apply(historyLength, to: history),
            metadata: metadata
        )
    }
}

/// The `historyLength` rule of A2A 1.0: unset = all, 0 = none, n = the last n messages.
public enum HistoryWindow {
    public static func apply(_ length: Int?, to history: [Message]) -> [Message] {
        guard let length else { return history }
        guard length > 0 else { return [] }
        return Array(history.suffix(length))
    }
}

/// The input of a task's graph run, kept with the task so that any replica can start or resume
/// the run.
public struct TaskRunInput: Sendable, Hashable, Codable {
    /// The user message that starts the run, or answers the interrupts.
    public var message: Message
    /// The interrupts the message answers (`command.resume`); empty for a new run.
    public var interruptIDs: [String]
    /// W3C `traceparent` of the request that queued the run.
    public var traceParent: String?

    public init(message: Message, interruptIDs: [String] = [], traceParent: String? = nil) {
        self.message = message
        self.interruptIDs = interruptIDs
        self.traceParent = traceParent
    }
}

extension TaskRunInput: A2AJSONWritable {
    /// Writes what the synthesized `encode(to:)` encodes (the task row's `run_input` column).
    public func write(to writer: inout A2AJSONWriter) throws {
        try writer.object { object in
            try object.member("message", message)
            object.member("interruptIDs", strings: interruptIDs)
            object.member("traceParent", ifPresent: traceParent)
        }
    }
}
