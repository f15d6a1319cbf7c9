//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A webhook on a real socket that records what it receives and answers with a status the test
/// chooses (200 by default).
public final class WebhookReceiver: Sendable {
    public struct Received: Sendable {
        public var headers: [String: String]
        public var body: Data
        /// The request's path: `/webhook`, or any other path (the receiver takes every POST).
        public var path: String = "/webhook"
        /// What the receiver answered.
        public var status: Int = 200
    }

    private let state = Mutex<(received: [Received], status: HTTPResponse.Status)>(([], .ok))
    private let server: TestHTTPServer
    public var port: Int { server.port }

    private init(server: TestHTTPServer) {
        self.server = server
    }

    /// The webhook URL.
    public var url: String { "http://127.0.0.1:\(port)/webhook" }

    /// What arrived so far, in order.
    public var received: [Received] { state.withLock { $0.received } }

    /// Answers every later request with `status`.
    public func answer(_ status: HTTPResponse.Status) {
        state.withLock { $0.status = status }
    }

    public static func start() async throws -> WebhookReceiver {
        let stateBox = Mutex<(@Sendable (Received) -> HTTPResponse.Status)?>(nil)
        let receive: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            let received = Received(headers: headers, body: Data(body.readableBytesView), path: request.uri.path)
            let status = stateBox.withLock { $0 }?(received) ?? .ok
            return Response(status: status)
        }
        let server = try await TestHTTPServer.start { router in
            router.post("/webhook", use: receive)
            // Any other POST too: the receiver also stands in for an OTLP collector or a graph server.
            router.post("/**", use: receive)
        }
        let receiver = WebhookReceiver(server: server)
        stateBox.withLock { handler in
            handler = { [weak receiver] received in
                guard let receiver else { return .ok }
                return receiver.state.withLock { state in
                    var received = received
                    received.status = Int(state.status.code)
                    state.received.append(received)
                    return state.status
                }
            }
        }
        return receiver
    }

    public func stop() async throws {
        try await server.stop()
    }
}
