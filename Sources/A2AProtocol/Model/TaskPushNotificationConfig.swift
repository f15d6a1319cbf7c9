//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// Where to deliver a task's updates (`lf.a2a.v1.TaskPushNotificationConfig`).
public struct TaskPushNotificationConfig: Sendable, Hashable, Codable {
    public var tenant: String?
    /// Server-assigned when the client leaves it out.
    public var id: String?
    public var taskId: String
    public var url: String
    /// An opaque token the receiver can use to check the notification is about its own task.
    public var token: String?
    public var authentication: AuthenticationInfo?

    public init(
        tenant: String? = nil,
        id: String? = nil,
        taskId: String,
        url: String,
        token: String? = nil,
        authentication: AuthenticationInfo? = nil
    ) {
        self.tenant = tenant
        self.id = id
        self.taskId = taskId
        self.url = url
        self.token = token
        self.authentication = authentication
    }

    enum CodingKeys: String, CodingKey {
        case tenant, id, taskId, url, token, authentication
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: ProtoJSONKey.self)
        self.tenant = try container.decodeIfPresent(String.self, field: "tenant")
        self.id = try container.decodeIfPresent(String.self, field: "id")
        // `taskId` is required for Create; inside SendMessageConfiguration the task does not exist yet.
        self.taskId = try container.decodeIfPresent(String.self, field: "taskId") ?? ""
        self.url = try container.decode(String.self, field: "url")
        self.token = try container.decodeIfPresent(String.self, field: "token")
        self.authentication = try container.decodeIfPresent(AuthenticationInfo.self, field: "authentication")
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(tenant, forKey: .tenant)
        try container.encodeIfPresent(id, forKey: .id)
        // Empty inside SendMessageConfiguration, where the task does not exist yet: left out, as ProtoJSON does.
        if !taskId.isEmpty { try container.encode(taskId, forKey: .taskId) }
        try container.encode(url, forKey: .url)
        try container.encodeIfPresent(token, forKey: .token)
        try container.encodeIfPresent(authentication, forKey: .authentication)
    }
}

/// Credentials the server sends with each notification: `Authorization: <scheme> <credentials>`.
public struct AuthenticationInfo: Sendable, Hashable, Codable {
    public var scheme: String
    public var credentials: String?

    public init(scheme: String, credentials: String? = nil) {
        self.scheme = scheme
        self.credentials = credentials
    }
}
