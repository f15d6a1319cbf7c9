//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
import CleverAgentsDomain
public import Logging

/// What a failure answers, on every front end: the JSON-RPC error the caller sees and the HTTP
/// status that goes with it (`docs/errors.md`). Faults of the server are logged, never shown.
public struct JSONRPCFailure: Sendable {
    /// The error the caller sees.
    public var error: JSONRPCError
    /// The HTTP status of the answer (200 when the error is the whole story, as JSON-RPC has it).
    public var httpStatus: Int
    /// What the log says of it, when anything.
    private var note: Note?

    private enum Note: Sendable {
        /// The database is away: each request while it is; `DatabaseWatch` says it once.
        case storeUnavailable(String)
        /// A fault of the server, with its cause.
        case fault(String)
    }

    /// The answer for `error`, as the application throws it.
    ///
    /// - Parameter shutdownAdvice: what the caller is told when the server is shutting down.
    public init(_ error: any Error, shutdownAdvice: String = "the server is shutting down; retry on another replica") {
        switch error {
        case let error as JSONRPCError:
            switch error.code {
            case JSONRPCError.conflictCode: self.init(error, status: 409)
            // A cap on open streams or push configs: answered like a rate limit.
            case JSONRPCError.rateLimitedCode: self.init(error, status: 429)
            default: self.init(error, status: 200)
            }
        case let error as AuthenticationError:
            self.init(JSONRPCError(code: JSONRPCError.unauthenticatedCode, message: "Unauthenticated: \(error)"), status: 401)
        case let error as PermissionDenied:
            self.init(.permissionDenied(error), status: 403)
        case is CancellationError:
            // The caller went away or cancelled the request: nothing failed.
            self.init(JSONRPCError(code: StdioProtocol.requestCancelledCode, message: "Request cancelled"), status: 200)
        case ServiceError.namespaceNotFound(let name):
            self.init(.namespaceNotFound(name), status: 404)
        case ServiceError.shuttingDown:
            self.init(.serviceUnavailable(shutdownAdvice), status: 503)
        case StoreError.unavailable(let reason):
            self.init(.serviceUnavailable(reason), status: 503)
            note = .storeUnavailable(reason)
        case StoreError.alreadyExists:
            self.init(JSONRPCError(code: JSONRPCError.conflictCode, message: "It already exists"), status: 409)
        default:
            self.init(.internalError(), status: 500)
            note = .fault("\(error)")
        }
    }

    private init(_ error: JSONRPCError, status: Int) {
        self.error = error
        self.httpStatus = status
    }

    /// Logs what the caller is not shown: a fault as an error, an absent database at debug.
    public func log(to logger: Logger) {
        switch note {
        case .storeUnavailable(let reason): logger.debug("Store unavailable", metadata: ["error": "\(reason)"])
        case .fault(let cause): logger.error("Request failed", metadata: ["error": "\(cause)"])
        case nil: break
        }
    }
}

extension JSONRPCError {
    /// The one refusal of every method family (HTTP 403): what was missing, and the lowest role
    /// that has it.
    public static func permissionDenied(_ denial: PermissionDenied) -> JSONRPCError {
        var metadata = ["permission": denial.permission.rawValue]
        if denial.detail == nil, let role = denial.requiredRole { metadata["requiredRole"] = role.rawValue }
        return JSONRPCError(
            code: permissionDeniedCode,
            message: "Permission denied: \(denial)",
            data: [errorInfo(reason: "PERMISSION_DENIED", metadata: metadata).withDomain("cleveragents.dev")]
        )
    }
}
