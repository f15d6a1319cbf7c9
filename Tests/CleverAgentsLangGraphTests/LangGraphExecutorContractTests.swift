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
import Logging
import Testing

@testable import CleverAgentsLangGraph

/// `LangGraphExecutor` against the real LangGraph dev server and the emulator, both running the
/// test graphs (`testing/langgraph/graphs.py`): every test asserts the same events of both.
/// Every test runs on a fresh thread, with the default stream modes
/// (`values`, `updates`, `custom`, `messages-tuple`) unless it says otherwise.
@Suite(.timeLimit(.minutes(2))) struct LangGraphExecutorContractTests {
    static func user(_ parts: Part..., id: String = "msg-1") -> Message {
        Message(messageId: id, role: .user, parts: parts)
    }

    struct UnexpectedEvents: Error, CustomStringConvertible {
        var description: String
    }

    /// The run id of the `runStarted` event that starts `events`.
    static func runID(_ events: [ExecutionEvent]) throws -> String {
        guard case .runStarted(let runID) = events.first else {
            throw UnexpectedEvents(description: "the first event is not runStarted: \(events)")
        }
        return runID
    }

    /// The `(id, value)` pairs of an `input-required` status's interrupts.
    static func interrupts(_ event: ExecutionEvent?) throws -> [(id: String, value: JSONValue)] {
        guard case .update(.status(.inputRequired, let message?)) = event else {
            throw UnexpectedEvents(description: "not an input-required status: \(String(describing: event))")
        }
        return try #require(message.metadata?["interrupts"]?.arrayValue).map { entry in
            (try #require(entry["id"]?.stringValue), try #require(entry["value"]))
        }
    }

    @Test(arguments: ContractServer.available)
    func echoAnswersWithTheStreamedResponse(server: ContractServer) async throws {
        try await ContractHarness.with(server) { harness in
            let events = try await harness.run("echo", .message(Self.user(.text("hello"))))
            let runID = try Self.runID(events)
            #expect(!runID.isEmpty)
            #expect(events == [.runStarted(runID: runID), workingStatus, nodeProgress("id-1", "echo"), responseChunk("id-2", "echo: hello"), completedStatus])
        }
    }

    @Test(arguments: ContractServer.available)
    func multiStepRunReportsEachStepInOrderThenCompletes(server: ContractServer) async throws {
        try await ContractHarness.with(server) { harness in
            let events = try await harness.run("steps", .message(Self.user(.text("go"), .data(["delay": 0.05]))))
            #expect(
                events == [
                    .runStarted(runID: try Self.runID(events)), workingStatus,
                    progress("id-1", ["progress": "one"]), nodeProgress("id-2", "one"),
                    progress("id-3", ["progress": "two"]), nodeProgress("id-4", "two"),
                    progress("id-5", ["progress": "three"]), nodeProgress("id-6", "three"),
                    responseChunk("id-7", "done: one,two,three"),
                    stateArtifact("id-8", ["steps": ["one", "two", "three"], "delay": 0.05]),
                    completedStatus,
                ]
            )
        }
    }

    @Test(arguments: ContractServer.available)
    func withoutTheUpdatesModeThereIsNoNodeProgress(server: ContractServer) async throws {
        try await ContractHarness.with(server) { harness in
            let events = try await harness.run("steps", .message(Self.user(.text("go"))), streamModes: ["custom"])
            #expect(
                events == [
                    .runStarted(runID: try Self.runID(events)), workingStatus,
                    progress("id-1", ["progress": "one"]), progress("id-2", ["progress": "two"]), progress("id-3", ["progress": "three"]),
                    textArtifact("id-4", name: "response", "done: one,two,three"),
                    stateArtifact("id-5", ["steps": ["one", "two", "three"]]),
                    completedStatus,
                ]
            )
        }
    }

    @Test(arguments: ContractServer.available)
    func progressIsBoundedPerRun(server: ContractServer) async throws {
        try await ContractHarness.with(server) { harness in
            var configuration = ContractHarness.resilient
            configuration.maximumProgressUpdates = 2
            let events = try await harness.run("steps", .message(Self.user(.text("go"))), configuration: configuration)
            #expect(
                events == [
                    .runStarted(runID: try Self.runID(events)), workingStatus,
                    progress("id-1", ["progress": "one"]), nodeProgress("id-2", "one"),
                    responseChunk("id-3", "done: one,two,three"),
                    stateArtifact("id-4", ["steps": ["one", "two", "three"]]),
                    completedStatus,
                ]
            )
        }
    }

    @Test(arguments: ContractServer.available)
    func customArtifactChunksStreamAsEmitted(server: ContractServer) async throws {
        try await ContractHarness.with(server) { harness in
            let events = try await harness.run("chunks", .message(Self.user(.text("go"))))
            #expect(
                events == [
                    .runStarted(runID: try Self.runID(events)), workingStatus,
                    .update(.artifact(Artifact(artifactId: "reply", name: "reply", parts: [.text("hello ")]), append: false, lastChunk: false)),
                    .update(.artifact(Artifact(artifactId: "reply", parts: [.text("streaming ")]), append: true, lastChunk: false)),
                    .update(.artifact(Artifact(artifactId: "reply", parts: [.text("world")]), append: true, lastChunk: true)),
                    nodeProgress("id-1", "chunks"),
                    completedStatus,
                ]
            )
        }
    }

    /// Token streaming: the chunk boundaries depend on how the tokens arrive, so the shape is
    /// checked, not the exact chunks.
    @Test(arguments: ContractServer.available, [["values", "updates", "messages-tuple"], ["values", "messages"]])
    func tokensStreamAsChunksOfOneResponseArtifact(server: ContractServer, modes: [String]) async throws {
        try await ContractHarness.with(server) { harness in
            let events = try await harness.run("tokens", .message(Self.user(.text("life"))), streamModes: modes)
            let chunks = events.compactMap(\.artifactUpdate)
            #expect(chunks.count >= 2, "the tokens came as one chunk: \(events)")
            #expect(chunks.map { $0.artifact.parts.compactMap(\.text).joined() }.joined() == "Streaming the answer to life")
            #expect(Set(chunks.map(\.artifact.artifactId)).count == 1, "one streamed artifact")
            #expect(chunks.first?.artifact.name == "response")
            #expect(chunks.first?.append == false)
            #expect(chunks.dropFirst().allSatisfy { $0.append })
            #expect(chunks.map(\.lastChunk) == Array(repeating: false, count: chunks.count - 1) + [true])
            #expect(events.last == completedStatus)
            #expect(events.dropFirst().first == workingStatus)
        }
    }

    @Test(arguments: ContractServer.available)
    func graphErrorFailsWithTheException(server: ContractServer) async throws {
        try await ContractHarness.with(server) { harness in
            let events = try await harness.run("echo", .message(Self.user(.text("boom"))))
            #expect(
                events == [
                    .runStarted(runID: try Self.runID(events)), workingStatus,
                    .update(.status(.failed, message: agentText("id-1", "The graph failed: ValueError: boom requested"))),
                ]
            )
        }
    }

    /// A new run whose stream was read whole ends on what the stream said, interrupts included:
    /// the run's status is asked for, the thread's state is not. A resume asks the thread, which
    /// may still wait for answers the resumed run's stream does not name.
    @Test func aNewRunReadWholeEndsWithoutReadingTheThreadsState() async throws {
        try await ContractHarness.with(.emulator) { harness in
            let emulator = try #require(harness.emulator).emulator
            func stateReads() -> Int { emulator.requests.filter { $0.method == "GET" && $0.path.hasSuffix("/state") }.count }
            let echoed = try await harness.run("echo", .message(Self.user(.text("hello"))))
            #expect(echoed.last == completedStatus)
            #expect(emulator.requests.contains { $0.method == "GET" && $0.path.contains("/runs/") })
            #expect(stateReads() == 0)
            let asked = try await harness.run("ask", .message(Self.user(.text("deploy"), id: "msg-2")))
            let interruptID = try #require(try Self.interrupts(asked.last).first?.id)
            #expect(stateReads() == 0)
            let resumed = try await harness.run("ask", .resume(Self.user(.text("yes"), id: "msg-3"), interruptIDs: [interruptID]))
            #expect(resumed.last == completedStatus)
            #expect(stateReads() == 1)
        }
    }

    @Test(arguments: ContractServer.available)
    func interruptRequiresInputAndResumeCompletes(server: ContractServer) async throws {
        try await ContractHarness.with(server) { harness in
            let asked = try await harness.run("ask", .message(Self.user(.text("deploy"))))
            let askRun = try Self.runID(asked)
            let pending = try Self.interrupts(asked.last)
            #expect(pending.count == 1)
            let interruptID = try #require(pending.first?.id)
            #expect(!interruptID.isEmpty)
            let question: JSONValue = ["question": "Approve 'deploy'?"]
            #expect(asked == [.runStarted(runID: askRun), workingStatus, inputRequired("id-1", interrupts: [(interruptID, question)])])

            let resumed = try await harness.run("ask", .resume(Self.user(.text("yes"), id: "msg-2"), interruptIDs: [interruptID]))
            let resumeRun = try Self.runID(resumed)
            #expect(resumeRun != askRun)
            #expect(resumed == [.runStarted(runID: resumeRun), workingStatus, nodeProgress("id-1", "ask"), responseChunk("id-2", "deploy -> yes"), completedStatus])
        }
    }

    @Test(arguments: ContractServer.available)
    func twoInterruptsAreAnsweredOneByOneByID(server: ContractServer) async throws {
        try await ContractHarness.with(server) { harness in
            let asked = try await harness.run("ask_two", .message(Self.user(.text("release"))))
            let pending = try Self.interrupts(asked.last)
            let first = try #require(pending.first { $0.value["key"] == "first" }?.id)
            let second = try #require(pending.first { $0.value["key"] == "second" }?.id)
            let firstValue: JSONValue = ["question": "First approval for 'release'?", "key": "first"]
            let secondValue: JSONValue = ["question": "Second approval for 'release'?", "key": "second"]
            #expect(
                asked == [
                    .runStarted(runID: try Self.runID(asked)), workingStatus,
                    inputRequired("id-1", interrupts: [(first, firstValue), (second, secondValue)]),
                ]
            )

            let partial = try await harness.run("ask_two", .resume(Self.user(.data([first: "yes"]), id: "msg-2"), interruptIDs: [first, second]))
            #expect(
                partial == [
                    .runStarted(runID: try Self.runID(partial)), workingStatus, nodeProgress("id-1", "ask_first"),
                    inputRequired("id-2", interrupts: [(second, secondValue)]),
                ]
            )

            let final = try await harness.run("ask_two", .resume(Self.user(.text("ok"), id: "msg-3"), interruptIDs: [second]))
            #expect(
                final == [
                    .runStarted(runID: try Self.runID(final)), workingStatus,
                    nodeProgress("id-1", "ask_second"), nodeProgress("id-2", "join"),
                    responseChunk("id-3", "release -> first=yes, second=ok"),
                    stateArtifact("id-4", ["answers": ["first": "yes", "second": "ok"]]),
                    completedStatus,
                ]
            )
        }
    }

    @Test(arguments: ContractServer.available)
    func twoInterruptsAreAnsweredAtOnceByID(server: ContractServer) async throws {
        try await ContractHarness.with(server) { harness in
            let asked = try await harness.run("ask_two", .message(Self.user(.text("ship"))))
            let pending = try Self.interrupts(asked.last)
            let first = try #require(pending.first { $0.value["key"] == "first" }?.id)
            let second = try #require(pending.first { $0.value["key"] == "second" }?.id)
            let answers: JSONValue = [first: "go", second: ["approved": true]]
            let final = try await harness.run("ask_two", .resume(Self.user(.data(answers), id: "msg-2"), interruptIDs: [first, second]))
            // The two nodes run in parallel: their progress comes in either order.
            let answered = final.dropFirst(2).prefix(2).compactMap { event -> String? in
                guard case .update(.status(.working, let message?)) = event else { return nil }
                return message.parts.first?.dataValue?["node"]?.stringValue
            }
            #expect(Set(answered) == ["ask_first", "ask_second"], "\(final)")
            #expect(
                Array(final.dropFirst(4)) == [
                    nodeProgress("id-3", "join"),
                    responseChunk("id-4", #"ship -> first=go, second={"approved": true}"#),
                    stateArtifact("id-5", ["answers": ["first": "go", "second": #"{"approved": true}"#]]),
                    completedStatus,
                ]
            )
        }
    }

    @Test(arguments: ContractServer.available)
    func resumingAThreadThatWaitsForNothingIsRefused(server: ContractServer) async throws {
        try await ContractHarness.with(server) { harness in
            let asked = try await harness.run("ask", .message(Self.user(.text("deploy"))))
            let interruptID = try #require(try Self.interrupts(asked.last).first?.id)
            _ = try await harness.run("ask", .resume(Self.user(.text("yes"), id: "msg-2"), interruptIDs: [interruptID]))
            let runsBefore = try await harness.runsOnThread().count

            let again = try await harness.run("ask", .resume(Self.user(.text("again"), id: "msg-3"), interruptIDs: [interruptID]))
            guard case .update(.status(.failed, let message?)) = again.last, again.count == 1 else {
                Issue.record("the resume was not refused: \(again)")
                return
            }
            #expect(message.parts.first?.text?.hasPrefix("The graph is not waiting for input any more (its thread is idle)") == true, "\(message)")
            #expect(try await harness.runsOnThread().count == runsBefore, "no run was started")
        }
    }

    @Test(arguments: ContractServer.available)
    func answeringAQuestionThatANewerMessageReplacedIsRefused(server: ContractServer) async throws {
        try await ContractHarness.with(server) { harness in
            let asked = try await harness.run("ask", .message(Self.user(.text("deploy"))))
            let oldID = try #require(try Self.interrupts(asked.last).first?.id)
            let askedAgain = try await harness.run("ask", .message(Self.user(.text("rollback"), id: "msg-2")))
            let newID = try #require(try Self.interrupts(askedAgain.last).first?.id)
            #expect(newID != oldID)

            let stale = try await harness.run("ask", .resume(Self.user(.text("yes"), id: "msg-3"), interruptIDs: [oldID]))
            guard case .update(.status(.failed, let message?)) = stale.last, stale.count == 1 else {
                Issue.record("the stale answer was not refused: \(stale)")
                return
            }
            #expect(message.parts.first?.text == "The graph is not waiting for these answers any more (interrupts \(oldID) are not pending)")
        }
    }

    @Test(arguments: ContractServer.available)
    func messageDirectiveReplies(server: ContractServer) async throws {
        try await ContractHarness.with(server) { harness in
            let directive: JSONValue = ["message": ["messageId": "reply-1", "parts": [["text": "a direct reply"]]]]
            let events = try await harness.run("directive", .message(Self.user(.text("hi"), .data(["directive": directive]))))
            #expect(
                events == [
                    .runStarted(runID: try Self.runID(events)), workingStatus,
                    .update(.status(.working, message: agentText("id-1", "directing hi"))),
                    nodeProgress("id-2", "directive"),
                    .reply(Message(messageId: "reply-1", role: .agent, parts: [.text("a direct reply")])),
                ]
            )
        }
    }

    @Test(arguments: ContractServer.available)
    func cancelMidRunEndsCanceledOnceTheRunStopped(server: ContractServer) async throws {
        try await ContractHarness.with(server) { harness in
            let executor = harness.executor()
            let actor = harness.actor("slow")
            var events: [ExecutionEvent] = []
            for try await event in executor.execute(harness.request(actor, .message(Self.user(.text("wait"), .data(["seconds": 30]))))) {
                events.append(event)
                // Cancel once the graph is busy: after its first progress event.
                if case .update(.status(.working, let message?)) = event, message.parts.first?.dataValue?["elapsed"] == 1 {
                    let runID = try Self.runID(events)
                    try await executor.cancel(GraphRunReference(actor: actor, apiKey: nil, threadID: harness.threadID, runID: runID))
                }
            }
            let runID = try Self.runID(events)
            guard case .update(.status(.canceled, let message?)) = events.last else {
                Issue.record("the stream did not end canceled: \(events)")
                return
            }
            #expect(message.parts == [.text("The run was canceled")])
            #expect(try await harness.runStatus(runID) == "interrupted", "LangGraph reports the run stopped")
            for event in events.dropFirst().dropLast() {
                guard case .update(.status(.working, _)) = event else {
                    Issue.record("unexpected event \(event) of canceled run \(runID)")
                    continue
                }
            }
            #expect(!events.contains { $0.artifactUpdate != nil }, "a canceled run has no output")
            // Canceling a finished run is not an error.
            try await executor.cancel(GraphRunReference(actor: actor, apiKey: nil, threadID: harness.threadID, runID: runID))
        }
    }

    @Test(arguments: ContractServer.available)
    func runPastItsTimeLimitIsCanceledAndFails(server: ContractServer) async throws {
        try await ContractHarness.with(server) { harness in
            let executor = harness.executor()
            // Long enough for the run to start on a loaded machine, short of the graph's minute.
            let actor = harness.actor("slow", runTimeoutSeconds: 5)
            let events = try await harness.collect(executor.execute(harness.request(actor, .message(Self.user(.text("wait"), .data(["seconds": 60]))))))
            let runID = try Self.runID(events)
            guard case .update(.status(.failed, let message?)) = events.last else {
                Issue.record("the run did not fail: \(events)")
                return
            }
            #expect(message.parts == [.text("The run did not finish within its time limit of 5 s and was canceled")])
            try await eventually("the timed-out run stopped") { try await harness.runStatus(runID) == "interrupted" }
        }
    }

    @Test(arguments: ContractServer.available)
    func takingOverAFinishedInterruptedRunReadsItsQuestions(server: ContractServer) async throws {
        try await ContractHarness.with(server) { harness in
            let asked = try await harness.run("ask", .message(Self.user(.text("deploy"))))
            let runID = try Self.runID(asked)
            let pending = try Self.interrupts(asked.last)
            #expect(pending.count == 1)
            let rejoined = try await harness.run("ask", .message(Self.user(.text("deploy"))), existingRunID: runID)
            #expect(rejoined == [.runStarted(runID: runID), inputRequired("id-1", interrupts: pending)])
        }
    }

    @Test(arguments: ContractServer.available)
    func takingOverAFinishedRunSendsItsOutputOnceAndWhole(server: ContractServer) async throws {
        try await ContractHarness.with(server) { harness in
            let first = try await harness.run("steps", .message(Self.user(.text("go"))))
            let runID = try Self.runID(first)
            let rejoined = try await harness.run("steps", .message(Self.user(.text("go"))), existingRunID: runID)
            #expect(
                rejoined == [
                    .runStarted(runID: runID),
                    responseChunk("id-1", "done: one,two,three"),
                    stateArtifact("id-2", ["steps": ["one", "two", "three"]]),
                    completedStatus,
                ]
            )
        }
    }

    @Test(arguments: ContractServer.available)
    func takingOverAFinishedRunSendsItsStreamedArtifactsWhole(server: ContractServer) async throws {
        try await ContractHarness.with(server) { harness in
            let chunks = try await harness.run("chunks", .message(Self.user(.text("go"))))
            let runID = try Self.runID(chunks)
            let rejoined = try await harness.run("chunks", .message(Self.user(.text("go"))), existingRunID: runID)
            let reply = Artifact(artifactId: "reply", name: "reply", parts: [.text("hello "), .text("streaming "), .text("world")])
            #expect(rejoined == [.runStarted(runID: runID), .update(.artifact(reply, append: false, lastChunk: true)), completedStatus])
        }
    }

    @Test(arguments: ContractServer.available)
    func unknownAssistantIsRefusedWithTheServersDetail(server: ContractServer) async throws {
        try await ContractHarness.with(server) { harness in
            let error = await #expect(throws: GraphExecutionError.self) {
                _ = try await harness.run("no_such_graph", .message(Self.user(.text("hi"))))
            }
            #expect(error?.detail?.hasPrefix("LangGraph refused to start the run: LangGraph answered 422: Invalid assistant: 'no_such_graph'") == true, "\(String(describing: error))")
        }
    }
}
