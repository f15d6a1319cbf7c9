//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol

/// Carries JSON-RPC calls to an A2A agent: over HTTP(S) (``HTTPTransport``) or over the
/// stdin/stdout of a local `cleveragents stdio` process (``StdioTransport``).
public protocol A2ATransport: Sendable {
    /// Where the calls go, for messages (`https://host/ns/acme`, `stdio:/path/to/store`).
    var endpointDescription: String { get }

    /// A unary call. Throws ``A2AClientError``.
    ///
    /// - Parameter idempotent: the call may be repeated safely, so a transport may retry it.
    func call<Params: Encodable & Sendable, Result: Decodable & Sendable>(
        _ method: String,
        params: Params,
        as resultType: Result.Type,
        idempotent: Bool
    ) async throws -> Result

    /// A streaming call: its events as they come. An error before or during the stream is thrown
    /// from the iteration (or earlier, from this call).
    func stream<Params: Encodable & Sendable>(_ method: String, params: Params) async throws -> A2AEventStream

    /// Releases the transport (ends the local process, closes connections).
    func close() async throws
}

/// The events of a streaming call, as an `AsyncSequence` of ``StreamResponse``.
///
/// Ending the iteration early (a `break`) stops the stream on the other side.
public struct A2AEventStream: AsyncSequence, Sendable {
    public typealias Element = StreamResponse

    let events: AsyncThrowingStream<StreamResponse, any Error>

    public init(_ events: AsyncThrowingStream<StreamResponse, any Error>) {
        self.events = events
    }

    public func makeAsyncIterator() -> AsyncThrowingStream<StreamResponse, any Error>.AsyncIterator {
        events.makeAsyncIterator()
    }

    /// Every event until the stream ends.
    public func collect() async throws -> [StreamResponse] {
        var all: [StreamResponse] = []
        for try await event in self { all.append(event) }
        return all
    }
}

/// Why a call failed.
public enum A2AClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The agent answered with a JSON-RPC error (`httpStatus` when it came over HTTP).
    case rpc(JSONRPCError, httpStatus: Int?)
    /// An HTTP answer that is not JSON-RPC.
    case http(status: Int, body: String)
    /// The agent could not be reached, or the connection or local process broke.
    case transport(String)
    /// No answer in time.
    case timeout
    /// An answer that does not fit the protocol.
    case invalidResponse(String)
    /// The agent card could not be fetched or used.
    case agentCard(String)

    /// The JSON-RPC error, when the agent answered with one.
    public var rpcError: JSONRPCError? {
        if case .rpc(let error, _) = self { return error }
        return nil
    }

    public var description: String {
        switch self {
        case .rpc(let error, let status):
            "\(error.message) (JSON-RPC \(error.code)\(status.map { ", HTTP \($0)" } ?? ""))"
        case .http(let status, let body): "HTTP \(status): \(body.prefix(200))"
        case .transport(let detail): "cannot reach the agent: \(detail)"
        case .timeout: "the agent did not answer in time"
        case .invalidResponse(let detail): "invalid answer from the agent: \(detail)"
        case .agentCard(let detail): "agent card: \(detail)"
        }
    }
}
