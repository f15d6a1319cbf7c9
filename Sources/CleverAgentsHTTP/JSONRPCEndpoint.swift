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
    /// Decodes and routes every request (the one path stdio takes too).
    let dispatcher: JSONRPCDispatcher
    let authenticator: Authenticator
    let configuration: HTTPFrontEndConfiguration
    let metrics: ServerMetrics

    var service: A2AService { dispatcher.service }

    static let versionHeader = HTTPField.Name(A2AVersion.headerName)!
    static let apiKeyHeader = HTTPField.Name("X-API-Key")!
    static let supportedVersions = [A2AVersion.v1_0.rawValue, A2AVersion.v0_3.rawValue]

    // MARK: Namespace endpoint

    /// Answers one request and records it in the RPC metrics (method and result).
    func respond(to request: Request, namespace rawNamespace: String, context: A2ARequestContext) async -> Response {
        let started = ContinuousClock.now
        let answered = await answer(request, namespace: rawNamespace, context: context)
        metrics.recordRPC(method: answered.method, errorCode: answered.errorCode, namespace: answered.namespace, duration: ContinuousClock.now - started)
        return answered.response
    }

    /// An answer, and what the metrics learn of its call.
    struct Answered {
        var response: Response
        var method: String?
        var namespace: NamespaceName?
        /// The JSON-RPC error answered, if any.
        var errorCode: Int?
    }

    func answer(_ request: Request, namespace rawNamespace: String, context: A2ARequestContext) async -> Answered {
        let body: ByteBuffer
        switch await readBody(request) {
        case .success(let buffer): body = buffer
        case .failure(let early): return Answered(response: early.response, errorCode: early.code)
        }
        let requested = Self.requestedVersion(request)
        let decoded: JSONRPCDecodedRequest
        switch JSONRPCDispatcher.decode(Data(buffer: body, byteTransferStrategy: .noCopy), askedFor: requested.asked) {
        case .success(let request): decoded = request
        case .failure(let rejection):
            // A request that asked for 0.3 hears its error in 0.3's shape.
            let codec: WireCodec = requested == .supported(.v0_3) ? .v0_3 : .v1_0
            return Answered(response: codec.error(rejection.error, id: rejection.id), method: rejection.method, errorCode: rejection.error.code)
        }
        let (id, codec, method) = (decoded.id, WireCodec(decoded.family), decoded.call.method)
        if case .unsupported(let value) = requested {
            let error = JSONRPCError.versionNotSupported(value, supported: Self.supportedVersions)
            return Answered(response: codec.error(error, id: id), method: method, errorCode: error.code)
        }
        guard let namespace = NamespaceName(rawNamespace) else {
            let error = JSONRPCError.namespaceNotFound(rawNamespace)
            return Answered(response: codec.error(error, id: id, status: .notFound), method: method, errorCode: error.code)
        }
        // The request's log metadata goes into a logger only when something is logged: a
        // handler may format its metadata on every change (StreamLogHandler does).
        var metadata: Logger.Metadata = ["namespace": "\(namespace)", "rpc.method": "\(method)"]
        func logger() -> Logger {
            var logger = context.logger
            for (key, value) in metadata { logger[metadataKey: key] = value }
            return logger
        }
        do {
            let (namespaceActor, admission) = try await service.admission(
                to: namespace,
                presenting: Self.credential(of: request),
                authenticator: authenticator,
                anonymousAllowed: !configuration.production
            )
            let caller = admission.caller
            metadata["principal"] = "\(caller.principalID)"
            if case .limited(let retryAfter) = admission.rate {
                let response = Self.rateLimited(codec: codec, id: id, retryAfter: retryAfter)
                return Answered(response: response, method: method, namespace: namespace, errorCode: JSONRPCError.rateLimitedCode)
            }
            let requestContext = RequestContext(
                namespace: namespace,
                caller: caller,
                requestID: context.id,
                traceParent: request.headers[HTTPField.Name("traceparent")!],
                resolved: (namespaceActor, admission.snapshot)
            )
            let response: Response
            switch try await dispatcher.serve(decoded.call, context: requestContext) {
            case .a2a(let answer):
                // Only a stream logs (a failure after the answer started).
                let streamLogger = if case .stream = answer { logger() } else { context.logger }
                let untilInterrupted = if case .a2a(.sendStreamingMessage) = decoded.call { true } else { false }
                response = try codec.encode(answer, id: id, untilInterrupted: untilInterrupted, logger: streamLogger)
            case .admin(let result):
                response = try WireCodec.json(JSONRPCResultResponse(id: id, result: result))
            case .sync(let answer):
                response = try Self.encode(answer, id: id)
            }
            return Answered(response: response, method: method, namespace: namespace)
        } catch {
            let failure = JSONRPCFailure(error)
            failure.log(to: logger())
            return Answered(response: Self.failureResponse(failure, for: error, codec: codec, id: id), method: method, namespace: namespace, errorCode: failure.error.code)
        }
    }

    // MARK: Server endpoint

    func respondServer(to request: Request, context: A2ARequestContext) async throws -> Response {
        let body: ByteBuffer
        switch await readBody(request) {
        case .success(let buffer): body = buffer
        case .failure(let early): return early.response
        }
        let decoded: JSONRPCDecodedRequest
        switch JSONRPCDispatcher.decodeServerCall(Data(buffer: body, byteTransferStrategy: .noCopy)) {
        case .success(let request): decoded = request
        case .failure(let rejection): return WireCodec.v1_0.error(rejection.error, id: rejection.id)
        }
        do {
            // Before the credential is checked: a namespace's method is not found here for anyone.
            try JSONRPCDispatcher.check(decoded.call, at: .server)
            let caller = try await authenticator.authenticateServer(Self.credential(of: request))
            let requestContext = RequestContext(namespace: NamespaceName("server")!, caller: caller, requestID: context.id)
            guard case .admin(let result) = try await dispatcher.serve(decoded.call, context: requestContext, at: .server) else {
                throw JSONRPCError.methodNotFound(decoded.call.method)
            }
            return try WireCodec.json(JSONRPCResultResponse(id: decoded.id, result: result))
        } catch {
            let failure = JSONRPCFailure(error)
            failure.log(to: context.logger)
            return Self.failureResponse(failure, for: error, codec: .v1_0, id: decoded.id)
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

    /// The answer of a route that is not JSON-RPC (an agent card) for a failure: no id to
    /// answer, and never 200.
    static func plainFailure(_ error: any Error, logger: Logger) -> Response {
        let failure = JSONRPCFailure(error)
        failure.log(to: logger)
        return errorResponse(failure.error, id: .null, status: HTTPResponse.Status(code: failure.httpStatus == 200 ? 500 : failure.httpStatus))
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

    /// The HTTP answer for a failure: ``JSONRPCFailure``'s error and status, with a challenge
    /// when the credential was not accepted.
    static func failureResponse(_ failure: JSONRPCFailure, for error: any Error, codec: WireCodec, id: JSONRPCID) -> Response {
        var response = codec.error(failure.error, id: id, status: HTTPResponse.Status(code: failure.httpStatus))
        if let error = error as? AuthenticationError {
            var challenge = #"Bearer realm="cleveragents""#
            if let code = error.challengeError {
                challenge += #", error="\#(code)", error_description="\#(error)""#
            }
            response.headers[.wwwAuthenticate] = challenge
        }
        return response
    }
}
