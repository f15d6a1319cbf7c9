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

/// Serves JSON-RPC 2.0 on `POST /ns/{namespace}`: limits, decoding, version negotiation,
/// dispatch to the application, and the JSON or SSE answer.
struct JSONRPCEndpoint: Sendable {
    let service: A2AService
    let configuration: HTTPFrontEndConfiguration
    let metrics: ServerMetrics

    static let versionHeader = HTTPField.Name(A2AVersion.headerName)!
    static let supportedVersions = [A2AVersion.v1_0.rawValue, A2AVersion.v0_3.rawValue]

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
        let tooLarge = Self.errorResponse(.payloadTooLarge(limit: configuration.maximumBodySize), id: .null, status: .contentTooLarge)
        if let length = request.headers[.contentLength].flatMap(Int.init), length > configuration.maximumBodySize {
            outcome.errorCode = JSONRPCError.payloadTooLargeCode
            return tooLarge
        }
        let body: ByteBuffer
        do {
            var request = request
            body = try await request.collectBody(upTo: configuration.maximumBodySize)
        } catch is NIOTooManyBytesError {
            outcome.errorCode = JSONRPCError.payloadTooLargeCode
            return tooLarge
        }
        if let contentType = request.headers[.contentType], !Self.isJSON(contentType) {
            outcome.errorCode = JSONRPCError.contentTypeNotSupportedCode
            return Self.errorResponse(
                .contentTypeNotSupported("Content-Type '\(contentType)' is not supported; send application/json"),
                id: .null,
                status: .unsupportedMediaType
            )
        }

        // The version: the header (or query parameter); a slash method name without one is 0.3.
        let requested = Self.requestedVersion(request)
        var codec = WireCodec.v1_0
        let id: JSONRPCID
        let call: A2AMethodCall
        do {
            if case .supported(.v0_3) = requested {
                codec = .v0_3
                (id, call) = try Self.decode(body, as: A2A03MethodCall.self) { $0.call }
            } else {
                do {
                    (id, call) = try Self.decode(body, as: A2AMethodCall.self) { $0 }
                } catch let failure where requested == .absent && failure.method.contains("/")
                    && failure.error.code == JSONRPCError.methodNotFoundCode
                {
                    codec = .v0_3
                    (id, call) = try Self.decode(body, as: A2A03MethodCall.self) { $0.call }
                }
            }
        } catch let failure {
            (outcome.method, outcome.errorCode) = (failure.method, failure.error.code)
            return codec.error(failure.error, id: failure.id)
        }
        (outcome.method, outcome.errorCode) = (call.method.rawValue, nil)
        if case .unsupported(let value) = requested {
            outcome.errorCode = JSONRPCError.versionNotSupportedCode
            return codec.error(.versionNotSupported(value, supported: Self.supportedVersions), id: id)
        }
        guard let namespace = NamespaceName(rawNamespace) else {
            outcome.errorCode = JSONRPCError.namespaceNotFoundCode
            return codec.error(.namespaceNotFound(rawNamespace), id: id, status: .notFound)
        }
        outcome.namespace = namespace

        var logger = context.logger
        logger[metadataKey: "namespace"] = "\(namespace)"
        logger[metadataKey: "rpc.method"] = "\(call.method.rawValue)"
        let requestContext = RequestContext(
            namespace: namespace,
            caller: .anonymous,
            requestID: context.id,
            traceParent: request.headers[HTTPField.Name("traceparent")!]
        )
        do {
            let response = try await service.handle(call, context: requestContext)
            return try codec.encode(response, id: id, untilInterrupted: call.method == .sendStreamingMessage, logger: logger)
        } catch {
            let (rpcError, status) = Self.describe(error, logger: logger)
            outcome.errorCode = rpcError.code
            return codec.error(rpcError, id: id, status: status)
        }
    }

    /// A request that cannot be served, with what is known of it.
    struct DecodeFailure: Error {
        var id: JSONRPCID
        var method: String
        var error: JSONRPCError
    }

    /// Decodes the envelope and the typed params of `Call`.
    static func decode<Call: JSONRPCMethodCall>(
        _ body: ByteBuffer,
        as type: Call.Type,
        _ extract: (Call) -> A2AMethodCall
    ) throws(DecodeFailure) -> (JSONRPCID, A2AMethodCall) {
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
    }

    /// Reads `A2A-Version` (header, or query parameter). Missing or empty means no preference:
    /// 1.0 for PascalCase method names, 0.3 for slash names.
    static func requestedVersion(_ request: Request) -> RequestedVersion {
        let value = request.headers[versionHeader] ?? request.uri.queryParameters.get(A2AVersion.headerName)
        guard let value, !value.isEmpty else { return .absent }
        guard let version = A2AVersion(headerValue: value) else { return .unsupported(value) }
        return .supported(version)
    }

    static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return mediaType == "application/json" || mediaType == "application/a2a+json" || mediaType.hasSuffix("+json")
    }

    static func errorResponse(_ error: JSONRPCError, id: JSONRPCID, status: HTTPResponse.Status = .ok) -> Response {
        WireCodec.v1_0.error(error, id: id, status: status)
    }

    /// The JSON-RPC error and HTTP status for a failure; server faults are logged, not shown.
    static func describe(_ error: any Error, logger: Logger) -> (JSONRPCError, HTTPResponse.Status) {
        switch error {
        case let error as JSONRPCError:
            return (error, .ok)
        case ServiceError.namespaceNotFound(let name):
            return (.namespaceNotFound(name), .notFound)
        case ServiceError.shuttingDown:
            return (.serviceUnavailable("the server is shutting down; retry on another replica"), .serviceUnavailable)
        case StoreError.unavailable(let reason):
            logger.warning("Store unavailable", metadata: ["error": "\(reason)"])
            return (.serviceUnavailable(reason), .serviceUnavailable)
        default:
            logger.error("Request failed", metadata: ["error": "\(error)"])
            return (.internalError(), .internalServerError)
        }
    }
}
