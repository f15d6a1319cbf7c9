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

    static let versionHeader = HTTPField.Name(A2AVersion.headerName)!
    static let supportedVersions = [A2AVersion.v1_0.rawValue]

    func respond(to request: Request, namespace rawNamespace: String, context: A2ARequestContext) async throws -> Response {
        let tooLarge = Self.errorResponse(.payloadTooLarge(limit: configuration.maximumBodySize), id: .null, status: .contentTooLarge)
        if let length = request.headers[.contentLength].flatMap(Int.init), length > configuration.maximumBodySize {
            return tooLarge
        }
        let body: ByteBuffer
        do {
            var request = request
            body = try await request.collectBody(upTo: configuration.maximumBodySize)
        } catch is NIOTooManyBytesError {
            return tooLarge
        }
        if let contentType = request.headers[.contentType], !Self.isJSON(contentType) {
            return Self.errorResponse(
                .contentTypeNotSupported("Content-Type '\(contentType)' is not supported; send application/json"),
                id: .null,
                status: .unsupportedMediaType
            )
        }

        let rpc: JSONRPCRequest<A2AMethodCall>
        do {
            rpc = try JSONDecoder().decode(JSONRPCRequest<A2AMethodCall>.self, from: body)
        } catch let error as JSONRPCError {
            return Self.errorResponse(error, id: .null)
        } catch {
            return Self.errorResponse(.parseError(), id: .null)
        }
        let id = rpc.responseID
        let call: A2AMethodCall
        switch rpc.call {
        case .success(let decoded): call = decoded
        case .failure(let error): return Self.errorResponse(error, id: id)
        }
        guard rpc.id != nil else {
            return Self.errorResponse(.invalidRequest("A2A requests need an id; notifications are not supported"), id: .null)
        }
        if let versionError = Self.negotiateVersion(request) {
            return Self.errorResponse(versionError, id: id)
        }
        guard let namespace = NamespaceName(rawNamespace) else {
            return Self.errorResponse(.namespaceNotFound(rawNamespace), id: id, status: .notFound)
        }

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
            return try Self.encode(response, id: id, logger: logger)
        } catch {
            let (rpcError, status) = Self.describe(error, logger: logger)
            return Self.errorResponse(rpcError, id: id, status: status)
        }
    }

    /// Checks `A2A-Version` (header, or `A2A-Version` query parameter). A missing version on a
    /// 1.0 method name is taken as 1.0.
    static func negotiateVersion(_ request: Request) -> JSONRPCError? {
        let value = request.headers[versionHeader] ?? request.uri.queryParameters.get(A2AVersion.headerName)
        guard let value, !value.isEmpty else { return nil }
        guard let version = A2AVersion(headerValue: value), version == .v1_0 else {
            return .versionNotSupported(value, supported: supportedVersions)
        }
        return nil
    }

    static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return mediaType == "application/json" || mediaType == "application/a2a+json" || mediaType.hasSuffix("+json")
    }

    // MARK: Encoding

    static func encode(_ response: A2AResponse, id: JSONRPCID, logger: Logger) throws -> Response {
        switch response {
        case .sendMessage(let result): return try jsonResponse(JSONRPCResultResponse(id: id, result: result))
        case .task(let result): return try jsonResponse(JSONRPCResultResponse(id: id, result: result))
        case .taskList(let result): return try jsonResponse(JSONRPCResultResponse(id: id, result: result))
        case .pushConfig(let result): return try jsonResponse(JSONRPCResultResponse(id: id, result: result))
        case .pushConfigList(let result): return try jsonResponse(JSONRPCResultResponse(id: id, result: result))
        case .empty: return try jsonResponse(JSONRPCResultResponse(id: id, result: EmptyResult()))
        case .agentCard(let result): return try jsonResponse(JSONRPCResultResponse(id: id, result: result))
        case .stream(let events): return sseResponse(events, id: id, logger: logger)
        }
    }

    static func jsonResponse(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let buffer = try A2AJSON.makeEncoder().encodeAsByteBuffer(value, allocator: ByteBufferAllocator())
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }

    static func errorResponse(_ error: JSONRPCError, id: JSONRPCID, status: HTTPResponse.Status = .ok) -> Response {
        // Encoding an error response of plain values cannot fail.
        let buffer = (try? A2AJSON.makeEncoder().encodeAsByteBuffer(JSONRPCErrorResponse(id: id, error: error), allocator: ByteBufferAllocator()))
            ?? ByteBuffer(string: #"{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"Internal error"}}"#)
        var headers: HTTPFields = [.contentType: "application/json"]
        if status == .serviceUnavailable {
            headers[.retryAfter] = "1"
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: buffer))
    }

    static func sseResponse(_ events: AsyncThrowingStream<StreamResponse, any Error>, id: JSONRPCID, logger: Logger) -> Response {
        let headers: HTTPFields = [
            .contentType: "text/event-stream",
            .cacheControl: "no-cache",
            HTTPField.Name("X-Accel-Buffering")!: "no",
        ]
        return Response(
            status: .ok,
            headers: headers,
            body: ResponseBody { writer in
                let encoder = A2AJSON.makeEncoder()
                do {
                    for try await event in events {
                        try await writer.write(try frame(JSONRPCResultResponse(id: id, result: event), encoder: encoder))
                    }
                } catch is CancellationError {
                    // The client went away.
                } catch {
                    let (rpcError, _) = describe(error, logger: logger)
                    try await writer.write(try frame(JSONRPCErrorResponse(id: id, error: rpcError), encoder: encoder, event: "error"))
                }
                try await writer.finish(nil)
            }
        )
    }

    static func frame(_ value: some Encodable, encoder: JSONEncoder, event: String? = nil) throws -> ByteBuffer {
        let json = try encoder.encode(value)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(json.count + 24)
        if let event {
            buffer.writeString("event: \(event)\n")
        }
        buffer.writeString("data: ")
        buffer.writeBytes(json)
        buffer.writeString("\n\n")
        return buffer
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
