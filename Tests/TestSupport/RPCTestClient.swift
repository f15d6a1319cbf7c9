//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// A plain HTTP client for JSON-RPC and SSE, for tests that check the exact wire behaviour.
public struct RPCTestClient: Sendable {
    public let http: HTTPClient

    public init(http: HTTPClient = .shared) {
        self.http = http
    }

    /// An HTTP answer: status, headers and body.
    public struct Reply: Sendable {
        public var status: Int
        public var headers: HTTPHeaders
        public var body: Data

        /// The body as JSON.
        public var json: JSONValue {
            get throws { try JSONDecoder().decode(JSONValue.self, from: body) }
        }

        /// The JSON-RPC `result`, or a failure describing the error.
        public func result() throws -> JSONValue {
            let json = try self.json
            if let error = json["error"] { throw RPCCallError(error: error) }
            guard let result = json["result"] else { throw RPCCallError(error: json) }
            return result
        }

        /// The JSON-RPC error code, if the answer is an error.
        public var errorCode: Int? {
            guard let code = (try? json)?["error"]?["code"]?.numberValue else { return nil }
            return Int(code)
        }

        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// POSTs a raw body.
    public func post(
        _ url: String,
        body: String,
        headers: [(String, String)] = [("Content-Type", "application/json"), ("A2A-Version", "1.0")]
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await http.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Data(bytes.readableBytesView))
    }

    /// GETs a URL.
    public func get(_ url: String, headers: [(String, String)] = []) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Data(bytes.readableBytesView))
    }

    /// Calls a method with params given as JSON text.
    public func call(_ url: String, method: String, params: String = "{}", id: String = "1") async throws -> Reply {
        try await post(url, body: #"{"jsonrpc":"2.0","id":"# + id + #","method":""# + method + #"","params":"# + params + "}")
    }

    /// Calls a streaming method and collects its events until the server closes the stream.
    public func stream(_ url: String, method: String, params: String, id: String = "1") async throws -> StreamReply {
        try await postStream(
            HTTPClientRequestBuilder(url: url, body: #"{"jsonrpc":"2.0","id":"# + id + #","method":""# + method + #"","params":"# + params + "}")
        )
    }

    /// POSTs a raw body and collects the SSE events of the answer.
    public func postStream(_ builder: HTTPClientRequestBuilder) async throws -> StreamReply {
        var request = HTTPClientRequest(url: builder.url)
        request.method = .POST
        request.headers.add(name: "Accept", value: "text/event-stream")
        for (name, value) in builder.headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: builder.body))
        let response = try await http.execute(request, timeout: .seconds(60))
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        var raw = Data()
        for try await buffer in response.body {
            raw.append(contentsOf: buffer.readableBytesView)
            events.append(contentsOf: parser.consume(buffer.readableBytesView))
        }
        return StreamReply(status: Int(response.status.code), headers: response.headers, events: events, raw: raw)
    }

    /// A streaming answer.
    public struct StreamReply: Sendable {
        public var status: Int
        public var headers: HTTPHeaders
        public var events: [ServerSentEvent]
        public var raw: Data

        /// Each event's JSON-RPC message.
        public var messages: [JSONValue] {
            get throws { try events.map { try JSONDecoder().decode(JSONValue.self, from: Data($0.data.utf8)) } }
        }

        /// Each event's `result` (a StreamResponse), failing on an error event.
        public var results: [JSONValue] {
            get throws {
                try messages.map { message in
                    if let error = message["error"] { throw RPCCallError(error: error) }
                    guard let result = message["result"] else { throw RPCCallError(error: message) }
                    return result
                }
            }
        }
    }
}

/// A request for ``RPCTestClient/postStream(_:)``.
public struct HTTPClientRequestBuilder: Sendable {
    public var url: String
    public var body: String
    public var headers: [(String, String)] = [("Content-Type", "application/json"), ("A2A-Version", "1.0")]

    public init(url: String, body: String) {
        self.url = url
        self.body = body
    }
}

/// A JSON-RPC error answer where a result was expected.
public struct RPCCallError: Error, CustomStringConvertible {
    public var error: JSONValue

    public init(error: JSONValue) {
        self.error = error
    }

    public var description: String { "JSON-RPC error: \(error)" }
}

extension JSONValue {
    /// Follows a dotted path such as `task.status.state`.
    public func at(_ path: String) -> JSONValue? {
        var current: JSONValue? = self
        for component in path.split(separator: ".") {
            if let index = Int(component), let array = current?.arrayValue {
                current = array.indices.contains(index) ? array[index] : nil
            } else {
                current = current?[String(component)]
            }
        }
        return current
    }
}
