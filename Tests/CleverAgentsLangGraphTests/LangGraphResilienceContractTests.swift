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
import CleverAgentsRuntime
import CleverAgentsTestSupport
import Foundation
import Testing

@testable import CleverAgentsLangGraph

/// `LangGraphExecutor` when the connection to LangGraph fails, with a ``FaultProxy`` between the
/// executor and the real LangGraph server or the emulator: the run's events come out exactly as
/// without the fault, none missing and none twice.
@Suite(.timeLimit(.minutes(2))) struct LangGraphResilienceContractTests {
    static func user(_ parts: Part..., id: String = "msg-1") -> Message {
        Message(messageId: id, role: .user, parts: parts)
    }

    /// The events of a `steps` run with a delay, as every test here expects them.
    static func stepsEvents(_ runID: String, delay: Double) -> [ExecutionEvent] {
        [
            .runStarted(runID: runID), workingStatus,
            progress("id-1", ["progress": "one"]), nodeProgress("id-2", "one"),
            progress("id-3", ["progress": "two"]), nodeProgress("id-4", "two"),
            progress("id-5", ["progress": "three"]), nodeProgress("id-6", "three"),
            responseChunk("id-7", "done: one,two,three"),
            stateArtifact("id-8", ["steps": ["one", "two", "three"], "delay": .number(delay)]),
            completedStatus,
        ]
    }

    static func runID(_ events: [ExecutionEvent]) throws -> String {
        try LangGraphExecutorContractTests.runID(events)
    }

    /// Expects `events` to be the `steps` run's events: all of them, in order, none twice.
    ///
    /// One exception, for the real `langgraph dev` server only: its in-memory runtime sends an
    /// event twice when a join races a live event into both the join's replay and its live queue,
    /// and the repeat carries the id of the newest event replayed, so no client can tell it from a
    /// new event with the same id (``LangGraphEventCursor`` keeps it rather than risk losing one).
    /// Against that server an event may therefore directly follow an equal one (the ids the mapper
    /// generates aside); nothing may be missing, reordered or repeated anywhere else. The emulator
    /// (and a Redis-backed server) gives unique ids, and there the events must be exact.
    static func expectStepsEvents(
        _ events: [ExecutionEvent],
        delay: Double,
        server: ContractServer,
        _ context: @autoclosure () -> String = "",
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let expected = stepsEvents(try runID(events), delay: delay)
        let shapes = events.map(withoutGeneratedIDs)
        let once = zip(shapes.indices, shapes).filter { index, shape in index == 0 || shapes[index - 1] != shape }.map(\.1)
        if server == .emulator || once.count == events.count {
            #expect(events == expected, "\(context())", sourceLocation: sourceLocation)
        } else {
            #expect(once == expected.map(withoutGeneratedIDs), "\(context())", sourceLocation: sourceLocation)
        }
    }

    /// `event` with the message and artifact ids the mapper generates blanked out.
    static func withoutGeneratedIDs(_ event: ExecutionEvent) -> ExecutionEvent {
        switch event {
        case .update(.status(let state, var message?)):
            message.messageId = ""
            return .update(.status(state, message: message))
        case .update(.artifact(var artifact, let append, let lastChunk)):
            artifact.artifactId = ""
            return .update(.artifact(artifact, append: append, lastChunk: lastChunk))
        default:
            return event
        }
    }

    @Test(arguments: ContractServer.available, [0, 7])
    func streamCutMidRunIsRejoinedWithoutMissingOrRepeatedEvents(server: ContractServer, extraBytes: Int) async throws {
        try await ContractHarness.with(server, proxied: true) { harness in
            let proxy = try #require(harness.proxy)
            // The start request's stream is cut after four events (and, in the second case, in the
            // middle of the fifth).
            proxy.cutNextStream(afterEvents: 4, extraBytes: extraBytes)
            let events = try await harness.run("steps", .message(Self.user(.text("go"), .data(["delay": 0.3]))))
            try Self.expectStepsEvents(events, delay: 0.3, server: server)
            #expect(harness.logs.messages.contains { $0.hasPrefix("Run stream broke; re-joining") }, "the stream was re-joined: \(harness.logs.messages)")
            #expect(try await harness.runsOnThread().count == 1)
        }
    }

    @Test(arguments: ContractServer.available)
    func serverDownBeforeTheRunIsWaitedForAndTheRunStartsOnce(server: ContractServer) async throws {
        try await ContractHarness.with(server, proxied: true) { harness in
            let proxy = try #require(harness.proxy)
            try await proxy.down()
            let executor = harness.executor()
            let running = Task { try await harness.collect(executor.execute(harness.request(harness.actor("echo"), .message(Self.user(.text("again")))))) }
            try await harness.waitForLog("LangGraph is unreachable; retrying", count: 3)
            try await proxy.up()
            let events = try await running.value
            #expect(events == [.runStarted(runID: try Self.runID(events)), workingStatus, nodeProgress("id-1", "echo"), responseChunk("id-2", "echo: again"), completedStatus])
            #expect(try await harness.runsOnThread().count == 1)
        }
    }

    @Test(arguments: ContractServer.available)
    func serverDownMidRunAndBackUpLosesNothing(server: ContractServer) async throws {
        try await ContractHarness.with(server, proxied: true) { harness in
            let proxy = try #require(harness.proxy)
            let executor = harness.executor()
            // The run's stream is cut after four events, the proxy down from that moment: the
            // run goes on in LangGraph while every re-join is refused, however fast either side is.
            proxy.cutNextStream(afterEvents: 4, thenDown: true)
            let running = Task {
                try await harness.collect(executor.execute(harness.request(harness.actor("steps"), .message(Self.user(.text("go"), .data(["delay": 0.4]))))))
            }
            try await harness.waitForLog("LangGraph is unreachable; retrying", count: 2)
            try await proxy.up()
            let events = try await running.value
            try Self.expectStepsEvents(events, delay: 0.4, server: server, "\(events)\n\(harness.logs.messages)")
            #expect(try await harness.runsOnThread().count == 1)
        }
    }

    @Test(arguments: ContractServer.available, [503, 429])
    func busyAnswersAreRetriedAndTheRunStartsOnce(server: ContractServer, status: Int) async throws {
        try await ContractHarness.with(server, proxied: true) { harness in
            let proxy = try #require(harness.proxy)
            proxy.answerNextConnections(status: status, count: 2, retryAfterSeconds: 0)
            let events = try await harness.run("echo", .message(Self.user(.text("busy"))))
            #expect(events == [.runStarted(runID: try Self.runID(events)), workingStatus, nodeProgress("id-1", "echo"), responseChunk("id-2", "echo: busy"), completedStatus])
            #expect(harness.logs.messages.filter { $0.hasPrefix("LangGraph is busy; retrying") }.count == 2, "\(harness.logs.messages)")
            #expect(try await harness.runsOnThread().count == 1)
        }
    }

    @Test(arguments: ContractServer.available)
    func lostAnswerToTheStartIsFoundInsteadOfStartingTwice(server: ContractServer) async throws {
        try await ContractHarness.with(server, proxied: true) { harness in
            let proxy = try #require(harness.proxy)
            proxy.dropNextResponse()
            let events = try await harness.run("steps", .message(Self.user(.text("go"), .data(["delay": 0.1]))))
            try Self.expectStepsEvents(events, delay: 0.1, server: server)
            #expect(harness.logs.messages.contains { $0.hasPrefix("The run was started by an attempt whose answer was lost; joining it") })
            let runs = try await harness.runsOnThread()
            #expect(runs.count == 1, "one run, not two: \(runs)")
        }
    }

    @Test(arguments: ContractServer.available)
    func serverThatStaysDownFailsTheRunSayingWhy(server: ContractServer) async throws {
        try await ContractHarness.with(server, proxied: true) { harness in
            let proxy = try #require(harness.proxy)
            try await proxy.down()
            var configuration = ContractHarness.resilient
            configuration.maximumAttempts = 3
            let error = await #expect(throws: GraphExecutionError.self) {
                _ = try await harness.run("echo", .message(Self.user(.text("hello"))), configuration: configuration)
            }
            #expect(error?.detail?.hasPrefix("LangGraph is unreachable (start run)") == true, "\(String(describing: error))")
            #expect(harness.logs.messages.filter { $0.hasPrefix("LangGraph is unreachable; retrying") }.count == 2)
        }
    }
}
