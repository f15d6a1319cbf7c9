//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol

/// Error codes of this server, in the implementation-defined range of JSON-RPC (-32000 to -32099),
/// kept clear of the codes A2A assigns from -32001 upwards. Listed in `docs/errors.md`.
extension JSONRPCError {
    public static let namespaceNotFoundCode = -32050
    public static let unauthenticatedCode = -32051
    public static let permissionDeniedCode = -32052
    public static let rateLimitedCode = -32053
    public static let serviceUnavailableCode = -32054
    public static let payloadTooLargeCode = -32055
    public static let conflictCode = -32056

    public static func namespaceNotFound(_ name: String) -> JSONRPCError {
        JSONRPCError(
            code: namespaceNotFoundCode,
            message: "Namespace '\(name)' not found",
            data: [errorInfo(reason: "NAMESPACE_NOT_FOUND", metadata: ["namespace": name]).withDomain("cleveragents.dev")]
        )
    }

    public static func serviceUnavailable(_ detail: String) -> JSONRPCError {
        JSONRPCError(
            code: serviceUnavailableCode,
            message: "Service unavailable: \(detail)",
            data: [errorInfo(reason: "SERVICE_UNAVAILABLE").withDomain("cleveragents.dev")]
        )
    }

    /// A cap on what a caller may hold was reached (`-32053`, answered with HTTP 429): open
    /// streams, push configs of a task. Unlike a rate limit, waiting does not help; releasing does.
    public static func resourceLimit(_ message: String, reason: String, limit: Int) -> JSONRPCError {
        JSONRPCError(
            code: rateLimitedCode,
            message: message,
            data: [errorInfo(reason: reason, metadata: ["limit": String(limit)]).withDomain("cleveragents.dev")]
        )
    }

    public static func payloadTooLarge(limit: Int) -> JSONRPCError {
        JSONRPCError(
            code: payloadTooLargeCode,
            message: "Request body exceeds the limit of \(limit) bytes",
            data: [errorInfo(reason: "PAYLOAD_TOO_LARGE", metadata: ["limitBytes": String(limit)]).withDomain("cleveragents.dev")]
        )
    }
}

extension JSONValue {
    /// The same `ErrorInfo` object in another error domain.
    func withDomain(_ domain: String) -> JSONValue {
        guard var object = objectValue else { return self }
        object["domain"] = .string(domain)
        return .object(object)
    }
}
