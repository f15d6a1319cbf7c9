//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

// MARK: TaskStatusUpdateEvent

extension A2A03 {
    /// A change of a task's status in 0.3 (`kind: "status-update"`).
    ///
    /// `final` exists only in 0.3: it is `true` on the last event of the stream. It is always
    /// written, `false` included; a missing `final` is read as `false`.
    public struct TaskStatusUpdateEvent: Sendable, Hashable {
        public var taskId: String
        public var contextId: String
        public var status: TaskStatus
        public var final: Bool
        public var metadata: JSONObject?

        public init(taskId: String, contextId: String, status: TaskStatus, final: Bool, metadata: JSONObject? = nil) {
            self.taskId = taskId
            self.contextId = contextId
            self.status = status
            self.final = final
            self.metadata = metadata
        }
    }
}

extension A2A03.TaskStatusUpdateEvent: Codable {
    enum CodingKeys: String, CodingKey {
        case kind, taskId, contextId, status, final, metadata
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try A2A03.checkKind("status-update", in: container, key: .kind)
        self.taskId = try container.decode(String.self, forKey: .taskId)
        self.contextId = try container.decode(String.self, forKey: .contextId)
        self.status = try container.decode(A2A03.TaskStatus.self, forKey: .status)
        self.final = try container.decodeIfPresent(Bool.self, forKey: .final) ?? false
        self.metadata = try container.decodeIfPresent(JSONObject.self, forKey: .metadata)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("status-update", forKey: .kind)
        try container.encode(taskId, forKey: .taskId)
        try container.encode(contextId, forKey: .contextId)
        try container.encode(status, forKey: .status)
        try container.encode(final, forKey: .final)
        try container.encodeIfPresent(metadata, forKey: .metadata)
    }
}

extension A2A03.TaskStatusUpdateEvent {
    /// The 0.3 form of a 1.0 status update.
    ///
    /// - Parameters:
    ///   - event: the 1.0 event.
    ///   - final: whether this is the last event of the stream (see ``A2A03/streamEvent(_:isFinal:)``).
    public init(_ event: A2AProtocol.TaskStatusUpdateEvent, final: Bool) {
        self.init(taskId: event.taskId, contextId: event.contextId, status: A2A03.TaskStatus(event.status), final: final, metadata: event.metadata)
    }
}

extension TaskStatusUpdateEvent {
    /// The 1.0 form of a 0.3 status update; `final` has no 1.0 counterpart and is dropped.
    public init(a2a03 event: A2A03.TaskStatusUpdateEvent) {
        self.init(taskId: event.taskId, contextId: event.contextId, status: TaskStatus(a2a03: event.status), metadata: event.metadata)
    }
}

// MARK: TaskArtifactUpdateEvent

extension A2A03 {
    /// A new artifact, or a chunk of one, in 0.3 (`kind: "artifact-update"`).
    ///
    /// `append` and `lastChunk` are always written, `false` included (as a2a-sdk does); missing
    /// ones are read as `false`.
    public struct TaskArtifactUpdateEvent: Sendable, Hashable {
        public var taskId: String
        public var contextId: String
        public var artifact: Artifact
        public var append: Bool
        public var lastChunk: Bool
        public var metadata: JSONObject?

        public init(
            taskId: String,
            contextId: String,
            artifact: Artifact,
            append: Bool = false,
            lastChunk: Bool = false,
            metadata: JSONObject? = nil
        ) {
            self.taskId = taskId
            self.contextId = contextId
            self.artifact = artifact
            self.append = append
            self.lastChunk = lastChunk
            self.metadata = metadata
        }
    }
}

extension A2A03.TaskArtifactUpdateEvent: Codable {
    enum CodingKeys: String, CodingKey {
        case kind, taskId, contextId, artifact, append, lastChunk, metadata
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try A2A03.checkKind("artifact-update", in: container, key: .kind)
        self.taskId = try container.decode(String.self, forKey: .taskId)
        self.contextId = try container.decode(String.self, forKey: .contextId)
        self.artifact = try container.decode(A2A03.Artifact.self, forKey: .artifact)
        self.append = try container.decodeIfPresent(Bool.self, forKey: .append) ?? false
        self.lastChunk = try container.decodeIfPresent(Bool.self, forKey: .lastChunk) ?? false
        self.metadata = try container.decodeIfPresent(JSONObject.self, forKey: .metadata)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("artifact-update", forKey: .kind)
        try container.encode(taskId, forKey: .taskId)
        try container.encode(contextId, forKey: .contextId)
        try container.encode(artifact, forKey: .artifact)
        try container.encode(append, forKey: .append)
        try container.encode(lastChunk, forKey: .lastChunk)
        try container.encodeIfPresent(metadata, forKey: .metadata)
    }
}

extension A2A03.TaskArtifactUpdateEvent {
    /// The 0.3 form of a 1.0 artifact update.
    public init(_ event: A2AProtocol.TaskArtifactUpdateEvent) {
        self.init(
            taskId: event.taskId,
            contextId: event.contextId,
            artifact: A2A03.Artifact(event.artifact),
            append: event.append,
            lastChunk: event.lastChunk,
            metadata: event.metadata
        )
    }
}

extension TaskArtifactUpdateEvent {
    /// The 1.0 form of a 0.3 artifact update.
    public init(a2a03 event: A2A03.TaskArtifactUpdateEvent) {
        self.init(
            taskId: event.taskId,
            contextId: event.contextId,
            artifact: Artifact(a2a03: event.artifact),
            append: event.append,
            lastChunk: event.lastChunk,
            metadata: event.metadata
        )
    }
}

// MARK: StreamEvent

extension A2A03 {
    /// The `result` of one event of a 0.3 stream (`message/stream`, `tasks/resubscribe`): the bare
    /// object, told apart by its `kind`. 1.0 wraps the same four objects in `StreamResponse`.
    public enum StreamEvent: Sendable, Hashable {
        case task(Task)
        case message(Message)
        case statusUpdate(TaskStatusUpdateEvent)
        case artifactUpdate(TaskArtifactUpdateEvent)

        /// Whether a client should take this as the last event of the stream: a status update
        /// with `final: true`, or a message (a stream that answers with a message has only that event).
        public var isFinal: Bool {
            switch self {
            case .statusUpdate(let event): event.final
            case .message: true
            case .task, .artifactUpdate: false
            }
        }
    }

    /// The 0.3 stream event of a 1.0 one, with `final` as the caller knows it.
    ///
    /// `final` exists only on status updates, so `isFinal` is ignored for the other kinds.
    ///
    /// - Parameters:
    ///   - event: the 1.0 event.
    ///   - isFinal: whether the server closes the stream after this event.
    /// - Returns: the 0.3 event to send as the `result` of the SSE `data:` line.
    public static func streamEvent(_ event: StreamResponse, isFinal: Bool) -> StreamEvent {
        switch event {
        case .task(let task): .task(Task(task))
        case .message(let message): .message(Message(message))
        case .statusUpdate(let update): .statusUpdate(TaskStatusUpdateEvent(update, final: isFinal))
        case .artifactUpdate(let update): .artifactUpdate(TaskArtifactUpdateEvent(update))
        }
    }

    /// The 0.3 stream event of a 1.0 one, with `final` derived from the state.
    ///
    /// A status update is `final` when its state is terminal (completed, canceled, failed,
    /// rejected) **or interrupted** (input-required, auth-required), because our 1.0 streams
    /// (`SendStreamingMessage`, `SubscribeToTask`) end after either. 0.3 defines `final` as "the
    /// last event of the stream", so a 0.3 client waiting for it sees the end of an
    /// input-required turn too. (a2a-sdk 1.3.0 marks only terminal states `final`; a2a-sdk 0.3
    /// agents sent `final: true` with input-required, and the research notes recommend that.)
    ///
    /// Use ``streamEvent(_:isFinal:)`` instead when a stream can continue past an interrupted
    /// state, or can end before a terminal one.
    public static func streamEvent(_ event: StreamResponse) -> StreamEvent {
        streamEvent(event, isFinal: endsStream(event))
    }

    /// Whether our 1.0 streams end after `event`: a status update with a terminal or interrupted state.
    public static func endsStream(_ event: StreamResponse) -> Bool {
        guard case .statusUpdate(let update) = event else { return false }
        return update.status.state.isTerminal || update.status.state.isInterrupted
    }
}

extension A2A03.StreamEvent: Codable {
    enum CodingKeys: String, CodingKey {
        case kind, taskId, final, messageId, id
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        var kind = try container.decodeIfPresent(String.self, forKey: .kind)
        if kind == nil {
            // Lenient, in the order a2a-sdk's 0.3 client uses for servers that leave `kind` out.
            if container.contains(.taskId), container.contains(.final) {
                kind = "status-update"
            } else if container.contains(.messageId) {
                kind = "message"
            } else if container.contains(.id) {
                kind = "task"
            }
        }
        switch kind {
        case "task": self = .task(try A2A03.Task(from: decoder))
        case "message": self = .message(try A2A03.Message(from: decoder))
        case "status-update": self = .statusUpdate(try A2A03.TaskStatusUpdateEvent(from: decoder))
        case "artifact-update": self = .artifactUpdate(try A2A03.TaskArtifactUpdateEvent(from: decoder))
        default:
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "Expected kind task, message, status-update or artifact-update, found \(kind.map { "'\($0)'" } ?? "none")"
                )
            )
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .task(let task): try task.encode(to: encoder)
        case .message(let message): try message.encode(to: encoder)
        case .statusUpdate(let event): try event.encode(to: encoder)
        case .artifactUpdate(let event): try event.encode(to: encoder)
        }
    }
}

extension A2A03.StreamEvent {
    /// The 0.3 form of a 1.0 stream event with `final` derived from the state (see ``A2A03/streamEvent(_:)``).
    public init(_ event: StreamResponse) {
        self = A2A03.streamEvent(event)
    }
}

extension StreamResponse {
    /// The 1.0 form of a 0.3 stream event: the object wrapped under the member of its kind.
    public init(a2a03 event: A2A03.StreamEvent) {
        switch event {
        case .task(let task): self = .task(A2ATask(a2a03: task))
        case .message(let message): self = .message(Message(a2a03: message))
        case .statusUpdate(let update): self = .statusUpdate(TaskStatusUpdateEvent(a2a03: update))
        case .artifactUpdate(let update): self = .artifactUpdate(TaskArtifactUpdateEvent(a2a03: update))
        }
    }
}
