//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

extension A2A03 {
    /// Options of `message/send` and `message/stream` (all optional).
    public struct MessageSendConfiguration: Sendable, Hashable, Codable {
        public var acceptedOutputModes: [String]?
        /// In 0.3, `0` means "no limit" (see ``A2AProtocol/SendMessageConfiguration/init(a2a03:)``).
        public var historyLength: Int?
        /// The bare config; the task does not exist yet.
        public var pushNotificationConfig: PushNotificationConfig?
        /// Wait for a terminal or interrupted state. Absent means `true`.
        public var blocking: Bool?

        public init(
            acceptedOutputModes: [String]? = nil,
            historyLength: Int? = nil,
            pushNotificationConfig: PushNotificationConfig? = nil,
            blocking: Bool? = nil
        ) {
            self.acceptedOutputModes = acceptedOutputModes
            self.historyLength = historyLength
            self.pushNotificationConfig = pushNotificationConfig
            self.blocking = blocking
        }
    }

    /// Params of `message/send` and `message/stream`.
    public struct MessageSendParams: Sendable, Hashable, Codable {
        public var message: Message
        public var configuration: MessageSendConfiguration?
        public var metadata: JSONObject?

        public init(message: Message, configuration: MessageSendConfiguration? = nil, metadata: JSONObject? = nil) {
            self.message = message
            self.configuration = configuration
            self.metadata = metadata
        }
    }

    /// Params of `tasks/cancel` and `tasks/resubscribe`: `id` is the task.
    public struct TaskIdParams: Sendable, Hashable, Codable {
        public var id: String
        public var metadata: JSONObject?

        public init(id: String, metadata: JSONObject? = nil) {
            self.id = id
            self.metadata = metadata
        }
    }

    /// Params of `tasks/get`: `id` is the task.
    public struct TaskQueryParams: Sendable, Hashable, Codable {
        public var id: String
        /// In 0.3, `0` means "no limit", like an absent value.
        public var historyLength: Int?
        public var metadata: JSONObject?

        public init(id: String, historyLength: Int? = nil, metadata: JSONObject? = nil) {
            self.id = id
            self.historyLength = historyLength
            self.metadata = metadata
        }
    }

    /// Params of `tasks/pushNotificationConfig/get`: `id` is the **task**, `pushNotificationConfigId` the config.
    ///
    /// The deprecated form without `pushNotificationConfigId` (plain `TaskIdParams`) is accepted.
    public struct GetTaskPushNotificationConfigParams: Sendable, Hashable, Codable {
        public var id: String
        public var pushNotificationConfigId: String?
        public var metadata: JSONObject?

        public init(id: String, pushNotificationConfigId: String? = nil, metadata: JSONObject? = nil) {
            self.id = id
            self.pushNotificationConfigId = pushNotificationConfigId
            self.metadata = metadata
        }
    }

    /// Params of `tasks/pushNotificationConfig/delete`: `id` is the **task**, `pushNotificationConfigId` the config.
    public struct DeleteTaskPushNotificationConfigParams: Sendable, Hashable, Codable {
        public var id: String
        public var pushNotificationConfigId: String
        public var metadata: JSONObject?

        public init(id: String, pushNotificationConfigId: String, metadata: JSONObject? = nil) {
            self.id = id
            self.pushNotificationConfigId = pushNotificationConfigId
            self.metadata = metadata
        }
    }

    /// Params of `tasks/pushNotificationConfig/list`: `id` is the task.
    public typealias ListTaskPushNotificationConfigParams = TaskIdParams
}

// MARK: To 1.0

extension SendMessageConfiguration {
    /// The 1.0 form of 0.3 options.
    ///
    /// - `blocking` is the inverse of `returnImmediately`: absent stays absent (blocking, the
    ///   default of both versions), `true` is `returnImmediately: false`, `false` is `true`.
    /// - `historyLength`: **0.3 `0` means "no limit"** (a2a-sdk 0.3 only truncated for values > 0,
    ///   and a2a-sdk 1.3.0 maps it the same way), whereas 1.0 `0` means "no history". So `0`
    ///   becomes unset, which is "all history" in 1.0; other values are kept as they are
    ///   (negative ones included, for the application to reject as it does for 1.0).
    /// - `pushNotificationConfig` becomes the flat `taskPushNotificationConfig` with an empty task id.
    public init(a2a03 configuration: A2A03.MessageSendConfiguration) {
        self.init(
            acceptedOutputModes: configuration.acceptedOutputModes,
            taskPushNotificationConfig: configuration.pushNotificationConfig.map { TaskPushNotificationConfig(a2a03: $0, taskId: "") },
            historyLength: A2A03.historyLength(configuration.historyLength),
            returnImmediately: configuration.blocking.map { !$0 }
        )
    }
}

extension SendMessageRequest {
    /// The 1.0 params of a 0.3 `message/send` or `message/stream`. The tenant is left unset.
    public init(a2a03 params: A2A03.MessageSendParams) {
        self.init(
            message: Message(a2a03: params.message),
            configuration: params.configuration.map { SendMessageConfiguration(a2a03: $0) },
            metadata: params.metadata
        )
    }
}

extension GetTaskRequest {
    /// The 1.0 params of a 0.3 `tasks/get`: `historyLength` `0` becomes unset (see
    /// ``SendMessageConfiguration/init(a2a03:)``); `metadata` has no 1.0 counterpart and is dropped.
    public init(a2a03 params: A2A03.TaskQueryParams) {
        self.init(id: params.id, historyLength: A2A03.historyLength(params.historyLength))
    }
}

extension CancelTaskRequest {
    /// The 1.0 params of a 0.3 `tasks/cancel`.
    public init(a2a03 params: A2A03.TaskIdParams) {
        self.init(id: params.id, metadata: params.metadata)
    }
}

extension SubscribeToTaskRequest {
    /// The 1.0 params of a 0.3 `tasks/resubscribe`; `metadata` is dropped.
    public init(a2a03 params: A2A03.TaskIdParams) {
        self.init(id: params.id)
    }
}

extension GetTaskPushNotificationConfigRequest {
    /// The 1.0 params of a 0.3 `tasks/pushNotificationConfig/get`: the 0.3 `id` is the 1.0
    /// `taskId`, and `pushNotificationConfigId` the 1.0 `id`.
    ///
    /// Without `pushNotificationConfigId` (the deprecated form) the config id is the task id:
    /// that is the id a config set over 0.3 without an id gets (see ``A2A03MethodCall``).
    public init(a2a03 params: A2A03.GetTaskPushNotificationConfigParams) {
        self.init(taskId: params.id, id: params.pushNotificationConfigId.nonEmpty ?? params.id)
    }
}

extension DeleteTaskPushNotificationConfigRequest {
    /// The 1.0 params of a 0.3 `tasks/pushNotificationConfig/delete` (`id` → `taskId`,
    /// `pushNotificationConfigId` → `id`).
    public init(a2a03 params: A2A03.DeleteTaskPushNotificationConfigParams) {
        self.init(taskId: params.id, id: params.pushNotificationConfigId)
    }
}

extension ListTaskPushNotificationConfigsRequest {
    /// The 1.0 params of a 0.3 `tasks/pushNotificationConfig/list`. 0.3 has no paging: the
    /// caller must return every config (see ``A2A03/Response``).
    public init(a2a03 params: A2A03.ListTaskPushNotificationConfigParams) {
        self.init(taskId: params.id)
    }
}

extension A2A03 {
    /// 0.3 `historyLength` in 1.0 terms: `0` ("no limit" in 0.3) is unset.
    static func historyLength(_ value: Int?) -> Int? {
        value == 0 ? nil : value
    }
}

// MARK: From 1.0 (the client side, and round trips)

extension A2A03.MessageSendConfiguration {
    /// The 0.3 form of 1.0 options: `blocking` is `!returnImmediately` and always set;
    /// `historyLength` is copied when set.
    public init(_ configuration: SendMessageConfiguration) {
        self.init(
            acceptedOutputModes: configuration.acceptedOutputModes,
            historyLength: configuration.historyLength,
            pushNotificationConfig: configuration.taskPushNotificationConfig.map { A2A03.PushNotificationConfig($0) },
            blocking: !(configuration.returnImmediately ?? false)
        )
    }
}

extension A2A03.MessageSendParams {
    /// The 0.3 params of a 1.0 `SendMessage`; the tenant is dropped.
    public init(_ request: SendMessageRequest) {
        self.init(
            message: A2A03.Message(request.message),
            configuration: request.configuration.map { A2A03.MessageSendConfiguration($0) },
            metadata: request.metadata
        )
    }
}
