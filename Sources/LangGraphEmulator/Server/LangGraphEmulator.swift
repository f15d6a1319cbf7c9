//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
public import Hummingbird
public import Logging
public import NIOCore
import ServiceLifecycle

/// An emulator of the LangGraph server HTTP API, for load tests and contract tests.
///
/// It serves the subset CleverAgents Server calls (threads, streamed, waited and background runs,
/// run status, join with `Last-Event-ID`, cancel, thread state with interrupts) with LangGraph's
/// wire format, running Swift renderings of the test graphs of `testing/langgraph/graphs.py`.
/// The LangGraph contract suite runs the same assertions against it and the real server. See
/// `docs/emulator.md`.
public struct LangGraphEmulator: Sendable {
    public let configuration: EmulatorConfiguration
    let store: EmulatorStore
    let faults: EmulatorFaults

    public init(configuration: EmulatorConfiguration = .init()) {
        self.configuration = configuration
        self.store = EmulatorStore(configuration: configuration)
        self.faults = EmulatorFaults(logSize: configuration.requestLogSize)
    }

    /// The Hummingbird application serving the emulator.
    public func application(logger: Logger, onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: EmulatorMiddleware(faults: faults, apiKey: configuration.apiKey))
        EmulatorRoutes(store: store, faults: faults).add(to: router)
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "langgraph-emulator"),
            onServerRunning: onServerRunning,
            logger: logger
        )
    }

    /// Injects a fault into the next matching requests.
    public func inject(_ fault: EmulatorFault) {
        faults.add(fault)
    }

    /// The requests received so far (the most recent ``EmulatorConfiguration/requestLogSize``).
    public var requests: [RecordedRequest] { faults.requests }

    /// Cancels every run and forgets every thread.
    public func reset() {
        store.reset()
    }

    /// Starts the emulator in this process and returns once it accepts connections.
    public static func start(configuration: EmulatorConfiguration = .init(), logger: Logger? = nil) async throws -> RunningEmulator {
        let emulator = LangGraphEmulator(configuration: configuration)
        var logger = logger ?? Logger(label: "langgraph-emulator")
        if logger.logLevel < .warning, ProcessInfo.processInfo.environment["CLEVERAGENTS_EMULATOR_LOG"] == nil { logger.logLevel = .warning }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = emulator.application(logger: logger) { channel in
            continuation.yield(channel.localAddress?.port ?? 0)
            continuation.finish()
        }
        let group = ServiceGroup(services: [app], logger: logger)
        let running = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var port = 0
        for await value in ports { port = value }
        guard port > 0 else {
            try await running.value
            throw EmulatorStartFailure()
        }
        return RunningEmulator(emulator: emulator, port: port, host: configuration.host, group: group, running: running)
    }
}

/// The emulator did not start listening.
public struct EmulatorStartFailure: Error, CustomStringConvertible {
    public var description: String { "the LangGraph emulator did not start listening" }
}

/// An emulator running in this process.
public final class RunningEmulator: Sendable {
    public let emulator: LangGraphEmulator
    public let port: Int
    public let host: String
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    init(emulator: LangGraphEmulator, port: Int, host: String, group: ServiceGroup, running: Task<Void, any Error>) {
        self.emulator = emulator
        self.port = port
        self.host = host
        self.group = group
        self.running = running
    }

    /// The base URL (`http://127.0.0.1:PORT`).
    public var url: String { "http://\(host):\(port)" }

    /// Stops serving: running runs are canceled so that their streams end, then the server
    /// shuts down gracefully.
    public func stop() async throws {
        emulator.reset()
        await group.triggerGracefulShutdown()
        try await running.value
    }
}
