//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import CleverAgentsRuntime
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat

/// Serves JSON-RPC 2.0 on `POST /ns/{namespace}` (A2A and namespace administration) and on
/// `POST /` (server administration): limits, decoding, version negotiation, authentication,
/// rate limits, dispatch to the application, and the JSON or SSE answer.
struct JSONRPCEndpoint: Sendable {
    let service: A2AService
    let admin: AdminService
    let authenticator: Authenticator
    let configuration: HTTPFrontEndConfiguration
    /// Serves `_cleveragents/sync/*`; without it those methods are not found.
    var sync: SyncService?
    let metrics: ServerMetrics

    static let versionHeader = HTTPField.Name(A2AVersion.headerName)!
    static let apiKeyHeader = HTTPField.Name("X-API-Key")!
    static let supportedVersions = [A2AVersion.v1_0.rawValue, A2AVersion.v0_3.rawValue]

    /// A decoded request: which method family, its id, and its codec.
    enum Decoded {
        case a2a(A2AMethodCall)
        case admin(AdminCall)
        case sync(SyncMethodCall)

        /// The method name, for logs and metrics.
        var method: String {
            switch self {
            case .a2a(let call): call.method.rawValue
            case .admin(let call): call.methodName
            case .sync(let call): call.method.rawValue
            }
        }
    }

    // MARK: Namespace endpoint

    /// Answers one request and records it in the RPC metrics (method and result).
    func respond(to request: Request, namespace rawNamespace: String, context: A2ARequestContext) async throws -> Response {
        let started = ContinuousClock.now
        var outcome = RPCOutcome()
        defer {
            metrics.recordRPC(method: outcome.method, errorCode: outcome.errorCode, namespace: outcome.namespace, duration: ContinuousClock.now - started)
        }
        do {
            return try await answer(request, namespace: rawNamespace, context: context, outcome: &outcome)
        } catch {
            outcome.errorCode = JSONRPCError.internalErrorCode
            throw error
        }
    }

    /// What the metrics learn about a call while it is answered.
    struct RPCOutcome {
        var method: String?
        var namespace: NamespaceName?
        var errorCode: Int?
    }

    func answer(_ request: Request, namespace rawNamespace: String, context: A2ARequestContext, outcome: inout RPCOutcome) async throws -> Response {
        let body: ByteBuffer
        switch await readBody(request) {
        case .success(let buffer): body = buffer
        case .failure(let early):
            outcome.errorCode = early.code
            return early.response
        }
        let requested = Self.requestedVersion(request)
        let (codec, id, decoded): (WireCodec, JSONRPCID, Decoded)
        switch Self.decode(body, requested: requested) {
        case .success(let result): (codec, id, decoded) = result
        case .failure(let failure):
            (outcome.method, outcome.errorCode) = (failure.method, failure.error.code)
            return failure.codec.error(failure.error, id: failure.id)
        }
        outcome.method = decoded.method
        if case .unsupported(let value) = requested {
            outcome.errorCode = JSONRPCError.versionNotSupportedCode
            return codec.error(.versionNotSupported(value, supported: Self.supportedVersions), id: id)
        }
        guard let namespace = NamespaceName(rawNamespace) else {
            outcome.errorCode = JSONRPCError.namespaceNotFoundCode
            return codec.error(.namespaceNotFound(rawNamespace), id: id, status: .notFound)
        }
        outcome.namespace = namespace
        // The request's log metadata goes into a logger only when something is logged: a
        // handler may format its metadata on every change (StreamLogHandler does).
        var metadata: Logger.Metadata = ["namespace": "\(namespace)"]
        func logger() -> Logger {
            var logger = context.logger
            for (key, value) in metadata { logger[metadataKey: key] = value }
            return logger
        }
        do {
            let (namespaceActor, snapshot) = try await service.namespace(namespace)
            let caller: Caller
            if snapshot.namespace.authMode == .disabled && !configuration.production {
                caller = .anonymous
            } else {
                caller = try await authenticator.authenticate(Self.credential(of: request), namespace: namespace, actor: namespaceActor)
            }
            metadata["principal"] = "\(caller.principalID)"
            if case .limited(let retryAfter) = await namespaceActor.admit(tokenID: caller.tokenID) {
                outcome.errorCode = JSONRPCError.rateLimitedCode
                return Self.rateLimited(codec: codec, id: id, retryAfter: retryAfter)
            }
            let requestContext = RequestContext(
                namespace: namespace,
                caller: caller,
                requestID: context.id,
                traceParent: request.headers[HTTPField.Name("traceparent")!]
            )
            switch decoded {
            case .a2a(let call):
                metadata["rpc.method"] = "\(call.method.rawValue)"
                let response = try await service.handle(call, context: requestContext)
                // Only a stream logs (a failure after the answer started).
                let streamLogger = if case .stream = response { logger() } else { context.logger }
                return try codec.encode(response, id: id, untilInterrupted: call.method == .sendStreamingMessage, logger: streamLogger)
            case .admin(let call):
                guard !call.isServerLevel else {
                    throw JSONRPCError.methodNotFound("this method administers the server; call it on POST /")
                }
                let result = try await admin.handle(call, context: requestContext)
                return try WireCodec.json(JSONRPCResultResponse(id: id, result: result))
            case .sync(let call):
                guard let sync else { throw JSONRPCError.methodNotFound(call.method.rawValue) }
                metadata["rpc.method"] = "\(call.method.rawValue)"
                return try Self.encode(try await sync.handle(call, context: requestContext), id: id)
            }
        } catch {
            outcome.errorCode = Self.errorCode(of: error)
            return Self.failure(error, codec: codec, id: id, logger: logger())
        }
    }

    // MARK: Server endpoint

    func respondServer(to request: Request, context: A2ARequestContext) async throws -> Response {
        let body: ByteBuffer
        switch await readBody(request) {
        case .success(let buffer): body = buffer
        case .failure(let early): return early.response
        }
        let (id, call): (JSONRPCID, AdminCall)
        do {
            (id, call) = try Self.decode(body, as: AdminCall.self) { $0 }
        } catch let failure {
            return WireCodec.v1_0.error(failure.error, id: failure.id)
        }
        do {
            guard call.isServerLevel else {
                throw JSONRPCError.methodNotFound("this method administers a namespace; call it on POST /ns/{namespace}")
            }
            let caller = try await authenticator.authenticateServer(Self.credential(of: request))
            let requestContext = RequestContext(namespace: NamespaceName("server")!, caller: caller, requestID: context.id)
            let result = try await admin.handle(call, context: requestContext)
            return try WireCodec.json(JSONRPCResultResponse(id: id, result: result))
        } catch {
            return Self.failure(error, codec: .v1_0, id: id, logger: context.logger)
        }
    }

    // MARK: Reading and decoding

    /// The body, within the size and nesting limits and with a JSON content type.
    func readBody(_ request: Request) async -> Result<ByteBuffer, ErrorResponse> {
        // Written only when needed: encoding an answer costs more than checking a request.
        var tooLarge: ErrorResponse {
            ErrorResponse(
                Self.errorResponse(.payloadTooLarge(limit: configuration.maximumBodySize), id: .null, status: .contentTooLarge),
                code: JSONRPCError.payloadTooLargeCode
            )
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > configuration.maximumBodySize {
            return .failure(tooLarge)
        }
        if let contentType = request.headers[.contentType], !Self.isJSON(contentType) {
            return .failure(
                ErrorResponse(
                    Self.errorResponse(
                        .contentTypeNotSupported("Content-Type '\(contentType)' is not supported; send application/json"),
                        id: .null,
                        status: .unsupportedMediaType
                    ),
                    code: JSONRPCError.contentTypeNotSupportedCode
                )
            )
        }
        let body: ByteBuffer
        do {
            var request = request
            body = try await request.collectBody(upTo: configuration.maximumBodySize)
        } catch is NIOTooManyBytesError {
            return .failure(tooLarge)
        } catch {
            return .failure(ErrorResponse(Self.errorResponse(.invalidRequest("The request body could not be read"), id: .null), code: JSONRPCError.invalidRequestCode))
        }
        guard JSONDepth.isWithin(configuration.maximumJSONDepth, body.readableBytesView) else {
            return .failure(
                ErrorResponse(
                    Self.errorResponse(.invalidRequest("JSON nests deeper than \(configuration.maximumJSONDepth) levels"), id: .null),
                    code: JSONRPCError.invalidRequestCode
                )
            )
        }
        return .success(body)
    }

    /// A response that ends the request early (a `Result` failure needs an `Error`).
    struct ErrorResponse: Error {
        var response: Response
        /// The JSON-RPC error code in the response, for the metrics.
        var code: Int
        init(_ response: Response, code: Int) {
            self.response = response
            self.code = code
        }
    }

    struct DecodeError: Error {
        var codec: WireCodec
        var id: JSONRPCID
        var method: String
        var error: JSONRPCError
    }

    /// Decodes the request by its method family: administration, A2A 1.0, or A2A 0.3 (asked for
    /// with `A2A-Version: 0.3`, or a slash method name without a version).
    ///
    /// The body is parsed once to read its method, which picks the family
    /// (``JSONRPCMethodFamily``); the family's decoder then reads the call. A plain `GetTask` is
    /// read from that parse alone.
    static func decode(_ body: ByteBuffer, requested: RequestedVersion) -> Result<(WireCodec, JSONRPCID, Decoded), DecodeError> {
        let envelope = try? JSONValue(parsing: body.readableBytesView)
        do {
            switch JSONRPCMethodFamily(method: JSONRPCMethodFamily.method(of: envelope), askedFor: requested.asked) {
            case .a2a:
                if let envelope, let (id, call) = plainGetTask(envelope) {
                    return .success((.v1_0, id, .a2a(call)))
                }
                let (id, call) = try decode(body, as: A2AMethodCall.self) { $0 }
                return .success((.v1_0, id, .a2a(call)))
            case .a2a03:
                let (id, call) = try decode(body, as: A2A03MethodCall.self) { $0.call }
                return .success((.v0_3, id, .a2a(call)))
            case .admin:
                let (id, call) = try decode(body, as: AdminCall.self) { $0 }
                return .success((.v1_0, id, .admin(call)))
            case .sync:
                let (id, call) = try decode(body, as: SyncMethodCall.self) { $0 }
                return .success((.v1_0, id, .sync(call)))
            }
        } catch let failure {
            let codec: WireCodec = (requested == .supported(.v0_3)) ? .v0_3 : .v1_0
            return .failure(DecodeError(codec: codec, id: failure.id, method: failure.method, error: failure.error))
        }
    }

    /// A request that cannot be served, with what is known of it.
    struct DecodeFailure: Error {
        var id: JSONRPCID
        var method: String
        var error: JSONRPCError
    }

    /// Decodes the envelope and the typed params of `Call`.
    static func decode<Call: JSONRPCMethodCall, Result>(
        _ body: ByteBuffer,
        as type: Call.Type,
        _ extract: (Call) -> Result
    ) throws(DecodeFailure) -> (JSONRPCID, Result) {
        let rpc: JSONRPCRequest<Call>
        do {
            rpc = try JSONDecoder().decode(JSONRPCRequest<Call>.self, from: body)
        } catch let error as JSONRPCError {
            throw DecodeFailure(id: .null, method: "", error: error)
        } catch {
            throw DecodeFailure(id: .null, method: "", error: .parseError())
        }
        switch rpc.call {
        case .failure(let error):
            throw DecodeFailure(id: rpc.responseID, method: rpc.method, error: error)
        case .success(let call):
            guard rpc.id != nil else {
                throw DecodeFailure(id: .null, method: rpc.method, error: .invalidRequest("A2A requests need an id; notifications are not supported"))
            }
            return (rpc.responseID, extract(call))
        }
    }

    /// The version a request asks for.
    enum RequestedVersion: Equatable {
        case absent
        case supported(A2AVersion)
        case unsupported(String)

        /// What the method families make of it.
        var asked: JSONRPCMethodFamily.AskedVersion {
            switch self {
            case .absent: .none
            case .supported(.v0_3): .v0_3
            case .supported, .unsupported: .other
            }
        }
    }

    /// Reads `A2A-Version` (header, or query parameter). Missing or empty means no preference:
    /// 1.0 for PascalCase method names, 0.3 for slash names.
    static func requestedVersion(_ request: Request) -> RequestedVersion {
        let value = request.headers[versionHeader] ?? request.uri.queryParameters.get(A2AVersion.headerName)
        guard let value, !value.isEmpty else { return .absent }
        guard let version = A2AVersion(headerValue: value) else { return .unsupported(value) }
        return .supported(version)
    }

    /// The presented credential: `Authorization: Bearer <token>`, else `X-API-Key: <token>`.
    static func credential(of request: Request) -> String? {
        APITokenText.presented(authorization: request.headers[.authorization], apiKey: request.headers[apiKeyHeader])
    }

    static func isJSON(_ contentType: String) -> Bool {
        if contentType == "application/json" { return true }  // what nearly every client sends
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingBlanks().lowercased() } ?? ""
        return mediaType == "application/json" || mediaType == "application/a2a+json" || mediaType.hasSuffix("+json")
    }

    // MARK: Errors

    static func errorResponse(_ error: JSONRPCError, id: JSONRPCID, status: HTTPResponse.Status = .ok) -> Response {
        WireCodec.v1_0.error(error, id: id, status: status)
    }

    static func rateLimited(codec: WireCodec, id: JSONRPCID, retryAfter: Duration) -> Response {
        let seconds = max(1, Int((Double(retryAfter.components.seconds) + Double(retryAfter.components.attoseconds) / 1e18).rounded(.up)))
        var response = codec.error(
            JSONRPCError(code: JSONRPCError.rateLimitedCode, message: "Too many requests; retry after \(seconds) s"),
            id: id,
            status: .tooManyRequests
        )
        response.headers[.retryAfter] = String(seconds)
        return response
    }

    /// The answer for a failure: authentication 401 (with a challenge), permission 403, the
    /// rest by ``describe(_:logger:)``.
    /// The JSON-RPC error code that ``failure(_:codec:id:logger:)`` answers for `error`.
    static func errorCode(of error: any Error) -> Int {
        switch error {
        case is AuthenticationError: JSONRPCError.unauthenticatedCode
        case is PermissionDenied, SyncError.permissionDenied: JSONRPCError.permissionDeniedCode
        default: describe(error, logger: Logger(label: "metrics", factory: { _ in SwiftLogNoOpLogHandler() })).0.code
        }
    }

    static func failure(_ error: any Error, codec: WireCodec, id: JSONRPCID, logger: Logger) -> Response {
        switch error {
        case let error as AuthenticationError:
            var response = codec.error(JSONRPCError(code: JSONRPCError.unauthenticatedCode, message: "Unauthenticated: \(error)"), id: id, status: .unauthorized)
            var challenge = #"Bearer realm="cleveragents""#
            if let code = error.challengeError {
                challenge += #", error="\#(code)", error_description="\#(error)""#
            }
            response.headers[.wwwAuthenticate] = challenge
            return response
        case SyncError.permissionDenied(let method, let required):
            return codec.error(.syncPermissionDenied(method: method, required: required), id: id, status: .forbidden)
        case let error as PermissionDenied:
            return codec.error(JSONRPCError(code: JSONRPCError.permissionDeniedCode, message: "Permission denied: \(error)"), id: id, status: .forbidden)
        default:
            let (rpcError, status) = describe(error, logger: logger)
            return codec.error(rpcError, id: id, status: status)
        }
    }

    /// The JSON-RPC error and HTTP status for a failure; server faults are logged, not shown.
    static func describe(_ error: any Error, logger: Logger) -> (JSONRPCError, HTTPResponse.Status) {
        switch error {
        case let error as JSONRPCError:
            switch error.code {
            case JSONRPCError.conflictCode: return (error, .conflict)
            // A cap on open streams or push configs: answered like a rate limit.
            case JSONRPCError.rateLimitedCode: return (error, .tooManyRequests)
            default: return (error, .ok)
            }
        case ServiceError.namespaceNotFound(let name):
            return (.namespaceNotFound(name), .notFound)
        case ServiceError.shuttingDown:
            return (.serviceUnavailable("the server is shutting down; retry on another replica"), .serviceUnavailable)
        case StoreError.unavailable(let reason):
            // Each request while the database is away: the server's DatabaseWatch says it once.
            logger.debug("Store unavailable", metadata: ["error": "\(reason)"])
            return (.serviceUnavailable(reason), .serviceUnavailable)
        case StoreError.alreadyExists:
            return (JSONRPCError(code: JSONRPCError.conflictCode, message: "It already exists"), .conflict)
        default:
            logger.error("Request failed", metadata: ["error": "\(error)"])
            return (.internalError(), .internalServerError)
        }
    }
}
