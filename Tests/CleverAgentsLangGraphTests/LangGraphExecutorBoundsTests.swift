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
import CleverAgentsEgress
import CleverAgentsRuntime
import CleverAgentsTestSupport
import Foundation
import Logging
import Testing

@testable import CleverAgentsLangGraph

/// `LangGraphExecutor` against a hostile graph server on a real socket: a stream or an answer
/// over the configured bounds ends the run (the connection dropped, the run canceled, the task
/// failed in our words), and is never re-joined.
@Suite(.timeLimit(.minutes(2))) struct LangGraphExecutorBoundsTests {
    /// Runs one turn on `server` and returns its events, with the request's thread id.
    static func run(on server: HostileGraphServer, configuration: LangGraphConfiguration) async throws -> (events: [ExecutionEvent], thread: String) {
        let http = EgressHTTPClient(policy: .defaults(production: false), resolver: SystemHostResolver(), configuration: HTTPClient.Configuration())
        var logger = Logger(label: "LangGraphExecutorBoundsTests")
        logger.logLevel = .critical
        let executor = LangGraphExecutor(http: http, ids: SequentialIDs(), configuration: configuration, logger: logger)
        let request = LangGraphExecutorTests.request(graphURL: server.url)
        var events: [ExecutionEvent] = []
        do {
            for try await event in executor.execute(request) {
                events.append(event)
            }
        } catch {
            try await http.shutdown()
            throw error
        }
        try await http.shutdown()
        return (events, request.threadID)
    }

    /// Waits until `condition` holds, checking every 10 ms for at most a minute.
    static func wait(_ what: String, _ condition: () -> Bool) async throws {
        for _ in 0..<6000 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("timed out waiting until \(what)")
    }

    /// The run's last event: a failed status, with its message's text.
    static func failure(_ events: [ExecutionEvent]) -> String? {
        guard case .update(.status(.failed, let message)) = events.last else { return nil }
        return message?.parts.first?.text
    }

    /// What every run stopped at a bound shows: announced, failed once, the connection dropped
    /// (once: no re-join), the run canceled.
    static func expectStopped(_ server: HostileGraphServer, events: [ExecutionEvent], thread: String) async throws {
        #expect(events.first == .runStarted(runID: HostileGraphServer.runID))
        #expect(events.filter { if case .update(.status(.failed, _)) = $0 { true } else { false } }.count == 1)
        try await wait("the connection is dropped") { server.streamsClosed == server.streamsOpened && server.streamsOpened > 0 }
        #expect(server.streamsOpened == 1, "the stream was not re-joined")
        #expect(server.cancelPaths == ["/threads/\(thread)/runs/\(HostileGraphServer.runID)/cancel?wait=0&action=interrupt"])
    }

    @Test func anEndlessLineStopsTheRunAtTheEventLimit() async throws {
        let server = try await HostileGraphServer.start(.endlessLine)
        let limit = 1 << 20
        let (events, thread) = try await Self.run(on: server, configuration: LangGraphConfiguration(maximumEventBytes: limit))
        #expect(Self.failure(events) == "The graph server sent a line longer than 1 MiB (langgraph.maxEventBytes); the run was stopped")
        try await Self.expectStopped(server, events: events, thread: thread)
        #expect(server.bytesSent > limit, "the server sent more than the limit")
        #expect(server.bytesSent <= limit + HostileGraphServer.socketSlack, "the server could send \(server.bytesSent) bytes")
        try await server.stop()
    }

    @Test func endlessSmallEventsStopTheRunAtTheEventCount() async throws {
        let server = try await HostileGraphServer.start(.endlessEvents)
        let (events, thread) = try await Self.run(on: server, configuration: LangGraphConfiguration(maximumEventsPerRun: 5000))
        #expect(Self.failure(events) == "The graph server sent more than 5000 events in one run (langgraph.maxEventsPerRun); the run was stopped")
        try await Self.expectStopped(server, events: events, thread: thread)
        #expect(server.bytesSent <= 5000 * "data: x\n\n".utf8.count + HostileGraphServer.socketSlack)
        try await server.stop()
    }

    @Test func anEndlessAnswerStopsTheRunAtTheResponseLimit() async throws {
        let server = try await HostileGraphServer.start(.endlessAnswer)
        let limit = 64 << 10
        let (events, thread) = try await Self.run(on: server, configuration: LangGraphConfiguration(maximumResponseBytes: limit))
        #expect(Self.failure(events) == "The graph server answered get run with more than 64 KiB (langgraph.maxResponseBytes); the run was stopped")
        try await Self.expectStopped(server, events: events, thread: thread)
        #expect(server.bytesSent <= limit + HostileGraphServer.socketSlack)
        try await server.stop()
    }

    @Test func aConsumerThatStopsReadingStopsTheGraphServer() async throws {
        let server = try await HostileGraphServer.start(.endlessArtifacts)
        let http = EgressHTTPClient(policy: .defaults(production: false), resolver: SystemHostResolver(), configuration: HTTPClient.Configuration())
        var logger = Logger(label: "LangGraphExecutorBoundsTests")
        logger.logLevel = .critical
        let budget = 1 << 20
        let configuration = LangGraphConfiguration(maximumEventBytes: budget, maximumEventsPerRun: 1_000_000)
        let executor = LangGraphExecutor(http: http, ids: SequentialIDs(), configuration: configuration, logger: logger)
        do {
            var events = executor.execute(LangGraphExecutorTests.request(graphURL: server.url)).makeAsyncIterator()
            #expect(try await events.next() == .runStarted(runID: HostileGraphServer.runID))
            // The consumer reads no more: the executor must stop reading too, so the graph server
            // stalls with what the pending events and the sockets hold.
            var unchanged = 0
            var last = -1
            try await Self.wait("the graph server stalls") {
                let sent = server.bytesSent
                unchanged = server.stalledStreams == 1 && sent == last ? unchanged + 1 : 0
                last = sent
                return unchanged >= 20
            }
            #expect(server.bytesSent <= 2 * budget + HostileGraphServer.socketSlack, "the graph server could send \(server.bytesSent) bytes")
            #expect(server.streamsClosed == 0)
        }
        // Letting go of the stream stops the run: its connection is dropped.
        try await Self.wait("the connection is dropped") { server.streamsClosed == 1 }
        try await http.shutdown()
        try await server.stop()
    }

    /// `updates` events that each interrupt with a new id and `size` bytes of value.
    static func interruptingEvents(_ count: Int, size: Int) -> [ServerSentEvent] {
        (0..<count).map { index in
            let value = String(repeating: "q", count: size)
            return ServerSentEvent(event: "updates", data: #"{"__interrupt__":[{"value":"\#(value)","id":"int-\#(index)"}]}"#)
        }
    }

    @Test func interruptsCollectedAcrossEventsStopAtTheEventLimit() {
        let ids = SequentialIDs()
        var mapper = LangGraphRunMapper(inputMessageID: "msg-1", options: .init(maximumInterruptBytes: 10_000), makeID: { ids.makeID() })
        var consumed = 0
        for event in Self.interruptingEvents(1000, size: 1000) where !mapper.interruptsExceeded {
            _ = mapper.consume([event])
            consumed += 1
        }
        #expect(mapper.interruptsExceeded)
        #expect(consumed < 20, "stopped after \(consumed) interrupts of 1000 bytes")

        // The same interrupt sent again replaces itself rather than adding up.
        var repeated = LangGraphRunMapper(inputMessageID: "msg-1", options: .init(maximumInterruptBytes: 10_000), makeID: { ids.makeID() })
        let event = Self.interruptingEvents(1, size: 1000)[0]
        for _ in 0..<1000 { _ = repeated.consume([event]) }
        #expect(!repeated.interruptsExceeded)
        guard case .update(.status(.inputRequired, let question)) = repeated.finish(runStatus: .success).last else {
            Issue.record("the run did not end asking for input")
            return
        }
        #expect(question?.parts.count == 1)
    }
}
