//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
public import CleverAgentsRuntime
import Foundation
public import Hummingbird
import Logging
import NIOFoundationCompat
public import NIOCore

/// The codec path of `POST /ns/{namespace}`, opened to the micro-benchmarks in `Benchmarks/`.
///
/// Not API (hence the SPI): each entry point calls the functions the endpoint itself runs, so a
/// benchmark measures the server's code rather than a copy of it.
///
/// ```swift
/// @_spi(Benchmarks) import CleverAgentsHTTP
///
/// let call = HTTPCodecPath.decodeCall(body)
/// ```
@_spi(Benchmarks)
public enum HTTPCodecPath {
    /// Checks and decodes a request body as the namespace endpoint does: the nesting limit, then
    /// the JSON-RPC envelope and the typed params of an A2A 1.0 call (no `A2A-Version` header).
    ///
    /// - Parameters:
    ///   - body: the collected request body.
    ///   - maximumJSONDepth: the nesting limit; the front end's default when omitted.
    /// - Returns: the call, or `nil` when the endpoint would answer with an error.
    public static func decodeCall(
        _ body: ByteBuffer,
        maximumJSONDepth: Int = HTTPFrontEndConfiguration().maximumJSONDepth
    ) -> A2AMethodCall? {
        guard JSONDepth.isWithin(maximumJSONDepth, body.readableBytesView) else { return nil }
        guard case .success(let request) = JSONRPCDispatcher.decode(Data(buffer: body, byteTransferStrategy: .noCopy), askedFor: .none),
            case .a2a(let call) = request.call
        else { return nil }
        return call
    }

    /// Writes a successful A2A 1.0 answer as the namespace endpoint does.
    ///
    /// - Parameters:
    ///   - response: what the application answered; a stream gives an SSE response whose body
    ///     is written later, so measure its events with ``frame(_:id:encoder:)``.
    ///   - id: the request's JSON-RPC id.
    /// - Returns: the HTTP response, with its JSON body already encoded.
    public static func encode(_ response: A2AResponse, id: JSONRPCID) throws -> Response {
        try WireCodec.v1_0.encode(response, id: id, untilInterrupted: false, logger: logger)
    }

    /// Frames one stream event as an A2A 1.0 SSE answer writes it: a JSON-RPC result on a
    /// `data:` line, written by `A2AJSONWriter`.
    ///
    /// - Parameters:
    ///   - event: the event.
    ///   - id: the request's JSON-RPC id.
    /// - Returns: the bytes of the event.
    public static func frame(_ event: StreamResponse, id: JSONRPCID) throws -> ByteBuffer {
        try WireCodec.writtenFrame(JSONRPCResultResponse(id: id, result: event))
    }

    private static let logger = Logger(label: "benchmarks", factory: { _ in SwiftLogNoOpLogHandler() })
}
