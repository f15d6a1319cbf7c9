//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

// MARK: TaskStatus

extension A2A03 {
    /// The status of a task in 0.3: a kebab-case state, an optional message and an ISO 8601 timestamp.
    ///
    /// Timestamps without a zone (`2025-04-02T16:59:25.331844`, as in the 0.3 specification's
    /// examples) are read as UTC; timestamps are always written in UTC with `Z`.
    public struct TaskStatus: Sendable, Hashable {
        public var state: TaskState
        public var message: Message?
        public var timestamp: A2ATimestamp?

        public init(state: TaskState, message: Message? = nil, timestamp: A2ATimestamp? = nil) {
            self.state = state
            self.message = message
            self.timestamp = timestamp
        }
    }
}

extension A2A03.TaskStatus: Codable {
    enum CodingKeys: String, CodingKey {
        case state, message, timestamp
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.state = try container.decode(A2A03.TaskState.self, forKey: .state)
        self.message = try container.decodeIfPresent(A2A03.Message.self, forKey: .message)
        if let string = try container.decodeIfPresent(String.self, forKey: .timestamp) {
            guard let timestamp = A2A03.timestamp(string) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .timestamp,
                    in: container,
                    debugDescription: "Expected an ISO 8601 timestamp such as 2025-11-09T10:30:00.000Z"
                )
            }
            self.timestamp = timestamp
        } else {
            self.timestamp = nil
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(state, forKey: .state)
        try container.encodeIfPresent(message, forKey: .message)
        try container.encodeIfPresent(timestamp, forKey: .timestamp)
    }
}

extension A2A03.TaskStatus {
    /// The 0.3 form of a 1.0 status.
    public init(_ status: A2AProtocol.TaskStatus) {
        self.init(state: A2A03.TaskState(status.state), message: status.message.map { A2A03.Message($0) }, timestamp: status.timestamp)
    }
}

extension TaskStatus {
    /// The 1.0 form of a 0.3 status.
    public init(a2a03 status: A2A03.TaskStatus) {
        self.init(state: TaskState(a2a03: status.state), message: status.message.map { Message(a2a03: $0) }, timestamp: status.timestamp)
    }
}

// MARK: Artifact

extension A2A03 {
    /// An output of a task in 0.3. Same fields as in 1.0 (and no `kind`); only the parts differ.
    public struct Artifact: Sendable, Hashable {
        public var artifactId: String
        public var name: String?
        public var description: String?
        public var parts: [Part]
        public var metadata: JSONObject?
        /// Left out of the JSON when empty.
        public var extensions: [String]

        public init(
            artifactId: String,
            name: String? = nil,
            description: String? = nil,
            parts: [Part],
            metadata: JSONObject? = nil,
            extensions: [String] = []
        ) {
            self.artifactId = artifactId
            self.name = name
            self.description = description
            self.parts = parts
            self.metadata = metadata
            self.extensions = extensions
        }
    }
}

extension A2A03.Artifact: Codable {
    enum CodingKeys: String, CodingKey {
        case artifactId, name, description, parts, metadata, extensions
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.artifactId = try container.decode(String.self, forKey: .artifactId)
        self.name = try container.decodeIfPresent(String.self, forKey: .name)
        self.description = try container.decodeIfPresent(String.self, forKey: .description)
        self.parts = try container.decode([A2A03.Part].self, forKey: .parts)
        self.metadata = try container.decodeIfPresent(JSONObject.self, forKey: .metadata)
        self.extensions = try container.decodeIfPresent([String].self, forKey: .extensions) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(artifactId, forKey: .artifactId)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encodeIfPresent(description, forKey: .description)
        try container.encode(parts, forKey: .parts)
        try container.encodeIfPresent(metadata, forKey: .metadata)
        if !extensions.isEmpty { try container.encode(extensions, forKey: .extensions) }
    }
}

extension A2A03.Artifact {
    /// The 0.3 form of a 1.0 artifact; empty `name` and `description` are left out.
    public init(_ artifact: A2AProtocol.Artifact) {
        self.init(
            artifactId: artifact.artifactId,
            name: artifact.name.nonEmpty,
            description: artifact.description.nonEmpty,
            parts: artifact.parts.map { A2A03.Part($0) },
            metadata: artifact.metadata,
            extensions: artifact.extensions
        )
    }
}

extension Artifact {
    /// The 1.0 form of a 0.3 artifact.
    public init(a2a03 artifact: A2A03.Artifact) {
        self.init(
            artifactId: artifact.artifactId,
            name: artifact.name,
            description: artifact.description,
            parts: artifact.parts.map { Part(a2a03: $0) },
            metadata: artifact.metadata,
            extensions: artifact.extensions
        )
    }
}

// MARK: Task

extension A2A03 {
    /// A unit of work in 0.3 (`kind: "task"`). `contextId` is required in 0.3.
    public struct Task: Sendable, Hashable {
        public var id: String
        public var contextId: String
        public var status: TaskStatus
        /// Left out of the JSON when empty.
        public var history: [Message]
        /// Left out of the JSON when empty.
        public var artifacts: [Artifact]
        public var metadata: JSONObject?

        public init(
            id: String,
            contextId: String,
            status: TaskStatus,
            history: [Message] = [],
            artifacts: [Artifact] = [],
            metadata: JSONObject? = nil
        ) {
            self.id = id
            self.contextId = contextId
            self.status = status
            self.history = history
            self.artifacts = artifacts
            self.metadata = metadata
        }
    }
}

extension A2A03.Task: Codable {
    enum CodingKeys: String, CodingKey {
        case kind, id, contextId, status, history, artifacts, metadata
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try A2A03.checkKind("task", in: container, key: .kind)
        self.id = try container.decode(String.self, forKey: .id)
        self.contextId = try container.decode(String.self, forKey: .contextId)
        self.status = try container.decode(A2A03.TaskStatus.self, forKey: .status)
        self.history = try container.decodeIfPresent([A2A03.Message].self, forKey: .history) ?? []
        self.artifacts = try container.decodeIfPresent([A2A03.Artifact].self, forKey: .artifacts) ?? []
        self.metadata = try container.decodeIfPresent(JSONObject.self, forKey: .metadata)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("task", forKey: .kind)
        try container.encode(id, forKey: .id)
        try container.encode(contextId, forKey: .contextId)
        try container.encode(status, forKey: .status)
        if !history.isEmpty { try container.encode(history, forKey: .history) }
        if !artifacts.isEmpty { try container.encode(artifacts, forKey: .artifacts) }
        try container.encodeIfPresent(metadata, forKey: .metadata)
    }
}

extension A2A03.Task {
    /// The 0.3 form of a 1.0 task. Artifacts left out on purpose (`nil`) are left out here too.
    public init(_ task: A2ATask) {
        self.init(
            id: task.id,
            contextId: task.contextId,
            status: A2A03.TaskStatus(task.status),
            history: task.history.map { A2A03.Message($0) },
            artifacts: (task.artifacts ?? []).map { A2A03.Artifact($0) },
            metadata: task.metadata
        )
    }
}

extension A2ATask {
    /// The 1.0 form of a 0.3 task.
    public init(a2a03 task: A2A03.Task) {
        self.init(
            id: task.id,
            contextId: task.contextId,
            status: TaskStatus(a2a03: task.status),
            artifacts: task.artifacts.map { Artifact(a2a03: $0) },
            history: task.history.map { Message(a2a03: $0) },
            metadata: task.metadata
        )
    }
}
