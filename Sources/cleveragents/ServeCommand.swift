//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import ArgumentParser
import CleverAgentsServer
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import UnixSignals

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the server. Ready when /readyz answers 200; SIGTERM or SIGINT shut it down gracefully.",
        discussion: "Configuration comes from (lowest to highest) defaults, config/cleveragents.yaml or --config, CLEVERAGENTS_* environment variables (and DATABASE_URL), and these flags. See docs/configuration.md."
    )

    @Option(name: .long, help: "A YAML configuration file (default: config/cleveragents.yaml when present).")
    var config: String?

    @Option(name: .long, help: "Address to bind (http.host).")
    var host: String?

    @Option(name: .long, help: "Port to bind (http.port); 0 picks a free port.")
    var port: Int?

    @Option(name: .long, help: "PostgreSQL URL (database.url; default: $DATABASE_URL).")
    var databaseURL: String?

    @Option(name: .long, help: "development or production (mode).")
    var mode: String?

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical (log.level).")
    var logLevel: String?

    func run() async throws {
        var overrides: [String: String] = [:]
        overrides["http.host"] = host
        overrides["http.port"] = port.map(String.init)
        overrides["database.url"] = databaseURL
        overrides["mode"] = mode
        overrides["log.level"] = logLevel
        let configuration: ServerConfiguration
        do {
            let reader = try await ServerConfiguration.reader(
                configFile: config,
                environment: ProcessInfo.processInfo.environment,
                overrides: overrides
            )
            configuration = try ServerConfiguration(reader: reader)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        let level = configuration.log.level
        if configuration.log.format == .json {
            LoggingSystem.bootstrap { JSONLogHandler(label: $0, level: level) }
        } else {
            LoggingSystem.bootstrap { TextLogHandler(label: $0, level: level) }
        }
        var mutableLogger = Logger(label: "cleveragents")
        mutableLogger.logLevel = level
        let logger = mutableLogger
        // Before anything touches SwiftNIO's singletons: one event loop per CPU this process may
        // use (its affinity and cgroup quota), unless configured or set by NIO's own variable.
        let budget = ProcessorBudget.current
        let loops: Int
        if let threads = configuration.threads {
            loops = threads
            NIOSingletons.groupLoopCountSuggestion = threads
        } else if ProcessInfo.processInfo.environment["NIO_SINGLETON_GROUP_LOOP_COUNT"] != nil {
            loops = NIOSingletons.groupLoopCountSuggestion
        } else {
            loops = budget.processors
            NIOSingletons.groupLoopCountSuggestion = loops
        }
        logger.info("Event loops", metadata: ["loops": "\(loops)", "cpus": "\(budget)"])
        if configuration.executor == .nio, !NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() {
            logger.warning("runtime.executor is nio, but another global executor is already installed; using it")
        }
        let server = try ServerApplication(configuration: configuration, logger: logger)
        let app = server.application { channel in
            logger.info("Server listening", metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
        }
        var groupConfiguration = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = configuration.shutdownGracePeriod
        try await ServiceGroup(configuration: groupConfiguration).run()
    }
}
