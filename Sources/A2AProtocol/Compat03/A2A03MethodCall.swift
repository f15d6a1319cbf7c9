//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

extension A2A03 {
    /// The A2A 0.3 JSON-RPC method names.
    ///
    /// `tasks/list` is not among them: 0.3 has task listing only in gRPC and REST.
    public enum Method: String, Sendable, Hashable, CaseIterable {
        case messageSend = "message/send"
        case messageStream = "message/stream"
        case tasksGet = "tasks/get"
        case tasksCancel = "tasks/cancel"
        case tasksResubscribe = "tasks/resubscribe"
        case pushNotificationConfigSet = "tasks/pushNotificationConfig/set"
        case pushNotificationConfigGet = "tasks/pushNotificationConfig/get"
        case pushNotificationConfigList = "tasks/pushNotificationConfig/list"
        case pushNotificationConfigDelete = "tasks/pushNotificationConfig/delete"
        case getAuthenticatedExtendedCard = "agent/getAuthenticatedExtendedCard"

        /// The 1.0 method this one is served by.
        public var a2aMethod: A2AMethod {
            switch self {
            case .messageSend: .sendMessage
            case .messageStream: .sendStreamingMessage
            case .tasksGet: .getTask
            case .tasksCancel: .cancelTask
            case .tasksResubscribe: .subscribeToTask
            case .pushNotificationConfigSet: .createTaskPushNotificationConfig
            case .pushNotificationConfigGet: .getTaskPushNotificationConfig
            case .pushNotificationConfigList: .listTaskPushNotificationConfigs
            case .pushNotificationConfigDelete: .deleteTaskPushNotificationConfig
            case .getAuthenticatedExtendedCard: .getExtendedAgentCard
            }
        }

        /// Whether the method answers with an SSE stream.
        public var isStreaming: Bool { a2aMethod.isStreaming }
    }
}

/// An A2A 0.3 JSON-RPC call, decoded from its 0.3 params into the 1.0 call that serves it.
///
/// Decode a 0.3 request with `JSONRPCRequest<A2A03MethodCall>`; the application only ever sees
/// ``call``. Methods that are not 0.3 methods (including `tasks/list` and the 1.0 PascalCase
/// names) are "method not found" (-32601). Invalid params are -32602 naming the field
/// (`message.parts[0].file.bytes`), like on the 1.0 path.
///
/// Choices made where 0.3 and 1.0 differ (see the conversions for details):
/// - `message/send`: `blocking` ↔ `returnImmediately` (inverted, absent stays absent, i.e. blocking);
///   `historyLength: 0` means "no limit" in 0.3 and is left unset.
/// - `tasks/get`: the same `historyLength` rule; `metadata` is dropped.
/// - `tasks/pushNotificationConfig/set`: a config without `id` gets the task id as its id (what
///   a2a-sdk 0.3 and 1.3.0 servers do), so that a later `get` without `pushNotificationConfigId`
///   finds it; a missing or empty `taskId` is invalid params.
/// - `tasks/pushNotificationConfig/get` without `pushNotificationConfigId` (deprecated, still in
///   the 0.3 schema) asks for the config whose id is the task id.
/// - `agent/getAuthenticatedExtendedCard`: `params` may be absent or any object (the a2a-sdk
///   client sends `{}`).
public struct A2A03MethodCall: Sendable, Hashable {
    /// The 0.3 method the client called.
    public var method: A2A03.Method
    /// The 1.0 call that serves it.
    public var call: A2AMethodCall

    public init(method: A2A03.Method, call: A2AMethodCall) {
        self.method = method
        self.call = call
    }
}

extension A2A03MethodCall: JSONRPCMethodCall {
    public init?(method name: String, params: JSONRPCParams) throws {
        guard let method = A2A03.Method(rawValue: name) else { return nil }
        let call: A2AMethodCall
        switch method {
        case .messageSend:
            call = .sendMessage(SendMessageRequest(a2a03: try params.decode(A2A03.MessageSendParams.self)))
        case .messageStream:
            call = .sendStreamingMessage(SendMessageRequest(a2a03: try params.decode(A2A03.MessageSendParams.self)))
        case .tasksGet:
            call = .getTask(GetTaskRequest(a2a03: try params.decode(A2A03.TaskQueryParams.self)))
        case .tasksCancel:
            call = .cancelTask(CancelTaskRequest(a2a03: try params.decode(A2A03.TaskIdParams.self)))
        case .tasksResubscribe:
            call = .subscribeToTask(SubscribeToTaskRequest(a2a03: try params.decode(A2A03.TaskIdParams.self)))
        case .pushNotificationConfigSet:
            let nested = try params.decode(A2A03.TaskPushNotificationConfig.self)
            guard !nested.taskId.isEmpty else { throw JSONRPCError.invalidParams(field: "taskId", description: "must not be empty") }
            var config = TaskPushNotificationConfig(a2a03: nested)
            if config.id == nil { config.id = config.taskId }
            call = .createTaskPushNotificationConfig(config)
        case .pushNotificationConfigGet:
            call = .getTaskPushNotificationConfig(
                GetTaskPushNotificationConfigRequest(a2a03: try params.decode(A2A03.GetTaskPushNotificationConfigParams.self))
            )
        case .pushNotificationConfigList:
            call = .listTaskPushNotificationConfigs(
                ListTaskPushNotificationConfigsRequest(a2a03: try params.decode(A2A03.ListTaskPushNotificationConfigParams.self))
            )
        case .pushNotificationConfigDelete:
            call = .deleteTaskPushNotificationConfig(
                DeleteTaskPushNotificationConfigRequest(a2a03: try params.decode(A2A03.DeleteTaskPushNotificationConfigParams.self))
            )
        case .getAuthenticatedExtendedCard:
            // 0.3 declares no params here; whatever object a client sends is ignored.
            call = .getExtendedAgentCard(GetExtendedAgentCardRequest())
        }
        self.init(method: method, call: call)
    }
}
