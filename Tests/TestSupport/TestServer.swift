//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import AsyncHTTPClient
import CleverAgentsDomain
import CleverAgentsPostgres
import CleverAgentsRuntime
import CleverAgentsServer
import Foundation
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// A real server on a real socket (port 0), against the test PostgreSQL and LangGraph.
///
/// Started with ``start(configure:)``, stopped with ``stop()`` (a graceful shutdown, as SIGTERM).
public final class TestServer: Sendable {
    public let configuration: ServerConfiguration
    public let server: ServerApplication
    public let port: Int
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    private init(configuration: ServerConfiguration, server: ServerApplication, port: Int, group: ServiceGroup, running: Task<Void, any Error>) {
        self.configuration = configuration
        self.server = server
        self.port = port
        self.group = group
        self.running = running
    }

    /// The server's base URL (`http://127.0.0.1:PORT`).
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The JSON-RPC endpoint of a namespace.
    public func endpoint(_ namespace: String) -> String { "\(baseURL)/ns/\(namespace)" }

    /// The store the server uses, for arranging and inspecting data.
    public var store: PostgresStore { server.store }

    /// A configuration for tests: the test database, port 0, quiet logs.
    public static func testConfiguration() throws -> ServerConfiguration {
        guard let url = TestEnvironment.databaseURL else { throw MissingTestService("CLEVERAGENTS_TEST_DATABASE_URL") }
        // Every test server shares the database, like replicas. Each runs the tasks it accepted
        // and delivers their notifications (its own queue group) unless a test gives replicas one:
        // a server with a stricter egress policy must not give up on another test's webhooks.
        return ServerConfiguration(
            http: HTTPConfiguration(host: "127.0.0.1", port: 0),
            database: DatabaseConfiguration(url: try DatabaseURL(url), poolSize: 8),
            tasks: TaskQueueConfiguration(queueGroup: TestEnvironment.uniqueName("queue")),
            shutdownGracePeriod: .seconds(10)
        )
    }

    /// Starts a server and returns once it accepts connections.
    /// `logger`, when given, replaces the default one (and `logLevel`): tests that read the logs.
    public static func start(
        logLevel: Logger.Level = .warning,
        logger customLogger: Logger? = nil,
        configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> TestServer {
        var configuration = try testConfiguration()
        configure(&configuration)
        var logger = customLogger ?? Logger(label: "test-server")
        if customLogger == nil { logger.logLevel = logLevel }
        let server = try ServerApplication(configuration: configuration, logger: logger)
        let (portStream, portContinuation) = AsyncStream<Int>.makeStream()
        let app = server.application { channel in
            portContinuation.yield(channel.localAddress?.port ?? 0)
            portContinuation.finish()
        }
        let group = ServiceGroup(services: [app], logger: logger)
        let running = Task {
            defer { portContinuation.finish() }
            try await group.run()
        }
        var port: Int?
        for await value in portStream {
            port = value
        }
        guard let port, port > 0 else {
            _ = try await running.value
            throw MissingTestService("a listening test server")
        }
        return TestServer(configuration: configuration, server: server, port: port, group: group, running: running)
    }

    /// Shuts the server down gracefully and waits until it stopped.
    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
    }

    /// Creates a namespace (auth disabled unless stated) with one default actor on the test LangGraph server.
    @discardableResult
    public func createNamespace(
        _ name: String = TestEnvironment.uniqueName("ns"),
        authMode: Namespace.AuthMode = .disabled,
        assistant: String? = "echo",
        description: String = ""
    ) async throws -> NamespaceName {
        let namespace = try requireName(name)
        try await store.createNamespace(Namespace(name: namespace, description: description, authMode: authMode, createdAt: .now))
        if let assistant {
            guard let graphURL = TestEnvironment.langGraphURL else { throw MissingTestService("CLEVERAGENTS_TEST_LANGGRAPH_URL") }
            try await store.putActor(ActorDefinition(name: assistant.replacingOccurrences(of: "_", with: "-"), graphURL: graphURL, assistantID: assistant, isDefault: true), in: namespace)
        }
        return namespace
    }

    /// Adds an actor for a test graph.
    public func addActor(_ assistant: String, named name: String? = nil, to namespace: NamespaceName, isDefault: Bool = false) async throws {
        guard let graphURL = TestEnvironment.langGraphURL else { throw MissingTestService("CLEVERAGENTS_TEST_LANGGRAPH_URL") }
        try await store.putActor(
            ActorDefinition(name: name ?? assistant.replacingOccurrences(of: "_", with: "-"), graphURL: graphURL, assistantID: assistant, isDefault: isDefault),
            in: namespace
        )
    }
}

private func requireName(_ name: String) throws -> NamespaceName {
    guard let namespace = NamespaceName(name) else { throw MissingTestService("a valid namespace name for '\(name)'") }
    return namespace
}
