//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

extension A2A03 {
    /// The credentials for push notifications in 0.3: a list of acceptable schemes.
    ///
    /// 1.0 has exactly one `scheme`, so only `schemes[0]` survives the conversion.
    public struct PushNotificationAuthenticationInfo: Sendable, Hashable, Codable {
        /// `Bearer`, `Basic`, …
        public var schemes: [String]
        public var credentials: String?

        public init(schemes: [String], credentials: String? = nil) {
            self.schemes = schemes
            self.credentials = credentials
        }
    }

    /// Where to deliver a task's updates, in 0.3 (no task id; nested inside
    /// ``A2A03/TaskPushNotificationConfig`` or `MessageSendConfiguration`).
    public struct PushNotificationConfig: Sendable, Hashable, Codable {
        /// Set by the client, so that one task can have several callbacks.
        public var id: String?
        public var url: String
        public var token: String?
        public var authentication: PushNotificationAuthenticationInfo?

        public init(id: String? = nil, url: String, token: String? = nil, authentication: PushNotificationAuthenticationInfo? = nil) {
            self.id = id
            self.url = url
            self.token = token
            self.authentication = authentication
        }
    }

    /// A task's push notification config in 0.3: the config nested under `pushNotificationConfig`.
    ///
    /// The params of `tasks/pushNotificationConfig/set`, the result of `set` and `get`, and the
    /// element of the `list` result. 1.0 has the same fields flat in one object.
    public struct TaskPushNotificationConfig: Sendable, Hashable, Codable {
        public var taskId: String
        public var pushNotificationConfig: PushNotificationConfig

        public init(taskId: String, pushNotificationConfig: PushNotificationConfig) {
            self.taskId = taskId
            self.pushNotificationConfig = pushNotificationConfig
        }
    }
}

// MARK: Conversions

extension A2A03.PushNotificationAuthenticationInfo {
    /// The 0.3 form of 1.0 credentials: `schemes` is `[scheme]`, or `[]` when `scheme` is empty.
    public init(_ info: AuthenticationInfo) {
        self.init(schemes: info.scheme.isEmpty ? [] : [info.scheme], credentials: info.credentials.nonEmpty)
    }
}

extension AuthenticationInfo {
    /// The 1.0 form of 0.3 credentials: `scheme` is `schemes[0]` (empty when there is none); the
    /// other schemes are dropped.
    public init(a2a03 info: A2A03.PushNotificationAuthenticationInfo) {
        self.init(scheme: info.schemes.first ?? "", credentials: info.credentials.nonEmpty)
    }
}

extension A2A03.PushNotificationConfig {
    /// The 0.3 form of a 1.0 config, without its task id and tenant; empty values are left out.
    public init(_ config: A2AProtocol.TaskPushNotificationConfig) {
        self.init(
            id: config.id.nonEmpty,
            url: config.url,
            token: config.token.nonEmpty,
            authentication: config.authentication.map { A2A03.PushNotificationAuthenticationInfo($0) }
        )
    }
}

extension A2A03.TaskPushNotificationConfig {
    /// The nested 0.3 form of a flat 1.0 config; the 1.0 `tenant` is dropped.
    public init(_ config: A2AProtocol.TaskPushNotificationConfig) {
        self.init(taskId: config.taskId, pushNotificationConfig: A2A03.PushNotificationConfig(config))
    }
}

extension TaskPushNotificationConfig {
    /// The flat 1.0 form of a 0.3 config.
    ///
    /// Empty `id` and `token` are left unset. The `tenant` is left unset: 0.3 requests carry none,
    /// so it comes from the endpoint.
    ///
    /// - Parameters:
    ///   - config: the 0.3 config.
    ///   - taskId: the task, or empty inside `SendMessageConfiguration` where the task does not exist yet.
    public init(a2a03 config: A2A03.PushNotificationConfig, taskId: String) {
        self.init(
            id: config.id.nonEmpty,
            taskId: taskId,
            url: config.url,
            token: config.token.nonEmpty,
            authentication: config.authentication.map { AuthenticationInfo(a2a03: $0) }
        )
    }

    /// The flat 1.0 form of a nested 0.3 config (see ``init(a2a03:taskId:)``).
    public init(a2a03 config: A2A03.TaskPushNotificationConfig) {
        self.init(a2a03: config.pushNotificationConfig, taskId: config.taskId)
    }
}
