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
import LangGraphEmulator
import Testing

@testable import CleverAgentsLangGraph

/// `LangGraphExecutor` when LangGraph refuses a call or the connection breaks in a way the
/// resilience suite does not cover: each failure ends the turn with the error that names the
/// call and what the server said, or is logged and worked around where the turn can go on.
///
/// Refusals are injected with the emulator's faults (`{"detail": "injected fault"}` bodies);
/// what the real server does by itself (unknown threads and runs, broken connections through a
/// ``FaultProxy``) is checked against both servers.
@Suite(.timeLimit(.minutes(2))) struct LangGraphFailureContractTests {
    static func user(_ parts: Part..., id: String = "msg-1") -> Message {
        Message(messageId: id, role: .user, parts: parts)
    }

    /// The emulator of `harness`, to inject faults into.
    static func emulator(_ harness: ContractHarness) throws -> LangGraphEmulator {
        try #require(harness.emulator).emulator
    }

    /// Asks the `ask` graph its question on the harness's thread; returns the interrupt's id.
    static func ask(_ harness: ContractHarness) async throws -> String {
        let asked = try await harness.run("ask", .message(Self.user(.text("deploy"))))
        return try #require(try LangGraphExecutorContractTests.interrupts(asked.last).first?.id)
    }

    // MARK: Resuming

    @Test(arguments: ContractServer.available)
    func resumingOnAThreadTheServerDoesNotKnowIsRefusedWithoutARun(server: ContractServer) async throws {
        try await ContractHarness.with(server) { harness in
            // The harness's thread was never used: as after a LangGraph restart without persistence.
            let events = try await harness.run("ask", .resume(Self.user(.text("yes")), interruptIDs: ["0123456789abcdef0123456789abcdef"]))
            #expect(
                events == [
                    .update(.status(.failed, message: agentText("id-1", "The graph cannot resume: its thread no longer exists on the LangGraph server")))
                ]
            )
            #expect(try await harness.runsOnThread().isEmpty, "no run was started")
        }
    }

    @Test func aThreadTheServerRefusesToShowFailsTheResume() async throws {
        try await ContractHarness.with(.emulator) { harness in
            let interruptID = try await Self.ask(harness)
            try Self.emulator(harness).inject(EmulatorFault(status: 403, path: "/threads/\(harness.threadID)", method: "GET"))
            let error = await #expect(throws: GraphExecutionError.self) {
                _ = try await harness.run("ask", .resume(Self.user(.text("yes"), id: "msg-2"), interruptIDs: [interruptID]))
            }
            #expect(error?.detail == "LangGraph answered 403 for the thread: injected fault")
            #expect(error?.message == "The graph server could not run the task", "what LangGraph said is not shown to the caller")
            #expect(try await harness.runsOnThread().count == 1, "only the question's run")
        }
    }

    @Test func anUnreadableThreadStateAfterAResumeFallsBackToWhatTheStreamCarried() async throws {
        try await ContractHarness.with(.emulator) { harness in
            let interruptID = try await Self.ask(harness)
            try Self.emulator(harness).inject(EmulatorFault(status: 403, path: "/state", method: "GET"))
            let resumed = try await harness.run("ask", .resume(Self.user(.text("yes"), id: "msg-2"), interruptIDs: [interruptID]))
            #expect(
                resumed == [
                    .runStarted(runID: try LangGraphExecutorContractTests.runID(resumed)), workingStatus,
                    nodeProgress("id-1", "ask"), responseChunk("id-2", "deploy -> yes"), completedStatus,
                ]
            )
            let warnings = harness.logs.messages.filter { $0.hasPrefix("Could not read the thread's state; using what the stream carried") }
            #expect(warnings.count == 1, "\(harness.logs.messages)")
            #expect(warnings.first?.contains("LangGraph answered 403 for the thread state: injected fault") == true, "\(warnings)")
        }
    }

    // MARK: Starting and ending a run

    @Test func aRefusedRunStatusFailsTheTurn() async throws {
        try await ContractHarness.with(.emulator) { harness in
            // The only GET of a new run read whole: its status, once its stream closed.
            try Self.emulator(harness).inject(EmulatorFault(status: 404, path: "/runs/", method: "GET"))
            let executor = harness.executor()
            var events: [ExecutionEvent] = []
            let error = await #expect(throws: GraphExecutionError.self) {
                for try await event in executor.execute(harness.request(harness.actor("echo"), .message(Self.user(.text("hi"))))) {
                    events.append(event)
                }
            }
            let runID = try LangGraphExecutorContractTests.runID(events)
            #expect(error?.detail == "LangGraph answered 404 for run \(runID): injected fault")
            // What the stream carried came out; the end did not.
            #expect(Array(events.prefix(3)) == [.runStarted(runID: runID), workingStatus, nodeProgress("id-1", "echo")])
            #expect(!events.contains(completedStatus), "\(events)")
        }
    }

    @Test func aBusyAnswerToTheRunStatusIsRetried() async throws {
        try await ContractHarness.with(.emulator) { harness in
            try Self.emulator(harness).inject(EmulatorFault(status: 503, retryAfterSeconds: 0, path: "/runs/", method: "GET"))
            let events = try await harness.run("echo", .message(Self.user(.text("again"))))
            let runID = try LangGraphExecutorContractTests.runID(events)
            #expect(events == [.runStarted(runID: runID), workingStatus, nodeProgress("id-1", "echo"), responseChunk("id-2", "echo: again"), completedStatus])
            let retries = harness.logs.messages.filter { $0.hasPrefix("LangGraph is busy; retrying") }
            #expect(retries.count == 1, "\(harness.logs.messages)")
            #expect(retries.first?.hasPrefix("LangGraph is busy; retrying attempt=1 call=get run status=503") == true, "\(retries)")
        }
    }

    @Test func aRefusedLookForALostRunFailsTheStart() async throws {
        try await ContractHarness.with(.emulator) { harness in
            let emulator = try Self.emulator(harness)
            // A 500 may come after LangGraph started the run: before starting it again the
            // executor looks for it among the thread's runs, and that look is refused.
            emulator.inject(EmulatorFault(status: 500, path: "/runs/stream", method: "POST"))
            emulator.inject(EmulatorFault(status: 403, path: "/runs", method: "GET"))
            let error = await #expect(throws: GraphExecutionError.self) {
                _ = try await harness.run("echo", .message(Self.user(.text("hi"))))
            }
            #expect(error?.detail == "LangGraph answered 403 for the thread's runs: injected fault")
            #expect(emulator.requests.filter { $0.method == "POST" }.count == 1, "the start was not tried again")
        }
    }

    @Test(arguments: ContractServer.available)
    func aLostAnswerToTheLastAllowedStartIsFoundAndJoined(server: ContractServer) async throws {
        try await ContractHarness.with(server, proxied: true) { harness in
            let proxy = try #require(harness.proxy)
            // The start reaches LangGraph, its answer is lost, and no attempt is left: the run is
            // looked for before giving up, found, and joined.
            proxy.dropNextResponse()
            var configuration = ContractHarness.resilient
            configuration.maximumAttempts = 1
            let events = try await harness.run("echo", .message(Self.user(.text("once"))), configuration: configuration)
            let runID = try LangGraphExecutorContractTests.runID(events)
            #expect(events == [.runStarted(runID: runID), workingStatus, nodeProgress("id-1", "echo"), responseChunk("id-2", "echo: once"), completedStatus])
            #expect(try await harness.runsOnThread().map { $0["run_id"]?.stringValue } == [runID], "one run, not two")
        }
    }

    // MARK: Joining a run

    @Test(arguments: ContractServer.available)
    func joiningARunOnAThreadTheServerDoesNotKnowFailsWithTheServersAnswer(server: ContractServer) async throws {
        try await ContractHarness.with(server) { harness in
            let runID = UUID().uuidString.lowercased()
            var events: [ExecutionEvent] = []
            let error = await #expect(throws: GraphExecutionError.self) {
                for try await event in harness.executor().execute(
                    harness.request(harness.actor("echo"), .message(Self.user(.text("hi"))), existingRunID: runID))
                {
                    events.append(event)
                }
            }
            // LangGraph opens the join's stream and says there that the run is not found; the
            // run's status then tells why.
            #expect(error?.detail == "LangGraph answered 404 for run \(runID): Thread with ID \(harness.threadID) not found")
            #expect(events == [.runStarted(runID: runID)], "a server's error event is not the graph's failure")
        }
    }

    static let refusedJoins = [
        (404, "The run {run} is no longer known to the LangGraph server (it may have restarted): injected fault"),
        (403, "LangGraph answered 403 when re-joining the run: injected fault"),
    ]

    @Test(arguments: refusedJoins)
    func aRefusedJoinFailsWithTheServersAnswer(status: Int, detail: String) async throws {
        try await ContractHarness.with(.emulator) { harness in
            let first = try await harness.run("echo", .message(Self.user(.text("hi"))))
            let runID = try LangGraphExecutorContractTests.runID(first)
            try Self.emulator(harness).inject(EmulatorFault(status: status, path: "/runs/\(runID)/stream", method: "GET"))
            let error = await #expect(throws: GraphExecutionError.self) {
                _ = try await harness.run("echo", .message(Self.user(.text("hi"))), existingRunID: runID)
            }
            #expect(error?.detail == detail.replacingOccurrences(of: "{run}", with: runID))
        }
    }

    @Test(arguments: ContractServer.available)
    func aStreamThatKeepsBreakingWithoutNewEventsFailsAfterTheAllowedRejoins(server: ContractServer) async throws {
        try await ContractHarness.with(server, proxied: true) { harness in
            let proxy = try #require(harness.proxy)
            // The start's stream breaks after two events, the re-join's before any.
            proxy.cutNextStream(afterEvents: 2)
            proxy.cutNextStream(afterEvents: 0)
            var configuration = ContractHarness.resilient
            configuration.maximumRejoins = 1
            let error = await #expect(throws: GraphExecutionError.self) {
                _ = try await harness.run("steps", .message(Self.user(.text("go"), .data(["delay": 0.5]))), configuration: configuration)
            }
            let detail = try #require(error?.detail)
            #expect(detail.hasPrefix("The run stream kept breaking: "), "\(detail)")
            #expect(harness.logs.messages.filter { $0.hasPrefix("Run stream broke; re-joining") }.count == 1, "\(harness.logs.messages)")
        }
    }

    // MARK: Canceling

    @Test func aRefusedCancelThrowsWithTheServersAnswer() async throws {
        try await ContractHarness.with(.emulator) { harness in
            let events = try await harness.run("echo", .message(Self.user(.text("hi"))))
            let runID = try LangGraphExecutorContractTests.runID(events)
            try Self.emulator(harness).inject(EmulatorFault(status: 400, path: "/cancel", method: "POST"))
            let run = GraphRunReference(actor: harness.actor("echo"), apiKey: nil, threadID: harness.threadID, runID: runID)
            let error = await #expect(throws: GraphExecutionError.self) {
                try await harness.executor().cancel(run)
            }
            #expect(error?.detail == "LangGraph refused to cancel the run: 400 injected fault")
        }
    }

    @Test func aRunPastItsTimeLimitFailsEvenWhenItsCancelIsRefused() async throws {
        try await ContractHarness.with(.emulator) { harness in
            try Self.emulator(harness).inject(EmulatorFault(status: 400, path: "/cancel", method: "POST"))
            // Long enough for the run to start on a busy machine (3 s was not, once), far short of the graph's 30.
            let actor = harness.actor("slow", runTimeoutSeconds: 10)
            let events = try await harness.collect(
                harness.executor().execute(harness.request(actor, .message(Self.user(.text("wait"), .data(["seconds": 30]))))))
            let runID = try LangGraphExecutorContractTests.runID(events)
            guard case .update(.status(.failed, let message?)) = events.last else {
                Issue.record("the run did not fail: \(events)")
                return
            }
            #expect(message.parts == [.text("The run did not finish within its time limit of 10 s and was canceled")])
            let warnings = harness.logs.messages.filter { $0.hasPrefix("Could not cancel the run") }
            #expect(warnings.count == 1, "\(harness.logs.messages)")
            #expect(warnings.first?.contains("LangGraph refused to cancel the run: 400 injected fault") == true, "\(warnings)")
            // The refusal was only logged: the run goes on in LangGraph.
            #expect(try await harness.runStatus(runID) == "running")
        }
    }
}
