//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// A JSON-RPC error object, carrying A2A 1.0 error details in `data`.
///
/// In A2A 1.0 `data` is an array of ProtoJSON `Any` objects, each with an `@type`, such as
/// `google.rpc.ErrorInfo` for A2A errors and `google.rpc.BadRequest` for invalid params.
public struct JSONRPCError: Error, Sendable, Hashable {
    public var code: Int
    public var message: String
    public var data: [JSONValue]?

    public init(code: Int, message: String, data: [JSONValue]? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }
}

extension JSONRPCError: Codable {
    enum CodingKeys: String, CodingKey {
        case code, message, data
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.code = try container.decode(Int.self, forKey: .code)
        self.message = try container.decode(String.self, forKey: .message)
        // 0.3 peers may send any value here; keep arrays, wrap anything else.
        if let array = try? container.decodeIfPresent([JSONValue].self, forKey: .data) {
            self.data = array
        } else if let value = try container.decodeIfPresent(JSONValue.self, forKey: .data) {
            self.data = [value]
        } else {
            self.data = nil
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(message, forKey: .message)
        try container.encodeIfPresent(data, forKey: .data)
    }
}

extension JSONRPCError {
    /// The error domain of A2A's `ErrorInfo` details.
    public static let a2aDomain = "a2a-protocol.org"

    // MARK: JSON-RPC 2.0 codes

    public static let parseErrorCode = -32700
    public static let invalidRequestCode = -32600
    public static let methodNotFoundCode = -32601
    public static let invalidParamsCode = -32602
    public static let internalErrorCode = -32603

    // MARK: A2A codes

    public static let taskNotFoundCode = -32001
    public static let taskNotCancelableCode = -32002
    public static let pushNotificationNotSupportedCode = -32003
    public static let unsupportedOperationCode = -32004
    public static let contentTypeNotSupportedCode = -32005
    public static let invalidAgentResponseCode = -32006
    public static let extendedAgentCardNotConfiguredCode = -32007
    public static let extensionSupportRequiredCode = -32008
    public static let versionNotSupportedCode = -32009

    /// A `google.rpc.ErrorInfo` detail object.
    public static func errorInfo(reason: String, metadata: [String: String] = [:]) -> JSONValue {
        .object([
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": .string(reason),
            "domain": .string(a2aDomain),
            "metadata": .object(metadata.mapValues { .string($0) }),
        ])
    }

    /// A `google.rpc.BadRequest` detail object with one field violation.
    public static func badRequest(field: String, description: String) -> JSONValue {
        .object([
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [["field": .string(field), "description": .string(description)]],
        ])
    }

    public static func parseError(_ detail: String = "Invalid JSON payload") -> JSONRPCError {
        JSONRPCError(code: parseErrorCode, message: detail)
    }

    public static func invalidRequest(_ detail: String = "Request payload validation error") -> JSONRPCError {
        JSONRPCError(code: invalidRequestCode, message: detail)
    }

    public static func methodNotFound(_ method: String) -> JSONRPCError {
        JSONRPCError(code: methodNotFoundCode, message: "Method not found: \(method)", data: [errorInfo(reason: "METHOD_NOT_FOUND", metadata: ["method": method])])
    }

    /// Invalid params, naming the offending field (`message.parts[0].text`).
    public static func invalidParams(field: String, description: String) -> JSONRPCError {
        let message = field.isEmpty ? "Invalid params: \(description)" : "Invalid params: '\(field)': \(description)"
        return JSONRPCError(code: invalidParamsCode, message: message, data: [badRequest(field: field, description: description)])
    }

    public static func internalError(_ detail: String = "Internal error") -> JSONRPCError {
        JSONRPCError(code: internalErrorCode, message: detail)
    }

    public static func taskNotFound(_ taskId: String) -> JSONRPCError {
        JSONRPCError(code: taskNotFoundCode, message: "Task not found: \(taskId)", data: [errorInfo(reason: "TASK_NOT_FOUND", metadata: ["taskId": taskId])])
    }

    public static func taskNotCancelable(_ taskId: String, state: TaskState) -> JSONRPCError {
        JSONRPCError(
            code: taskNotCancelableCode,
            message: "Task \(taskId) cannot be canceled in state \(state.rawValue)",
            data: [errorInfo(reason: "TASK_NOT_CANCELABLE", metadata: ["taskId": taskId, "state": state.rawValue])]
        )
    }

    public static func pushNotificationNotSupported(_ detail: String = "Push notifications are not supported") -> JSONRPCError {
        JSONRPCError(code: pushNotificationNotSupportedCode, message: detail, data: [errorInfo(reason: "PUSH_NOTIFICATION_NOT_SUPPORTED")])
    }

    public static func unsupportedOperation(_ detail: String) -> JSONRPCError {
        JSONRPCError(code: unsupportedOperationCode, message: detail, data: [errorInfo(reason: "UNSUPPORTED_OPERATION")])
    }

    public static func contentTypeNotSupported(_ detail: String) -> JSONRPCError {
        JSONRPCError(code: contentTypeNotSupportedCode, message: detail, data: [errorInfo(reason: "CONTENT_TYPE_NOT_SUPPORTED")])
    }

    public static func invalidAgentResponse(_ detail: String) -> JSONRPCError {
        JSONRPCError(code: invalidAgentResponseCode, message: detail, data: [errorInfo(reason: "INVALID_AGENT_RESPONSE")])
    }

    public static func extendedAgentCardNotConfigured() -> JSONRPCError {
        JSONRPCError(
            code: extendedAgentCardNotConfiguredCode,
            message: "Extended agent card is not configured",
            data: [errorInfo(reason: "EXTENDED_AGENT_CARD_NOT_CONFIGURED")]
        )
    }

    public static func extensionSupportRequired(_ uri: String) -> JSONRPCError {
        JSONRPCError(
            code: extensionSupportRequiredCode,
            message: "Extension support required: \(uri)",
            data: [errorInfo(reason: "EXTENSION_SUPPORT_REQUIRED", metadata: ["extension": uri])]
        )
    }

    public static func versionNotSupported(_ version: String, supported: [String]) -> JSONRPCError {
        JSONRPCError(
            code: versionNotSupportedCode,
            message: "A2A version '\(version)' is not supported; supported versions: \(supported.joined(separator: ", "))",
            data: [errorInfo(reason: "VERSION_NOT_SUPPORTED", metadata: ["version": version, "supportedVersions": supported.joined(separator: ",")])]
        )
    }
}

extension JSONRPCError {
    /// Describes a decoding failure inside `params` as invalid params naming the field.
    public static func invalidParams(from error: DecodingError, droppingPrefix prefix: String? = "params") -> JSONRPCError {
        func fieldPath(_ codingPath: [any CodingKey]) -> String {
            var path = ""
            var keys = codingPath[...]
            if let prefix, keys.first?.stringValue == prefix, keys.first?.intValue == nil {
                keys = keys.dropFirst()
            }
            for key in keys {
                if let index = key.intValue {
                    path += "[\(index)]"
                } else {
                    if !path.isEmpty { path += "." }
                    path += key.stringValue
                }
            }
            return path
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = fieldPath(context.codingPath + [key])
            return .invalidParams(field: field, description: "required field is missing")
        case .typeMismatch(let type, let context):
            return .invalidParams(field: fieldPath(context.codingPath), description: "expected \(jsonTypeName(type))")
        case .valueNotFound(let type, let context):
            return .invalidParams(field: fieldPath(context.codingPath), description: "expected \(jsonTypeName(type)), found null")
        case .dataCorrupted(let context):
            return .invalidParams(field: fieldPath(context.codingPath), description: context.debugDescription)
        @unknown default:
            return .invalidParams(field: "", description: "\(error)")
        }
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        if type is String.Type { return "a string" }
        if type is Bool.Type { return "a boolean" }
        if type is Int.Type || type is Int32.Type || type is Int64.Type || type is Double.Type || type is UInt.Type {
            return "a number"
        }
        let name = String(describing: type)
        if name.hasPrefix("Array") || name.hasPrefix("[") { return "an array" }
        return "an object"
    }
}
