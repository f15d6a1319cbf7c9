//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import AsyncHTTPClient
import CleverAgentsEgress
import CleverAgentsDomain
import CleverAgentsRuntime
import CleverAgentsTestSupport
import Foundation
import LangGraphEmulator
import Logging
import NIOCore
import NIOHTTP1
import Testing

@testable import CleverAgentsLangGraph

/// The LangGraph servers the contract suite runs against: the real `langgraph dev` server of
/// `scripts/services` and the emulator, both running the graphs of `testing/langgraph/`.
enum ContractServer: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case langGraph = "LangGraph"
    case emulator = "emulator"

    /// The servers to test: the emulator always; the real server when configured (or required).
    static var available: [ContractServer] {
        TestEnvironment.langGraphURL != nil || TestEnvironment.servicesRequired ? [.langGraph, .emulator] : [.emulator]
    }

    var testDescription: String { rawValue }
}

/// One test's view of a contract server: its URL (or a fault proxy's in front of it), an HTTP
/// client, a thread, and executors whose log lines are kept.
struct ContractHarness {
    let server: ContractServer
    /// Where the executor connects: the server, or the proxy in front of it.
    let url: String
    /// The server itself, for checks that must not go through the proxy.
    let directURL: String
    let http: HTTPClient
    /// The executor's client: as the server's, under a development egress policy (loopback).
    let egress: EgressHTTPClient
    let proxy: FaultProxy?
    let emulator: RunningEmulator?
    let logs = LogRecords()
    let threadID = UUID().uuidString.lowercased()

    /// Retries fast and often, so that resilience tests spend their time on the faults.
    static let resilient = LangGraphConfiguration(
        requestTimeout: .seconds(10),
        maximumAttempts: 60,
        initialBackoff: .milliseconds(20),
        maximumBackoff: .milliseconds(200),
        maximumRejoins: 60
    )

    /// Runs `body` against `server` (through a fault proxy when `proxied`), then shuts everything
    /// down however `body` ends.
    static func with(
        _ server: ContractServer,
        proxied: Bool = false,
        emulatorConfiguration: EmulatorConfiguration = .init(),
        _ body: (ContractHarness) async throws -> Void
    ) async throws {
        var emulator: RunningEmulator?
        let directURL: String
        switch server {
        case .langGraph:
            directURL = try #require(TestEnvironment.langGraphURL, "CLEVERAGENTS_TEST_LANGGRAPH_URL is not set; run scripts/services up")
        case .emulator:
            let running = try await LangGraphEmulator.start(configuration: emulatorConfiguration)
            emulator = running
            directURL = running.url
        }
        var configuration = HTTPClient.Configuration()
        // As the server's client: a refused connection is reported at once; the executor retries.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .seconds(2), read: .seconds(30))
        let egress = EgressHTTPClient(policy: .defaults(production: false), resolver: SystemHostResolver(), configuration: configuration)
        // The tests' own calls leave a connection idle for as long as the previous assertion took;
        // LangGraph's server (uvicorn) closes one after 5 s, and a reuse racing that close fails
        // with remoteConnectionClosed. Idle connections are dropped well before.
        configuration.connectionPool.idleTimeout = .seconds(2)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        var proxy: FaultProxy?
        do {
            if proxied { proxy = try await FaultProxy.start(upstream: directURL) }
            let harness = ContractHarness(
                server: server, url: proxy?.url ?? directURL, directURL: directURL, http: http, egress: egress, proxy: proxy, emulator: emulator
            )
            try await body(harness)
        } catch {
            try? await proxy?.stop()
            try? await http.shutdown()
            try? await egress.shutdown()
            try? await emulator?.stop()
            throw error
        }
        try await proxy?.stop()
        try await http.shutdown()
        try await egress.shutdown()
        try await emulator?.stop()
    }

    func actor(_ graph: String, streamModes: [String]? = nil, runTimeoutSeconds: Int? = nil) -> ActorDefinition {
        ActorDefinition(
            name: graph.replacingOccurrences(of: "_", with: "-"),
            graphURL: url,
            assistantID: graph,
            streamModes: streamModes,
            runTimeoutSeconds: runTimeoutSeconds
        )
    }

    func request(_ actor: ActorDefinition, _ input: GraphRunRequest.Input, taskId: String = UUID().uuidString.lowercased(), existingRunID: String? = nil)
        -> GraphRunRequest
    {
        GraphRunRequest(
            namespace: NamespaceName("contract")!,
            taskId: taskId,
            contextId: threadID,
            actor: actor,
            apiKey: nil,
            threadID: threadID,
            input: input,
            existingRunID: existingRunID,
            traceParent: nil
        )
    }

    /// An executor whose ids are `id-1`, `id-2`, … and whose log lines go to ``logs``.
    func executor(_ configuration: LangGraphConfiguration = ContractHarness.resilient) -> LangGraphExecutor {
        let records = logs
        var logger = Logger(label: "contract") { _ in CapturingLogHandler(records: records) }
        logger.logLevel = .info
        return LangGraphExecutor(http: egress, ids: SequentialIDs(), configuration: configuration, logger: logger)
    }

    /// Runs `graph` to the end of its stream.
    func run(
        _ graph: String,
        _ input: GraphRunRequest.Input,
        streamModes: [String]? = nil,
        existingRunID: String? = nil,
        configuration: LangGraphConfiguration = ContractHarness.resilient
    ) async throws -> [ExecutionEvent] {
        try await collect(executor(configuration).execute(request(actor(graph, streamModes: streamModes), input, existingRunID: existingRunID)))
    }

    func collect(_ stream: AsyncThrowingStream<ExecutionEvent, any Error>) async throws -> [ExecutionEvent] {
        var events: [ExecutionEvent] = []
        for try await event in stream { events.append(event) }
        return events
    }

    /// The runs of the test's thread on the server (`run_id`, `status`, `metadata`), newest first.
    func runsOnThread() async throws -> [JSONValue] {
        var request = HTTPClientRequest(url: "\(directURL)/threads/\(threadID)/runs?limit=50")
        request.method = .GET
        let response = try await http.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 16 << 20)
        return try JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView)).arrayValue ?? []
    }

    /// The status of a run on the server.
    func runStatus(_ runID: String) async throws -> String? {
        var request = HTTPClientRequest(url: "\(directURL)/threads/\(threadID)/runs/\(runID)")
        request.method = .GET
        let response = try await http.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 4 << 20)
        return try JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))["status"]?.stringValue
    }

    /// Waits (polling, bounded) until the log has `count` lines starting with `prefix`.
    func waitForLog(_ prefix: String, count: Int = 1) async throws {
        try await eventually("\(count) log lines '\(prefix)'") { logs.messages.filter { $0.hasPrefix(prefix) }.count >= count }
    }
}

struct ConditionNotMet: Error, CustomStringConvertible {
    var description: String
}

/// Polls `condition` every 20 ms, for at most about a minute.
func eventually(_ what: String, _ condition: () async throws -> Bool) async throws {
    for _ in 0..<3000 {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw ConditionNotMet(description: "never happened: \(what)")
}

extension ExecutionEvent {
    /// The artifact update, when this event is one.
    var artifactUpdate: (artifact: Artifact, append: Bool, lastChunk: Bool)? {
        guard case .update(.artifact(let artifact, let append, let lastChunk)) = self else { return nil }
        return (artifact, append, lastChunk)
    }
}

/// A progress status for a node that finished.
func nodeProgress(_ id: String, _ node: String) -> ExecutionEvent {
    progress(id, ["node": .string(node)])
}

/// The response artifact as token streaming sends it when the whole text came at once.
func responseChunk(_ id: String, _ text: String) -> ExecutionEvent {
    .update(.artifact(Artifact(artifactId: id, name: "response", parts: [.text(text)]), append: false, lastChunk: true))
}

extension Part {
    /// The value, when this is a data part.
    var dataValue: JSONValue? {
        if case .data(let value) = content { return value }
        return nil
    }
}
