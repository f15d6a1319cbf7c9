//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

// MARK: Results

extension A2A03 {
    /// The `result` of a 0.3 call, built from the 1.0 result of the call that served it.
    ///
    /// Encode it inside the usual envelope: `JSONRPCResultResponse(id: id, result: A2A03.Response(result))`.
    /// Stream events are ``A2A03/StreamEvent``s instead.
    ///
    /// | 0.3 method | 1.0 result | 0.3 `result` |
    /// |---|---|---|
    /// | `message/send` | `SendMessageResponse` | the bare `Task` or `Message`, with `kind` |
    /// | `tasks/get`, `tasks/cancel` | `A2ATask` | the bare `Task` |
    /// | `tasks/pushNotificationConfig/set`, `get` | `TaskPushNotificationConfig` | the nested config |
    /// | `tasks/pushNotificationConfig/list` | `ListTaskPushNotificationConfigsResponse` | a bare array of nested configs |
    /// | `tasks/pushNotificationConfig/delete` | `EmptyResult` | `null` |
    /// | `agent/getAuthenticatedExtendedCard` | `AgentCard` | the 0.3 card |
    public enum Response: Sendable, Hashable {
        case task(Task)
        case message(Message)
        case pushNotificationConfig(TaskPushNotificationConfig)
        case pushNotificationConfigs([TaskPushNotificationConfig])
        case agentCard(AgentCard)
        /// `"result": null`, the 0.3 result of a delete (1.0 answers `{}`).
        case null
    }
}

extension A2A03.Response {
    /// The result of `message/send`: the bare task or message.
    public init(_ response: SendMessageResponse) {
        switch response {
        case .task(let task): self = .task(A2A03.Task(task))
        case .message(let message): self = .message(A2A03.Message(message))
        }
    }

    /// The result of `tasks/get` and `tasks/cancel`.
    public init(_ task: A2ATask) {
        self = .task(A2A03.Task(task))
    }

    /// The result of `tasks/pushNotificationConfig/set` and `get`, in the nested form.
    public init(_ config: A2AProtocol.TaskPushNotificationConfig) {
        self = .pushNotificationConfig(A2A03.TaskPushNotificationConfig(config))
    }

    /// The result of `tasks/pushNotificationConfig/list`: a bare array.
    ///
    /// 0.3 has no paging, so pass a response holding **every** config of the task (drain the
    /// pages of the 1.0 call first); `nextPageToken` is not sent.
    public init(_ list: ListTaskPushNotificationConfigsResponse) {
        self = .pushNotificationConfigs(list.configs.map { A2A03.TaskPushNotificationConfig($0) })
    }

    /// The result of `tasks/pushNotificationConfig/delete`: `null`.
    ///
    /// The 0.3 schema says `result: null`; a2a-sdk 1.3.0 leaves `result` out altogether, which is
    /// not valid JSON-RPC, so we send `null`.
    public init(_ empty: EmptyResult) {
        self = .null
    }

    /// The result of `agent/getAuthenticatedExtendedCard`: the card in the 0.3 shape.
    ///
    /// - Throws: `versionNotSupported` (-32009) when the card lists no 0.3 interface.
    public init(agentCard card: A2AProtocol.AgentCard) throws(JSONRPCError) {
        guard let card03 = A2A03.AgentCard(card) else {
            throw JSONRPCError.versionNotSupported(A2A03.protocolVersion, supported: card.supportedInterfaces.map(\.protocolVersion))
        }
        self = .agentCard(card03)
    }
}

extension A2A03.Response: Encodable {
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .task(let task): try task.encode(to: encoder)
        case .message(let message): try message.encode(to: encoder)
        case .pushNotificationConfig(let config): try config.encode(to: encoder)
        case .pushNotificationConfigs(let configs): try configs.encode(to: encoder)
        case .agentCard(let card): try card.encode(to: encoder)
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        }
    }
}

// MARK: Errors

extension A2A03 {
    /// A JSON-RPC error object as 0.3 clients expect it.
    ///
    /// The `code` and `message` are ours, unchanged, including the 1.0-only codes -32008
    /// (extension support required) and -32009 (version not supported): they lie in the
    /// server-defined range -32000…-32099 that 0.3 allows, and a2a-sdk's clients map them.
    /// (a2a-sdk 1.3.0 servers rewrite them to -32603 instead.)
    ///
    /// `data` is never the 1.0 array of `google.rpc` details, which 0.3 does not have:
    /// - invalid params (-32602) carry `{"errors": [{"field": "message.role", "message": "…"}]}`,
    ///   the shape a2a-sdk 1.3.0 uses for its own 0.3 validation errors (`field` is left out when
    ///   the whole `params` is at fault);
    /// - every other error has no `data`.
    public struct ErrorObject: Sendable, Hashable, Encodable {
        public var code: Int
        public var message: String
        public var data: JSONValue?

        public init(code: Int, message: String, data: JSONValue? = nil) {
            self.code = code
            self.message = message
            self.data = data
        }

        /// The 0.3 form of one of our errors.
        public init(_ error: JSONRPCError) {
            var violations: [JSONValue] = []
            for detail in error.data ?? [] where detail["@type"]?.stringValue == "type.googleapis.com/google.rpc.BadRequest" {
                for violation in detail["fieldViolations"]?.arrayValue ?? [] {
                    var entry: [String: JSONValue] = ["message": violation["description"] ?? .string(error.message)]
                    if let field = violation["field"]?.stringValue, !field.isEmpty { entry["field"] = .string(field) }
                    violations.append(.object(entry))
                }
            }
            self.init(code: error.code, message: error.message, data: violations.isEmpty ? nil : .object(["errors": .array(violations)]))
        }

        enum CodingKeys: String, CodingKey {
            case code, message, data
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(code, forKey: .code)
            try container.encode(message, forKey: .message)
            try container.encodeIfPresent(data, forKey: .data)
        }
    }

    /// A 0.3 JSON-RPC error response: `{"jsonrpc":"2.0","id":…,"error":{…}}` with ``ErrorObject``.
    ///
    /// Also the payload of a mid-stream error event.
    public struct ErrorResponse: Sendable, Hashable, Encodable {
        public var id: JSONRPCID
        public var error: ErrorObject

        public init(id: JSONRPCID, error: JSONRPCError) {
            self.id = id
            self.error = ErrorObject(error)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: JSONRPCEnvelopeKeys.self)
            try container.encode("2.0", forKey: .jsonrpc)
            try container.encode(id, forKey: .id)
            try container.encode(error, forKey: .error)
        }
    }
}
