//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// A change of a task's status (`lf.a2a.v1.TaskStatusUpdateEvent`).
///
/// A2A 1.0 has no `final` flag: a stream simply ends after a terminal state.
public struct TaskStatusUpdateEvent: Sendable, Hashable, Codable {
    public var taskId: String
    public var contextId: String
    public var status: TaskStatus
    public var metadata: JSONObject?

    public init(taskId: String, contextId: String, status: TaskStatus, metadata: JSONObject? = nil) {
        self.taskId = taskId
        self.contextId = contextId
        self.status = status
        self.metadata = metadata
    }
}

/// A new artifact, or a chunk of one (`lf.a2a.v1.TaskArtifactUpdateEvent`).
public struct TaskArtifactUpdateEvent: Sendable, Hashable {
    public var taskId: String
    public var contextId: String
    public var artifact: Artifact
    /// The parts extend an artifact sent earlier with the same id.
    public var append: Bool
    /// This chunk completes the artifact.
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

extension TaskArtifactUpdateEvent: Codable {
    enum CodingKeys: String, CodingKey {
        case taskId, contextId, artifact, append, lastChunk, metadata
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.taskId = try container.decode(String.self, forKey: .taskId)
        self.contextId = try container.decode(String.self, forKey: .contextId)
        self.artifact = try container.decode(Artifact.self, forKey: .artifact)
        self.append = try container.decodeIfPresent(Bool.self, forKey: .append) ?? false
        self.lastChunk = try container.decodeIfPresent(Bool.self, forKey: .lastChunk) ?? false
        self.metadata = try container.decodeIfPresent(JSONObject.self, forKey: .metadata)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(taskId, forKey: .taskId)
        try container.encode(contextId, forKey: .contextId)
        try container.encode(artifact, forKey: .artifact)
        if append { try container.encode(append, forKey: .append) }
        if lastChunk { try container.encode(lastChunk, forKey: .lastChunk) }
        try container.encodeIfPresent(metadata, forKey: .metadata)
    }
}

/// One event of a stream, and the body of a push notification (`lf.a2a.v1.StreamResponse`).
///
/// On the wire the case is the single key of an object: `{"statusUpdate": {…}}`.
public enum StreamResponse: Sendable, Hashable {
    case task(A2ATask)
    case message(Message)
    case statusUpdate(TaskStatusUpdateEvent)
    case artifactUpdate(TaskArtifactUpdateEvent)
}

extension StreamResponse: Codable {
    enum CodingKeys: String, CodingKey {
        case task, message, statusUpdate, artifactUpdate
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "Expected exactly one of task, message, statusUpdate, artifactUpdate")
            )
        }
        switch key {
        case .task: self = .task(try container.decode(A2ATask.self, forKey: .task))
        case .message: self = .message(try container.decode(Message.self, forKey: .message))
        case .statusUpdate: self = .statusUpdate(try container.decode(TaskStatusUpdateEvent.self, forKey: .statusUpdate))
        case .artifactUpdate: self = .artifactUpdate(try container.decode(TaskArtifactUpdateEvent.self, forKey: .artifactUpdate))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .task(let task): try container.encode(task, forKey: .task)
        case .message(let message): try container.encode(message, forKey: .message)
        case .statusUpdate(let event): try container.encode(event, forKey: .statusUpdate)
        case .artifactUpdate(let event): try container.encode(event, forKey: .artifactUpdate)
        }
    }
}

/// The result of `SendMessage`: the task it created or continued, or a direct reply (`lf.a2a.v1.SendMessageResponse`).
public enum SendMessageResponse: Sendable, Hashable {
    case task(A2ATask)
    case message(Message)
}

extension SendMessageResponse: Codable {
    enum CodingKeys: String, CodingKey {
        case task, message
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let task = try container.decodeIfPresent(A2ATask.self, forKey: .task) {
            self = .task(task)
        } else if let message = try container.decodeIfPresent(Message.self, forKey: .message) {
            self = .message(message)
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "Expected task or message"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .task(let task): try container.encode(task, forKey: .task)
        case .message(let message): try container.encode(message, forKey: .message)
        }
    }
}
