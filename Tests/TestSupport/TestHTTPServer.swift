//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Hummingbird
import HummingbirdTLS
import Logging
import NIOSSL
import ServiceLifecycle

/// A small Hummingbird server on 127.0.0.1 with the routes a test gives it.
public struct TestHTTPServer: Sendable {
    public let port: Int
    let group: ServiceGroup
    let running: Task<Void, any Error>

    public static func start(tls: TLSConfiguration? = nil, routes: (Router<BasicRequestContext>) -> Void) async throws -> TestHTTPServer {
        let router = Router()
        routes(router)
        var logger = Logger(label: "test-http-server")
        logger.logLevel = .critical
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            server: try tls.map { try .tls(.http1(), tlsConfiguration: $0) } ?? .http1(),
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
        return TestHTTPServer(port: port, group: group, running: running)
    }

    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
    }
}
