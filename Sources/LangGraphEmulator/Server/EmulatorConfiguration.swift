//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// How the emulator serves.
public struct EmulatorConfiguration: Sendable, Hashable {
    /// How event ids are written.
    public enum EventIDStyle: String, Sendable, Hashable, CaseIterable {
        /// `<ms>-<seq>`, unique and increasing, like Redis-backed LangGraph servers.
        case redis
        /// `<ms>-0` for every event, like the in-memory runtime of `langgraph dev`: events
        /// written in the same millisecond share an id.
        case inMemory = "inmem"
    }

    public var host: String
    /// `0` picks a free port.
    public var port: Int
    /// Waited before each node of a graph runs (on top of a graph's own delays).
    public var stepLatency: Duration
    /// Waited before a run starts, as a server's run queue would.
    public var startLatency: Duration
    /// Waited between two tokens of the `tokens` graph.
    public var tokenLatency: Duration
    /// Interval of `: heartbeat` comments on idle streams.
    public var heartbeatInterval: Duration
    /// When set, every call except `/ok`, `/info` and `/_emulator/*` needs this `x-api-key`.
    public var apiKey: String?
    public var eventIDStyle: EventIDStyle
    /// Finished runs kept (with their events, for joins); older ones are forgotten.
    public var maximumRetainedRuns: Int
    /// Threads kept; the least recently used idle ones are forgotten beyond it.
    public var maximumThreads: Int
    /// Requests kept in the request log (`GET /_emulator/requests`).
    public var requestLogSize: Int

    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        stepLatency: Duration = .zero,
        startLatency: Duration = .zero,
        tokenLatency: Duration = .zero,
        heartbeatInterval: Duration = .seconds(5),
        apiKey: String? = nil,
        eventIDStyle: EventIDStyle = .redis,
        maximumRetainedRuns: Int = 50_000,
        maximumThreads: Int = 100_000,
        requestLogSize: Int = 1_000
    ) {
        self.host = host
        self.port = port
        self.stepLatency = stepLatency
        self.startLatency = startLatency
        self.tokenLatency = tokenLatency
        self.heartbeatInterval = heartbeatInterval
        self.apiKey = apiKey
        self.eventIDStyle = eventIDStyle
        self.maximumRetainedRuns = maximumRetainedRuns
        self.maximumThreads = maximumThreads
        self.requestLogSize = requestLogSize
    }
}
