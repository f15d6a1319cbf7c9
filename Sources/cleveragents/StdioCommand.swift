//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import ArgumentParser
import CleverAgentsLocal
import CleverAgentsServer
import CleverAgentsStdio
import Foundation
import Logging
import ServiceLifecycle

struct StdioCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stdio",
        abstract: "Local mode: serve A2A and sync over stdin/stdout (JSON-RPC 2.0, one message per line) on a local SQLite store.",
        discussion: """
            No network listener. Streams send _cleveragents/stream notifications, then their final response. \
            Logs go to standard error. Ends when standard input ends (after answering what is in flight) or on SIGTERM. \
            See docs/local-mode.md.
            """
    )

    @Option(name: .long, help: "The SQLite store (created if missing; default: $XDG_DATA_HOME/cleveragents/local.sqlite).")
    var store: String?

    @Option(name: .long, help: "LangGraph deployment URL of the default actor (with --assistant).")
    var graphURL: String?

    @Option(name: .long, help: "Assistant id or graph id of the default actor (with --graph-url).")
    var assistant: String?

    @Option(name: .long, help: "Name of the default actor.")
    var actor: String = "default"

    @Option(name: .long, help: "Name of an environment variable holding the deployment's x-api-key (sealed into the store).")
    var apiKeyEnv: String?

    @Option(name: .long, help: "Largest accepted message line in bytes.")
    var maxMessageBytes: Int = 4 << 20

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "warning"

    @Option(name: .long, help: "The YAML configuration file whose secrets.key seals the store's secrets, as serve reads it (default: config/cleveragents.yaml when present; CLEVERAGENTS_SECRETS_KEY overrides it).")
    var config: String?

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical.") }
        guard (1024...(64 << 20)).contains(maxMessageBytes) else { throw ValidationError("--max-message-bytes must be between 1024 and 67108864.") }
        guard (graphURL == nil) == (assistant == nil) else { throw ValidationError("Give --graph-url and --assistant together.") }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "cleveragents.stdio")
        logger.logLevel = level
        let environment = ProcessInfo.processInfo.environment
        var apiKey: String?
        if let apiKeyEnv {
            guard let value = environment[apiKeyEnv], !value.isEmpty else { throw ValidationError("Environment variable \(apiKeyEnv) is not set.") }
            apiKey = value
        }
        // secrets.key as serve reads it: the environment over the YAML file.
        let secretsKey: String?
        do {
            let reader = try await ServerConfiguration.reader(configFile: config, environment: environment, overrides: [:])
            secretsKey = try ServerConfiguration.secretsKey(reader: reader)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        let configuration = LocalConfiguration(
            storePath: store ?? LocalConfiguration.defaultStorePath(environment: environment),
            graphURL: graphURL,
            assistantID: assistant,
            actorName: actor,
            apiKey: apiKey,
            secretsKey: secretsKey,
            maximumMessageBytes: maxMessageBytes
        )
        let application: LocalApplication
        do {
            application = try await LocalApplication.make(configuration: configuration, logger: logger)
        } catch let error as LocalConfigurationError {
            throw ValidationError(error.description)
        }
        // A client that stops reading is logged per answer (StdioError.outputClosed), not a
        // signal that kills local mode with its runs half written.
        signal(SIGPIPE, SIG_IGN)
        logger.info("Local mode serving on standard input and output", metadata: ["store": "\(configuration.storePath)"])
        try await application.serviceGroup(input: FileDescriptorInput(descriptor: 0), output: FileDescriptorOutput(descriptor: 1)).run()
    }
}
