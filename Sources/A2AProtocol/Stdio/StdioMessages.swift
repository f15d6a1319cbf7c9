//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// The framing of JSON-RPC over stdin/stdout (local mode): one JSON message per line.
///
/// A streaming method (`SendStreamingMessage`, `SubscribeToTask`) answers with one
/// `_cleveragents/stream` notification per event, tied to the request by `requestId`, then with
/// its final response: `{"events": N}` when the stream ended normally, or an error.
public enum StdioProtocol {
    /// The method of the notifications that carry stream events.
    public static let streamMethod = "_cleveragents/stream"
    /// A notification from the client that stops a request in flight (a stream it no longer reads);
    /// the request then ends with error -32800.
    public static let cancelRequestMethod = "_cleveragents/cancelRequest"
    /// The error code of a request cancelled by the client (as in the Language Server Protocol).
    public static let requestCancelledCode = -32800
}

/// `params` of a `_cleveragents/stream` notification.
public struct StdioStreamEvent: Sendable, Hashable, Codable {
    public var requestId: JSONRPCID
    public var event: StreamResponse

    public init(requestId: JSONRPCID, event: StreamResponse) {
        self.requestId = requestId
        self.event = event
    }
}

/// The final result of a streaming method over stdio.
public struct StdioStreamEnd: Sendable, Hashable, Codable {
    /// How many `_cleveragents/stream` notifications the stream sent.
    public var events: Int

    public init(events: Int) {
        self.events = events
    }
}

/// `params` of a `_cleveragents/cancelRequest` notification.
public struct StdioCancelRequest: Sendable, Hashable, Codable {
    public var requestId: JSONRPCID

    public init(requestId: JSONRPCID) {
        self.requestId = requestId
    }
}

/// A JSON-RPC notification: `{"jsonrpc":"2.0","method":…,"params":…}`.
public struct JSONRPCNotification<Params: Encodable & Sendable>: Encodable, Sendable {
    public var method: String
    public var params: Params

    public init(method: String, params: Params) {
        self.method = method
        self.params = params
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: JSONRPCEnvelopeKeys.self)
        try container.encode("2.0", forKey: .jsonrpc)
        try container.encode(method, forKey: .method)
        try container.encode(params, forKey: .params)
    }
}

/// A JSON-RPC request as a client writes it.
public struct JSONRPCOutgoingRequest<Params: Encodable & Sendable>: Encodable, Sendable {
    public var id: JSONRPCID
    public var method: String
    public var params: Params

    public init(id: JSONRPCID, method: String, params: Params) {
        self.id = id
        self.method = method
        self.params = params
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: JSONRPCEnvelopeKeys.self)
        try container.encode("2.0", forKey: .jsonrpc)
        try container.encode(id, forKey: .id)
        try container.encode(method, forKey: .method)
        try container.encode(params, forKey: .params)
    }
}
