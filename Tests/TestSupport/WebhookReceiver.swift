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
    private let running: Task<Void, any Error>
    private let group: ServiceGroup
    public let port: Int

    private init(port: Int, running: Task<Void, any Error>, group: ServiceGroup) {
        self.port = port
        self.running = running
        self.group = group
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
        let router = Router()
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
        router.post("/webhook", use: receive)
        // Any other POST too: the receiver also stands in for an OTLP collector or a graph server.
        router.post("/**", use: receive)
        var logger = Logger(label: "webhook")
        logger.logLevel = .critical
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger
        )
        let group = ServiceGroup(services: [app], logger: logger)
        let running = Task { try await group.run() }
        var port = 0
        for await value in ports { port = value }
        let receiver = WebhookReceiver(port: port, running: running, group: group)
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
        await group.triggerGracefulShutdown()
        try await running.value
    }
}
