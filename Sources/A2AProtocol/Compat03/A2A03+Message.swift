//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

extension A2A03 {
    /// One turn of communication in 0.3 (`kind: "message"`).
    ///
    /// Decoding accepts a missing `kind`, as the 0.3 specification's own examples omit it.
    public struct Message: Sendable, Hashable {
        public var messageId: String
        public var contextId: String?
        public var taskId: String?
        public var role: Role
        public var parts: [Part]
        public var metadata: JSONObject?
        /// Extension URIs; left out of the JSON when empty.
        public var extensions: [String]
        /// Left out of the JSON when empty.
        public var referenceTaskIds: [String]

        public init(
            messageId: String,
            contextId: String? = nil,
            taskId: String? = nil,
            role: Role,
            parts: [Part],
            metadata: JSONObject? = nil,
            extensions: [String] = [],
            referenceTaskIds: [String] = []
        ) {
            self.messageId = messageId
            self.contextId = contextId
            self.taskId = taskId
            self.role = role
            self.parts = parts
            self.metadata = metadata
            self.extensions = extensions
            self.referenceTaskIds = referenceTaskIds
        }
    }
}

extension A2A03.Message: Codable {
    enum CodingKeys: String, CodingKey {
        case kind, messageId, contextId, taskId, role, parts, metadata, extensions, referenceTaskIds
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try A2A03.checkKind("message", in: container, key: .kind)
        self.messageId = try container.decode(String.self, forKey: .messageId)
        self.contextId = try container.decodeIfPresent(String.self, forKey: .contextId)
        self.taskId = try container.decodeIfPresent(String.self, forKey: .taskId)
        self.role = try container.decode(A2A03.Role.self, forKey: .role)
        self.parts = try container.decode([A2A03.Part].self, forKey: .parts)
        self.metadata = try container.decodeIfPresent(JSONObject.self, forKey: .metadata)
        self.extensions = try container.decodeIfPresent([String].self, forKey: .extensions) ?? []
        self.referenceTaskIds = try container.decodeIfPresent([String].self, forKey: .referenceTaskIds) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("message", forKey: .kind)
        try container.encode(messageId, forKey: .messageId)
        try container.encodeIfPresent(contextId, forKey: .contextId)
        try container.encodeIfPresent(taskId, forKey: .taskId)
        try container.encode(role, forKey: .role)
        try container.encode(parts, forKey: .parts)
        try container.encodeIfPresent(metadata, forKey: .metadata)
        if !extensions.isEmpty { try container.encode(extensions, forKey: .extensions) }
        if !referenceTaskIds.isEmpty { try container.encode(referenceTaskIds, forKey: .referenceTaskIds) }
    }
}

extension A2A03.Message {
    /// The 0.3 form of a 1.0 message: roles as in ``A2A03/Role/init(_:)``, parts as in
    /// ``A2A03/Part/init(_:)``, and empty `contextId`/`taskId` left out.
    public init(_ message: A2AProtocol.Message) {
        self.init(
            messageId: message.messageId,
            contextId: message.contextId.nonEmpty,
            taskId: message.taskId.nonEmpty,
            role: A2A03.Role(message.role),
            parts: message.parts.map { A2A03.Part($0) },
            metadata: message.metadata,
            extensions: message.extensions,
            referenceTaskIds: message.referenceTaskIds
        )
    }
}

extension Message {
    /// The 1.0 form of a 0.3 message.
    public init(a2a03 message: A2A03.Message) {
        self.init(
            messageId: message.messageId,
            contextId: message.contextId,
            taskId: message.taskId,
            role: Role(a2a03: message.role),
            parts: message.parts.map { Part(a2a03: $0) },
            metadata: message.metadata,
            extensions: message.extensions,
            referenceTaskIds: message.referenceTaskIds
        )
    }
}
