//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// The status of a task: its state, an optional message, and when it was set (`lf.a2a.v1.TaskStatus`).
public struct TaskStatus: Sendable, Hashable, Codable {
    public var state: TaskState
    public var message: Message?
    public var timestamp: A2ATimestamp?

    public init(state: TaskState, message: Message? = nil, timestamp: A2ATimestamp? = nil) {
        self.state = state
        self.message = message
        self.timestamp = timestamp
    }
}

/// A unit of work (`lf.a2a.v1.Task`).
///
/// Named `A2ATask` so that it does not shadow Swift's `Task`.
public struct A2ATask: Sendable, Hashable {
    public var id: String
    public var contextId: String
    public var status: TaskStatus
    /// `nil` when the artifacts were left out on purpose (`ListTasks` without `includeArtifacts`);
    /// the key is then omitted from the JSON.
    public var artifacts: [Artifact]?
    public var history: [Message]
    public var metadata: JSONObject?

    public init(
        id: String,
        contextId: String,
        status: TaskStatus,
        artifacts: [Artifact]? = [],
        history: [Message] = [],
        metadata: JSONObject? = nil
    ) {
        self.id = id
        self.contextId = contextId
        self.status = status
        self.artifacts = artifacts
        self.history = history
        self.metadata = metadata
    }
}

extension A2ATask: Codable {
    enum CodingKeys: String, CodingKey {
        case id, contextId, status, artifacts, history, metadata
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.id = try container.decode(String.self, forKey: .id)
        self.contextId = try container.decodeIfPresent(String.self, forKey: .contextId) ?? ""
        self.status = try container.decode(TaskStatus.self, forKey: .status)
        self.artifacts = try container.decodeIfPresent([Artifact].self, forKey: .artifacts) ?? []
        self.history = try container.decodeIfPresent([Message].self, forKey: .history) ?? []
        self.metadata = try container.decodeIfPresent(JSONObject.self, forKey: .metadata)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(contextId, forKey: .contextId)
        try container.encode(status, forKey: .status)
        if let artifacts, !artifacts.isEmpty { try container.encode(artifacts, forKey: .artifacts) }
        if !history.isEmpty { try container.encode(history, forKey: .history) }
        try container.encodeIfPresent(metadata, forKey: .metadata)
    }
}
