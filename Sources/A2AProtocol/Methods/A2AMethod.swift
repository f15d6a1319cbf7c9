//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// The A2A 1.0 JSON-RPC method names.
public enum A2AMethod: String, Sendable, CaseIterable {
    case sendMessage = "SendMessage"
    case sendStreamingMessage = "SendStreamingMessage"
    case getTask = "GetTask"
    case listTasks = "ListTasks"
    case cancelTask = "CancelTask"
    case subscribeToTask = "SubscribeToTask"
    case createTaskPushNotificationConfig = "CreateTaskPushNotificationConfig"
    case getTaskPushNotificationConfig = "GetTaskPushNotificationConfig"
    case listTaskPushNotificationConfigs = "ListTaskPushNotificationConfigs"
    case deleteTaskPushNotificationConfig = "DeleteTaskPushNotificationConfig"
    case getExtendedAgentCard = "GetExtendedAgentCard"

    /// Whether the method answers with an SSE stream.
    public var isStreaming: Bool {
        self == .sendStreamingMessage || self == .subscribeToTask
    }
}

/// An A2A 1.0 method call with its typed params.
public enum A2AMethodCall: Sendable, Hashable {
    case sendMessage(SendMessageRequest)
    case sendStreamingMessage(SendMessageRequest)
    case getTask(GetTaskRequest)
    case listTasks(ListTasksRequest)
    case cancelTask(CancelTaskRequest)
    case subscribeToTask(SubscribeToTaskRequest)
    case createTaskPushNotificationConfig(TaskPushNotificationConfig)
    case getTaskPushNotificationConfig(GetTaskPushNotificationConfigRequest)
    case listTaskPushNotificationConfigs(ListTaskPushNotificationConfigsRequest)
    case deleteTaskPushNotificationConfig(DeleteTaskPushNotificationConfigRequest)
    case getExtendedAgentCard(GetExtendedAgentCardRequest)

    /// The method this call is for.
    public var method: A2AMethod {
        switch self {
        case .sendMessage: .sendMessage
        case .sendStreamingMessage: .sendStreamingMessage
        case .getTask: .getTask
        case .listTasks: .listTasks
        case .cancelTask: .cancelTask
        case .subscribeToTask: .subscribeToTask
        case .createTaskPushNotificationConfig: .createTaskPushNotificationConfig
        case .getTaskPushNotificationConfig: .getTaskPushNotificationConfig
        case .listTaskPushNotificationConfigs: .listTaskPushNotificationConfigs
        case .deleteTaskPushNotificationConfig: .deleteTaskPushNotificationConfig
        case .getExtendedAgentCard: .getExtendedAgentCard
        }
    }

    /// The `tenant` param, when the client sent one.
    public var tenant: String? {
        switch self {
        case .sendMessage(let params), .sendStreamingMessage(let params): params.tenant
        case .getTask(let params): params.tenant
        case .listTasks(let params): params.tenant
        case .cancelTask(let params): params.tenant
        case .subscribeToTask(let params): params.tenant
        case .createTaskPushNotificationConfig(let params): params.tenant
        case .getTaskPushNotificationConfig(let params): params.tenant
        case .listTaskPushNotificationConfigs(let params): params.tenant
        case .deleteTaskPushNotificationConfig(let params): params.tenant
        case .getExtendedAgentCard(let params): params.tenant
        }
    }
}

extension A2AMethodCall: JSONRPCMethodCall {
    public init?(method: String, params: JSONRPCParams) throws {
        guard let method = A2AMethod(rawValue: method) else { return nil }
        switch method {
        case .sendMessage: self = .sendMessage(try params.decode(SendMessageRequest.self))
        case .sendStreamingMessage: self = .sendStreamingMessage(try params.decode(SendMessageRequest.self))
        case .getTask: self = .getTask(try params.decode(GetTaskRequest.self))
        case .listTasks: self = .listTasks(try params.decode(ListTasksRequest.self, default: ListTasksRequest()))
        case .cancelTask: self = .cancelTask(try params.decode(CancelTaskRequest.self))
        case .subscribeToTask: self = .subscribeToTask(try params.decode(SubscribeToTaskRequest.self))
        case .createTaskPushNotificationConfig:
            let config = try params.decode(TaskPushNotificationConfig.self)
            // The decoder allows an empty taskId for SendMessageConfiguration; Create needs the task.
            guard !config.taskId.isEmpty else { throw JSONRPCError.invalidParams(field: "taskId", description: "required field is missing") }
            self = .createTaskPushNotificationConfig(config)
        case .getTaskPushNotificationConfig:
            self = .getTaskPushNotificationConfig(try params.decode(GetTaskPushNotificationConfigRequest.self))
        case .listTaskPushNotificationConfigs:
            self = .listTaskPushNotificationConfigs(try params.decode(ListTaskPushNotificationConfigsRequest.self))
        case .deleteTaskPushNotificationConfig:
            self = .deleteTaskPushNotificationConfig(try params.decode(DeleteTaskPushNotificationConfigRequest.self))
        case .getExtendedAgentCard:
            self = .getExtendedAgentCard(try params.decode(GetExtendedAgentCardRequest.self, default: GetExtendedAgentCardRequest()))
        }
    }
}
