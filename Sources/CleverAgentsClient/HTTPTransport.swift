//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// JSON-RPC 2.0 over HTTP(S): unary calls as JSON, streams as Server-Sent Events.
///
/// Every request carries `A2A-Version: 1.0`, the bearer token when one is set, and the interface's
/// `tenant` when the agent card names one (as the A2A Python SDK does).
public struct HTTPTransport: A2ATransport {
    /// The JSON-RPC endpoint (the URL of the agent card's JSON-RPC interface).
    public let endpoint: String
    public let token: String?
    /// Added as `tenant` to every request's params, when set.
    public let tenant: String?
    public let http: HTTPClient
    public let retry: RetryPolicy
    /// The longest wait for a unary answer (streams are not limited).
    public let timeout: Duration
    /// The largest answer read.
    public let maximumResponseBytes: Int

    public init(
        endpoint: String,
        token: String? = nil,
        tenant: String? = nil,
        http: HTTPClient = .a2aDefault,
        retry: RetryPolicy = RetryPolicy(),
        timeout: Duration = .seconds(300),
        maximumResponseBytes: Int = 64 << 20
    ) {
        self.endpoint = endpoint
        self.token = token
        self.tenant = tenant
        self.http = http
        self.retry = retry
        self.timeout = timeout
        self.maximumResponseBytes = maximumResponseBytes
    }

    /// Fetches the agent card at `baseURL` and makes a transport for its JSON-RPC 1.0 interface.
    public static func discover(
        baseURL: String,
        token: String? = nil,
        http: HTTPClient = .a2aDefault,
        retry: RetryPolicy = RetryPolicy()
    ) async throws -> (transport: HTTPTransport, card: AgentCard) {
        let resolver = AgentCardResolver(http: http, token: token, retry: retry)
        let card = try await resolver.fetch(baseURL: baseURL)
        let interface = try AgentCardResolver.jsonRPCInterface(of: card)
        let tenant = interface.tenant.flatMap { $0.isEmpty ? nil : $0 }
        return (HTTPTransport(endpoint: interface.url, token: token, tenant: tenant, http: http, retry: retry), card)
    }

    public var endpointDescription: String { endpoint }

    public func call<Params: Encodable & Sendable, Result: Decodable & Sendable>(
        _ method: String,
        params: Params,
        as resultType: Result.Type,
        idempotent: Bool
    ) async throws -> Result {
        let body = try encodeRequest(method, params: params)
        var attempt = 1
        while true {
            do {
                let request = makeRequest(body, accept: "application/json")
                let response = try await http.execute(request, timeout: .init(timeout))
                let bytes = try await response.body.collect(upTo: maximumResponseBytes)
                let status = Int(response.status.code)
                if idempotent, attempt < retry.maximumAttempts, RetryPolicy.isRetriable(status: status) {
                    try await Task.sleep(for: retry.backoff(after: attempt, retryAfter: Self.retryAfter(response.headers)))
                    attempt += 1
                    continue
                }
                return try Self.decodeResult(Result.self, from: Data(buffer: bytes), status: status)
            } catch let error where idempotent && attempt < retry.maximumAttempts && Self.isConnectFailure(error) {
                try await Task.sleep(for: retry.backoff(after: attempt))
                attempt += 1
            } catch {
                throw Self.clientError(error)
            }
        }
    }

    public func stream<Params: Encodable & Sendable>(_ method: String, params: Params) async throws -> A2AEventStream {
        let body = try encodeRequest(method, params: params)
        let response: HTTPClientResponse
        do {
            response = try await http.execute(makeRequest(body, accept: "text/event-stream"), deadline: .distantFuture)
        } catch {
            throw Self.clientError(error)
        }
        let status = Int(response.status.code)
        let contentType = response.headers.first(name: "content-type") ?? ""
        guard contentType.lowercased().hasPrefix("text/event-stream") else {
            // An error before the stream started comes back as plain JSON-RPC.
            let bytes = try await response.body.collect(upTo: maximumResponseBytes)
            _ = try Self.decodeResult(StreamResponse.self, from: Data(buffer: bytes), status: status)
            throw A2AClientError.invalidResponse("a streaming method answered with \(contentType.isEmpty ? "no content type" : contentType)")
        }
        let (events, continuation) = AsyncThrowingStream<StreamResponse, any Error>.makeStream()
        let reader = Task {
            var parser = ServerSentEventParser()
            do {
                for try await buffer in response.body {
                    for event in parser.consume(buffer.readableBytesView) {
                        try Self.deliver(event, to: continuation)
                    }
                }
                for event in parser.finish() {
                    try Self.deliver(event, to: continuation)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: Self.clientError(error))
            }
        }
        continuation.onTermination = { _ in reader.cancel() }
        return A2AEventStream(events)
    }

    public func close() async throws {}

    // MARK: Wire

    private func encodeRequest<Params: Encodable & Sendable>(_ method: String, params: Params) throws -> ByteBuffer {
        let id = JSONRPCID.string(UUID().uuidString.lowercased())
        let encoder = A2AJSON.makeEncoder()
        var data = try encoder.encode(JSONRPCOutgoingRequest(id: id, method: method, params: params))
        if let tenant {
            data = try Self.addingTenant(tenant, to: data)
        }
        return ByteBuffer(data: data)
    }

    /// Sets `params.tenant` unless the caller set it.
    static func addingTenant(_ tenant: String, to request: Data) throws -> Data {
        guard case .object(var envelope) = try JSONDecoder().decode(JSONValue.self, from: request),
            case .object(var params) = envelope["params"] ?? .object([:])
        else { return request }
        if params["tenant"] == nil || params["tenant"] == .string("") {
            params["tenant"] = .string(tenant)
        }
        envelope["params"] = .object(params)
        return try A2AJSON.makeEncoder().encode(JSONValue.object(envelope))
    }

    private func makeRequest(_ body: ByteBuffer, accept: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: accept)
        request.headers.add(name: A2AVersion.headerName, value: A2AVersion.v1_0.rawValue)
        if let token, !token.isEmpty {
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        request.body = .bytes(body)
        return request
    }

    private static func deliver(_ event: ServerSentEvent, to continuation: AsyncThrowingStream<StreamResponse, any Error>.Continuation) throws {
        guard !event.data.isEmpty else { return }
        let data = Data(event.data.utf8)
        let message = try JSONDecoder().decode(JSONRPCResponse<StreamResponse>.self, from: data)
        switch message.outcome {
        case .success(let response): continuation.yield(response)
        case .failure(let error): throw A2AClientError.rpc(error, httpStatus: nil)
        }
    }

    /// Decodes a JSON-RPC answer; `status` is the HTTP status, `nil` for other transports.
    static func decodeResult<Result: Decodable & Sendable>(_ type: Result.Type, from data: Data, status: Int?) throws -> Result {
        let message: JSONRPCResponse<Result>
        do {
            message = try JSONDecoder().decode(JSONRPCResponse<Result>.self, from: data)
        } catch {
            if let failure = try? JSONDecoder().decode(JSONRPCErrorResponse.self, from: data) {
                throw A2AClientError.rpc(failure.error, httpStatus: status)
            }
            if let status, status >= 400 {
                throw A2AClientError.http(status: status, body: String(decoding: data.prefix(1000), as: UTF8.self))
            }
            throw A2AClientError.invalidResponse("\(error)")
        }
        switch message.outcome {
        case .success(let result): return result
        case .failure(let error): throw A2AClientError.rpc(error, httpStatus: status)
        }
    }

    static func retryAfter(_ headers: HTTPHeaders) -> Duration? {
        headers.first(name: "retry-after").flatMap(Int.init).map { .seconds($0) }
    }

    /// A failure to reach the agent at all: nothing was sent, so any call may be tried again.
    static func isConnectFailure(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError {
            return error == .connectTimeout || error == .remoteConnectionClosed || error == .getConnectionFromPoolTimeout
        }
        let name = String(describing: type(of: error))
        return name.contains("NIOConnectionError") || (error as? IOError)?.errnoCode == ECONNREFUSED
    }

    static func clientError(_ error: any Error) -> any Error {
        switch error {
        case is A2AClientError, is CancellationError: return error
        case let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout: return A2AClientError.timeout
        case is HTTPClientError, is IOError, is ChannelError: return A2AClientError.transport("\(error)")
        case is DecodingError: return A2AClientError.invalidResponse("\(error)")
        case is NIOTooManyBytesError: return A2AClientError.invalidResponse("the answer is larger than the client's limit (maximumResponseBytes)")
        default:
            return String(describing: type(of: error)).contains("NIOConnectionError") ? A2AClientError.transport("\(error)") : error
        }
    }
}
