//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// Options of a `SendMessage` (`lf.a2a.v1.SendMessageConfiguration`).
public struct SendMessageConfiguration: Sendable, Hashable, Codable {
    public var acceptedOutputModes: [String]?
    public var taskPushNotificationConfig: TaskPushNotificationConfig?
    public var historyLength: Int?
    /// Return as soon as the task exists instead of waiting for a terminal or interrupted state.
    public var returnImmediately: Bool?

    public init(
        acceptedOutputModes: [String]? = nil,
        taskPushNotificationConfig: TaskPushNotificationConfig? = nil,
        historyLength: Int? = nil,
        returnImmediately: Bool? = nil
    ) {
        self.acceptedOutputModes = acceptedOutputModes
        self.taskPushNotificationConfig = taskPushNotificationConfig
        self.historyLength = historyLength
        self.returnImmediately = returnImmediately
    }
}

/// Params of `SendMessage` and `SendStreamingMessage` (`lf.a2a.v1.SendMessageRequest`).
public struct SendMessageRequest: Sendable, Hashable, Codable {
    public var tenant: String?
    public var message: Message
    public var configuration: SendMessageConfiguration?
    public var metadata: JSONObject?

    public init(tenant: String? = nil, message: Message, configuration: SendMessageConfiguration? = nil, metadata: JSONObject? = nil) {
        self.tenant = tenant
        self.message = message
        self.configuration = configuration
        self.metadata = metadata
    }
}

/// Params of `GetTask`.
public struct GetTaskRequest: Sendable, Hashable, Codable {
    public var tenant: String?
    public var id: String
    /// Unset: the whole history; 0: none; N: the last N messages.
    public var historyLength: Int?

    public init(tenant: String? = nil, id: String, historyLength: Int? = nil) {
        self.tenant = tenant
        self.id = id
        self.historyLength = historyLength
    }
}

/// Params of `ListTasks`.
public struct ListTasksRequest: Sendable, Hashable, Codable {
    public var tenant: String?
    public var contextId: String?
    public var status: TaskState?
    public var pageSize: Int?
    public var pageToken: String?
    public var historyLength: Int?
    public var statusTimestampAfter: A2ATimestamp?
    public var includeArtifacts: Bool?

    public init(
        tenant: String? = nil,
        contextId: String? = nil,
        status: TaskState? = nil,
        pageSize: Int? = nil,
        pageToken: String? = nil,
        historyLength: Int? = nil,
        statusTimestampAfter: A2ATimestamp? = nil,
        includeArtifacts: Bool? = nil
    ) {
        self.tenant = tenant
        self.contextId = contextId
        self.status = status
        self.pageSize = pageSize
        self.pageToken = pageToken
        self.historyLength = historyLength
        self.statusTimestampAfter = statusTimestampAfter
        self.includeArtifacts = includeArtifacts
    }
}

/// Result of `ListTasks`. `nextPageToken` is empty on the last page.
public struct ListTasksResponse: Sendable, Hashable, Codable {
    public var tasks: [A2ATask]
    public var nextPageToken: String
    public var pageSize: Int
    public var totalSize: Int

    public init(tasks: [A2ATask], nextPageToken: String, pageSize: Int, totalSize: Int) {
        self.tasks = tasks
        self.nextPageToken = nextPageToken
        self.pageSize = pageSize
        self.totalSize = totalSize
    }
}

/// Params of `CancelTask`.
public struct CancelTaskRequest: Sendable, Hashable, Codable {
    public var tenant: String?
    public var id: String
    public var metadata: JSONObject?

    public init(tenant: String? = nil, id: String, metadata: JSONObject? = nil) {
        self.tenant = tenant
        self.id = id
        self.metadata = metadata
    }
}

/// Params of `SubscribeToTask`.
public struct SubscribeToTaskRequest: Sendable, Hashable, Codable {
    public var tenant: String?
    public var id: String

    public init(tenant: String? = nil, id: String) {
        self.tenant = tenant
        self.id = id
    }
}

/// Params of `GetTaskPushNotificationConfig`.
public struct GetTaskPushNotificationConfigRequest: Sendable, Hashable, Codable {
    public var tenant: String?
    public var taskId: String
    public var id: String

    public init(tenant: String? = nil, taskId: String, id: String) {
        self.tenant = tenant
        self.taskId = taskId
        self.id = id
    }
}

/// Params of `DeleteTaskPushNotificationConfig`.
public struct DeleteTaskPushNotificationConfigRequest: Sendable, Hashable, Codable {
    public var tenant: String?
    public var taskId: String
    public var id: String

    public init(tenant: String? = nil, taskId: String, id: String) {
        self.tenant = tenant
        self.taskId = taskId
        self.id = id
    }
}

/// Params of `ListTaskPushNotificationConfigs`.
public struct ListTaskPushNotificationConfigsRequest: Sendable, Hashable, Codable {
    public var tenant: String?
    public var taskId: String
    public var pageSize: Int?
    public var pageToken: String?

    public init(tenant: String? = nil, taskId: String, pageSize: Int? = nil, pageToken: String? = nil) {
        self.tenant = tenant
        self.taskId = taskId
        self.pageSize = pageSize
        self.pageToken = pageToken
    }
}

/// Result of `ListTaskPushNotificationConfigs`.
public struct ListTaskPushNotificationConfigsResponse: Sendable, Hashable, Codable {
    public var configs: [TaskPushNotificationConfig]
    public var nextPageToken: String

    public init(configs: [TaskPushNotificationConfig], nextPageToken: String = "") {
        self.configs = configs
        self.nextPageToken = nextPageToken
    }
}

/// Params of `GetExtendedAgentCard`.
public struct GetExtendedAgentCardRequest: Sendable, Hashable, Codable {
    public var tenant: String?

    public init(tenant: String? = nil) {
        self.tenant = tenant
    }
}

/// An empty result (`google.protobuf.Empty`), written as `{}`.
public struct EmptyResult: Sendable, Hashable, Codable {
    public init() {}
}

// MARK: ProtoJSON decoding (JSON names and proto names alike)

extension SendMessageConfiguration {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: ProtoJSONKey.self)
        self.acceptedOutputModes = try container.decodeIfPresent([String].self, field: "acceptedOutputModes")
        self.taskPushNotificationConfig = try container.decodeIfPresent(TaskPushNotificationConfig.self, field: "taskPushNotificationConfig")
        self.historyLength = try container.decodeIfPresent(Int.self, field: "historyLength")
        self.returnImmediately = try container.decodeIfPresent(Bool.self, field: "returnImmediately")
    }
}

extension SendMessageRequest {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: ProtoJSONKey.self)
        self.tenant = try container.decodeIfPresent(String.self, field: "tenant")
        self.message = try container.decode(Message.self, field: "message")
        self.configuration = try container.decodeIfPresent(SendMessageConfiguration.self, field: "configuration")
        self.metadata = try container.decodeIfPresent(JSONObject.self, field: "metadata")
    }
}

extension GetTaskRequest {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: ProtoJSONKey.self)
        self.tenant = try container.decodeIfPresent(String.self, field: "tenant")
        self.id = try container.decode(String.self, field: "id")
        self.historyLength = try container.decodeIfPresent(Int.self, field: "historyLength")
    }
}

extension ListTasksRequest {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: ProtoJSONKey.self)
        self.tenant = try container.decodeIfPresent(String.self, field: "tenant")
        self.contextId = try container.decodeIfPresent(String.self, field: "contextId")
        self.status = try container.decodeIfPresent(TaskState.self, field: "status")
        self.pageSize = try container.decodeIfPresent(Int.self, field: "pageSize")
        self.pageToken = try container.decodeIfPresent(String.self, field: "pageToken")
        self.historyLength = try container.decodeIfPresent(Int.self, field: "historyLength")
        self.statusTimestampAfter = try container.decodeIfPresent(A2ATimestamp.self, field: "statusTimestampAfter")
        self.includeArtifacts = try container.decodeIfPresent(Bool.self, field: "includeArtifacts")
    }
}

extension CancelTaskRequest {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: ProtoJSONKey.self)
        self.tenant = try container.decodeIfPresent(String.self, field: "tenant")
        self.id = try container.decode(String.self, field: "id")
        self.metadata = try container.decodeIfPresent(JSONObject.self, field: "metadata")
    }
}

extension SubscribeToTaskRequest {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: ProtoJSONKey.self)
        self.tenant = try container.decodeIfPresent(String.self, field: "tenant")
        self.id = try container.decode(String.self, field: "id")
    }
}

extension GetTaskPushNotificationConfigRequest {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: ProtoJSONKey.self)
        self.tenant = try container.decodeIfPresent(String.self, field: "tenant")
        self.taskId = try container.decode(String.self, field: "taskId")
        self.id = try container.decode(String.self, field: "id")
    }
}

extension DeleteTaskPushNotificationConfigRequest {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: ProtoJSONKey.self)
        self.tenant = try container.decodeIfPresent(String.self, field: "tenant")
        self.taskId = try container.decode(String.self, field: "taskId")
        self.id = try container.decode(String.self, field: "id")
    }
}

extension ListTaskPushNotificationConfigsRequest {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: ProtoJSONKey.self)
        self.tenant = try container.decodeIfPresent(String.self, field: "tenant")
        self.taskId = try container.decode(String.self, field: "taskId")
        self.pageSize = try container.decodeIfPresent(Int.self, field: "pageSize")
        self.pageToken = try container.decodeIfPresent(String.self, field: "pageToken")
    }
}

extension GetExtendedAgentCardRequest {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: ProtoJSONKey.self)
        self.tenant = try container.decodeIfPresent(String.self, field: "tenant")
    }
}
