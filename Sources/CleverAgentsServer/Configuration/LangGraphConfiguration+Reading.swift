//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import CleverAgentsLangGraph

extension LangGraphConfiguration {
    /// Reads `langgraph.*` (the calls of graph runs) over the defaults; the error names the
    /// first bad key.
    init(reading root: ConfigValues) throws(ConfigurationError) {
        self.init()
        let values = root.scoped("langgraph")
        runTimeout = try values.seconds("runTimeoutSeconds", in: 1...86_400) ?? runTimeout
        requestTimeout = try values.seconds("requestTimeoutSeconds", in: 1...600) ?? requestTimeout
        maximumAttempts = try values.integer("maxAttempts", in: 1...20) ?? maximumAttempts
        maximumRejoins = try values.integer("maxRejoins", in: 0...100) ?? maximumRejoins
        maximumProgressUpdates = try values.integer("maxProgressUpdates", in: 0...10_000) ?? maximumProgressUpdates
        maximumEventBytes = try values.integer("maxEventBytes", in: 4096...(1 << 30)) ?? maximumEventBytes
        maximumEventsPerRun = try values.integer("maxEventsPerRun", in: 100...100_000_000) ?? maximumEventsPerRun
        maximumResponseBytes = try values.integer("maxResponseBytes", in: 4096...(1 << 30)) ?? maximumResponseBytes
        let streamModes = try values.list("streamModes")
        for mode in streamModes where !Self.knownStreamModes.contains(mode) {
            throw ConfigurationError(
                key: values.name("streamModes"),
                reason: "'\(mode)' is not a LangGraph stream mode (\(Self.knownStreamModes.sorted().joined(separator: ", ")))"
            )
        }
        if !streamModes.isEmpty { defaultStreamModes = streamModes }
    }
}

/// The outbound HTTP client that graph runs and webhooks share (`langgraph.connectTimeoutSeconds`,
/// `langgraph.readTimeoutSeconds`).
public struct OutboundConfiguration: Sendable, Hashable {
    /// `langgraph.connectTimeoutSeconds`: connect timeout of the outbound HTTP client.
    public var connectTimeout: Duration
    /// `langgraph.readTimeoutSeconds`: longest silence on an outbound connection.
    public var readTimeout: Duration

    public init(connectTimeout: Duration = .seconds(5), readTimeout: Duration = .seconds(60)) {
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
    }

    /// Reads its two `langgraph.*` keys over the defaults; the error names the first bad key.
    init(reading root: ConfigValues) throws(ConfigurationError) {
        self.init()
        let values = root.scoped("langgraph")
        connectTimeout = try values.seconds("connectTimeoutSeconds", in: 1...120) ?? connectTimeout
        readTimeout = try values.seconds("readTimeoutSeconds", in: 5...3600) ?? readTimeout
    }
}
