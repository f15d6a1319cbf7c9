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

/// How answers are written: A2A 1.0, or the A2A 0.3 shapes for older clients. The application
/// only ever sees 1.0 types; this is the second codec of the one domain model.
enum WireCodec: Sendable {
    case v1_0
    case v0_3

    /// The codec of a method family's answers: 0.3's shapes for 0.3's names, else 1.0's.
    init(_ family: JSONRPCMethodFamily) {
        self = family == .a2a03 ? .v0_3 : .v1_0
    }

    /// Writes a successful answer.
    ///
    /// - Parameter untilInterrupted: the stream ends at input-required too (`SendStreamingMessage`),
    ///   which decides the 0.3 `final` flag.
    func encode(_ response: A2AResponse, id: JSONRPCID, untilInterrupted: Bool, logger: Logger) throws -> Response {
        switch self {
        case .v1_0:
            switch response {
            // The hot answers skip JSONEncoder (A2AJSONWriter writes the same JSON).
            case .sendMessage(let result): return try Self.written(JSONRPCResultResponse(id: id, result: result))
            case .task(let result): return try Self.written(JSONRPCResultResponse(id: id, result: result))
            case .taskList(let result): return try Self.json(JSONRPCResultResponse(id: id, result: result))
            case .pushConfig(let result): return try Self.json(JSONRPCResultResponse(id: id, result: result))
            case .pushConfigList(let result): return try Self.json(JSONRPCResultResponse(id: id, result: result))
            case .empty: return try Self.json(JSONRPCResultResponse(id: id, result: EmptyResult()))
            case .agentCard(let result): return try Self.json(JSONRPCResultResponse(id: id, result: result))
            case .stream(let events):
                return sse(events, logger: logger) { event, _ in try Self.writtenFrame(JSONRPCResultResponse(id: id, result: event)) }
            }
        case .v0_3:
            switch response {
            case .sendMessage(let result): return try Self.json(JSONRPCResultResponse(id: id, result: A2A03.Response(result)))
            case .task(let result): return try Self.json(JSONRPCResultResponse(id: id, result: A2A03.Response(result)))
            case .taskList:
                throw JSONRPCError.methodNotFound("tasks/list")
            case .pushConfig(let result): return try Self.json(JSONRPCResultResponse(id: id, result: A2A03.Response(result)))
            case .pushConfigList(let result): return try Self.json(JSONRPCResultResponse(id: id, result: A2A03.Response(result)))
            case .empty: return try Self.json(JSONRPCResultResponse(id: id, result: A2A03.Response(EmptyResult())))
            case .agentCard(let card): return try Self.json(JSONRPCResultResponse(id: id, result: try A2A03.Response(agentCard: card)))
            case .stream(let events):
                return sse(events, logger: logger) { event, encoder in
                    let ends = event.endsStream(untilInterrupted: untilInterrupted)
                    return try Self.frame(JSONRPCResultResponse(id: id, result: A2A03.streamEvent(event, isFinal: ends)), encoder: encoder)
                }
            }
        }
    }

    /// A JSON-RPC error answer in this version's shape.
    func error(_ error: JSONRPCError, id: JSONRPCID, status: HTTPResponse.Status = .ok) -> Response {
        let buffer: ByteBuffer?
        switch self {
        case .v1_0: buffer = try? A2AJSON.makeEncoder().encodeAsByteBuffer(JSONRPCErrorResponse(id: id, error: error), allocator: ByteBufferAllocator())
        case .v0_3: buffer = try? A2AJSON.makeEncoder().encodeAsByteBuffer(A2A03.ErrorResponse(id: id, error: error), allocator: ByteBufferAllocator())
        }
        var headers: HTTPFields = [.contentType: "application/json"]
        if status == .serviceUnavailable {
            headers[.retryAfter] = "1"
        }
        // Encoding an error of plain values cannot fail; the fallback is never expected.
        let body = buffer ?? ByteBuffer(string: #"{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"Internal error"}}"#)
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }

    static func json(_ value: some Encodable) throws -> Response {
        let buffer = try A2AJSON.makeEncoder().encodeAsByteBuffer(value, allocator: ByteBufferAllocator())
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }

    /// A JSON answer written by ``A2AJSONWriter``.
    static func written(_ value: some A2AJSONWritable) throws -> Response {
        let buffer = ByteBuffer(bytes: try A2AJSONWriter.encode(value))
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }

    /// An SSE answer: one JSON-RPC message per `data:` line; a failure mid-stream is an error event.
    func sse(
        _ events: AsyncThrowingStream<StreamResponse, any Error>,
        logger: Logger,
        frame: @escaping @Sendable (StreamResponse, JSONEncoder) throws -> ByteBuffer
    ) -> Response {
        let codec = self
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
                        try await writer.write(try frame(event, encoder))
                    }
                } catch is CancellationError {
                    // The client went away.
                } catch {
                    let failure = JSONRPCFailure(error)
                    failure.log(to: logger)
                    let rpcError = failure.error
                    let id = JSONRPCID.null
                    switch codec {
                    case .v1_0: try await writer.write(try Self.frame(JSONRPCErrorResponse(id: id, error: rpcError), encoder: encoder, event: "error"))
                    case .v0_3: try await writer.write(try Self.frame(A2A03.ErrorResponse(id: id, error: rpcError), encoder: encoder))
                    }
                }
                try await writer.finish(nil)
            }
        )
    }

    /// One SSE `data:` frame written by ``A2AJSONWriter``.
    static func writtenFrame(_ value: some A2AJSONWritable) throws -> ByteBuffer {
        var writer = A2AJSONWriter()
        writer.raw("data: ".utf8)
        try value.write(to: &writer)
        writer.raw("\n\n".utf8)
        return ByteBuffer(bytes: writer.bytes)
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
}
