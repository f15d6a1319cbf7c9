//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import ArgumentParser
import Foundation
import LangGraphEmulator
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

@main
struct LangGraphEmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "langgraph-emulator",
        abstract: "An emulator of the LangGraph server HTTP API running the test graphs, for load tests (see docs/emulator.md).",
        subcommands: [Serve.self, Bench.self],
        defaultSubcommand: Serve.self
    )
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the LangGraph API with the test graphs until SIGTERM or SIGINT.")

    @Option(name: .long, help: "Address to bind.")
    var host = "127.0.0.1"

    @Option(name: .long, help: "Port to bind; 0 picks a free one (printed on start).")
    var port = 2024

    @Option(name: .long, help: "Milliseconds each graph node takes.")
    var stepLatencyMs = 0

    @Option(name: .long, help: "Milliseconds a run waits before it starts (a run queue).")
    var startLatencyMs = 0

    @Option(name: .long, help: "Milliseconds between two tokens of the tokens graph.")
    var tokenLatencyMs = 0

    @Option(name: .long, help: "Seconds between heartbeats on idle streams; 0 disables them.")
    var heartbeatSeconds = 5

    @Option(name: .long, help: "Name of an environment variable holding the x-api-key every call must carry.")
    var apiKeyEnv: String?

    @Option(name: .long, help: "Event ids: redis (unique <ms>-<seq>) or inmem (<ms>-0, like langgraph dev).")
    var eventIds = EmulatorConfiguration.EventIDStyle.redis.rawValue

    @Option(name: .long, help: "Finished runs kept for joins; older ones are forgotten.")
    var maxRuns = 50_000

    @Option(name: .long, help: "Threads kept; the oldest idle ones are forgotten beyond it.")
    var maxThreads = 100_000

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535.") }
        guard EmulatorConfiguration.EventIDStyle(rawValue: eventIds) != nil else { throw ValidationError("--event-ids must be redis or inmem.") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level '\(logLevel)' is not a log level.") }
        for (name, value) in [("--step-latency-ms", stepLatencyMs), ("--start-latency-ms", startLatencyMs), ("--token-latency-ms", tokenLatencyMs)]
        where value < 0 {
            throw ValidationError("\(name) must not be negative.")
        }
        guard maxRuns > 0, maxThreads > 0 else { throw ValidationError("--max-runs and --max-threads must be positive.") }
    }

    func run() async throws {
        var apiKey: String?
        if let apiKeyEnv {
            guard let value = ProcessInfo.processInfo.environment[apiKeyEnv], !value.isEmpty else {
                throw ValidationError("Environment variable \(apiKeyEnv) is not set.")
            }
            apiKey = value
        }
        var logger = Logger(label: "langgraph-emulator")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let emulator = LangGraphEmulator(
            configuration: EmulatorConfiguration(
                host: host,
                port: port,
                stepLatency: .milliseconds(stepLatencyMs),
                startLatency: .milliseconds(startLatencyMs),
                tokenLatency: .milliseconds(tokenLatencyMs),
                heartbeatInterval: .seconds(heartbeatSeconds),
                apiKey: apiKey,
                eventIDStyle: EmulatorConfiguration.EventIDStyle(rawValue: eventIds) ?? .redis,
                maximumRetainedRuns: maxRuns,
                maximumThreads: maxThreads
            )
        )
        let app = emulator.application(logger: logger) { channel in
            // The first line of standard output is the URL, for scripts that start it on port 0.
            FileHandle.standardOutput.write(Data("http://\(host):\(channel.localAddress?.port ?? port)\n".utf8))
        }
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: app)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await group.run()
    }
}
