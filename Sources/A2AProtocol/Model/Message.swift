//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// One turn of communication between client and agent (`lf.a2a.v1.Message`).
public struct Message: Sendable, Hashable {
    public var messageId: String
    public var contextId: String?
    public var taskId: String?
    public var role: Role
    public var parts: [Part]
    public var metadata: JSONObject?
    public var extensions: [String]
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

extension Message: Codable {
    enum CodingKeys: String, CodingKey {
        case messageId, contextId, taskId, role, parts, metadata, extensions, referenceTaskIds
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: ProtoJSONKey.self)
        self.messageId = try container.decode(String.self, field: "messageId")
        self.contextId = try container.decodeIfPresent(String.self, field: "contextId")
        self.taskId = try container.decodeIfPresent(String.self, field: "taskId")
        self.role = try container.decode(Role.self, field: "role")
        self.parts = try container.decode([Part].self, field: "parts")
        self.metadata = try container.decodeIfPresent(JSONObject.self, field: "metadata")
        self.extensions = try container.decodeIfPresent([String].self, field: "extensions") ?? []
        self.referenceTaskIds = try container.decodeIfPresent([String].self, field: "referenceTaskIds") ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
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
