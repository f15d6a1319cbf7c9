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
import Logging
import Testing

@testable import CleverAgentsLangGraph

/// `LangGraphExecutor` against the real LangGraph dev server running the test graphs
/// (`testing/langgraph/graphs.py`); every test runs on fresh threads.
@Suite(.enabled(if: TestEnvironment.langGraphURL != nil || TestEnvironment.servicesRequired, "needs CLEVERAGENTS_TEST_LANGGRAPH_URL"))
struct LangGraphExecutorContractTests {
    /// Runs graphs on one thread of the test server through one HTTP client.
    struct Graphs {
        let url: String
        let http: HTTPClient
        let threadID = UUID().uuidString.lowercased()

        func actor(_ graph: String) -> ActorDefinition {
            ActorDefinition(name: graph.replacingOccurrences(of: "_", with: "-"), graphURL: url, assistantID: graph)
        }

        func request(_ graph: String, _ input: GraphRunRequest.Input, existingRunID: String? = nil) -> GraphRunRequest {
            GraphRunRequest(
                namespace: NamespaceName("contract")!,
                taskId: UUID().uuidString.lowercased(),
                contextId: threadID,
                actor: actor(graph),
                apiKey: nil,
                threadID: threadID,
                input: input,
                existingRunID: existingRunID
            )
        }

        /// An executor whose ids are `id-1`, `id-2`, … for each run.
        func executor() -> LangGraphExecutor {
            LangGraphExecutor(http: http, ids: SequentialIDs(), logger: Logger(label: "LangGraphExecutorContractTests"))
        }

        /// Runs `graph` to the end of its stream.
        func run(_ graph: String, _ input: GraphRunRequest.Input, existingRunID: String? = nil) async throws -> [ExecutionEvent] {
            var events: [ExecutionEvent] = []
            for try await event in executor().execute(request(graph, input, existingRunID: existingRunID)) {
                events.append(event)
            }
            return events
        }
    }

    /// One HTTP client for the test, shut down at the end however the test ends.
    func withGraphs(_ body: (Graphs) async throws -> Void) async throws {
        let url = try #require(TestEnvironment.langGraphURL, "CLEVERAGENTS_TEST_LANGGRAPH_URL is not set; run scripts/services up")
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await body(Graphs(url: url, http: http))
        } catch {
            try await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

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

    @Test func echoAnswersWithAResponseArtifact() async throws {
        try await withGraphs { graphs in
            let events = try await graphs.run("echo", .message(Self.user(.text("hello"))))
            let runID = try Self.runID(events)
            #expect(!runID.isEmpty)
            #expect(events == [.runStarted(runID: runID), workingStatus, textArtifact("id-1", name: "response", "echo: hello"), completedStatus])
        }
    }

    @Test func stepsReportProgressInOrderThenComplete() async throws {
        try await withGraphs { graphs in
            let events = try await graphs.run("steps", .message(Self.user(.text("go"))))
            #expect(
                events == [
                    .runStarted(runID: try Self.runID(events)), workingStatus,
                    progress("id-1", ["progress": "one"]),
                    progress("id-2", ["progress": "two"]),
                    progress("id-3", ["progress": "three"]),
                    textArtifact("id-4", name: "response", "done: one,two,three"),
                    stateArtifact("id-5", ["steps": ["one", "two", "three"]]),
                    completedStatus,
                ]
            )
        }
    }

    @Test func chunksStreamAsThreeArtifactEvents() async throws {
        try await withGraphs { graphs in
            let events = try await graphs.run("chunks", .message(Self.user(.text("go"))))
            #expect(
                events == [
                    .runStarted(runID: try Self.runID(events)), workingStatus,
                    .update(.artifact(Artifact(artifactId: "reply", name: "reply", parts: [.text("hello ")]), append: false, lastChunk: false)),
                    .update(.artifact(Artifact(artifactId: "reply", parts: [.text("streaming ")]), append: true, lastChunk: false)),
                    .update(.artifact(Artifact(artifactId: "reply", parts: [.text("world")]), append: true, lastChunk: true)),
                    completedStatus,
                ]
            )
        }
    }

    @Test func graphErrorFailsWithTheException() async throws {
        try await withGraphs { graphs in
            let events = try await graphs.run("echo", .message(Self.user(.text("boom"))))
            #expect(
                events == [
                    .runStarted(runID: try Self.runID(events)), workingStatus,
                    .update(.status(.failed, message: agentText("id-1", "The graph failed: ValueError: boom requested"))),
                ]
            )
        }
    }

    @Test func interruptRequiresInputAndResumeCompletes() async throws {
        try await withGraphs { graphs in
            let asked = try await graphs.run("ask", .message(Self.user(.text("deploy"))))
            let askRun = try Self.runID(asked)
            let pending = try Self.interrupts(asked.last)
            #expect(pending.count == 1)
            let interruptID = try #require(pending.first?.id)
            #expect(!interruptID.isEmpty)
            let question: JSONValue = ["question": "Approve 'deploy'?"]
            #expect(asked == [.runStarted(runID: askRun), workingStatus, inputRequired("id-1", interrupts: [(interruptID, question)])])

            let answer = Self.user(.text("yes"), id: "msg-2")
            let resumed = try await graphs.run("ask", .resume(answer, interruptIDs: [interruptID]))
            let resumeRun = try Self.runID(resumed)
            #expect(resumeRun != askRun)
            #expect(
                resumed == [.runStarted(runID: resumeRun), workingStatus, textArtifact("id-1", name: "response", "deploy -> yes"), completedStatus]
            )
        }
    }

    @Test func twoInterruptsAreAnsweredOneByOne() async throws {
        try await withGraphs { graphs in
            let asked = try await graphs.run("ask_two", .message(Self.user(.text("release"))))
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

            let partial = try await graphs.run("ask_two", .resume(Self.user(.data([first: "yes"]), id: "msg-2"), interruptIDs: [first, second]))
            let partialRun = try Self.runID(partial)
            #expect(partial == [.runStarted(runID: partialRun), workingStatus, inputRequired("id-1", interrupts: [(second, secondValue)])])

            let final = try await graphs.run("ask_two", .resume(Self.user(.data([second: "ok"]), id: "msg-3"), interruptIDs: [second]))
            #expect(
                final == [
                    .runStarted(runID: try Self.runID(final)), workingStatus,
                    textArtifact("id-1", name: "response", "release -> first=yes, second=ok"),
                    stateArtifact("id-2", ["answers": ["first": "yes", "second": "ok"]]),
                    completedStatus,
                ]
            )
        }
    }

    @Test func rejoiningAFinishedInterruptedRunReadsTheInterruptsFromTheThread() async throws {
        try await withGraphs { graphs in
            let asked = try await graphs.run("ask", .message(Self.user(.text("deploy"))))
            let runID = try Self.runID(asked)
            let pending = try Self.interrupts(asked.last)
            #expect(pending.count == 1)
            // A re-join without Last-Event-ID replays nothing of a finished run: only the thread knows.
            let rejoined = try await graphs.run("ask", .message(Self.user(.text("deploy"))), existingRunID: runID)
            #expect(rejoined == [.runStarted(runID: runID), inputRequired("id-1", interrupts: pending)])
        }
    }

    @Test func messageDirectiveReplies() async throws {
        try await withGraphs { graphs in
            let directive: JSONValue = ["message": ["messageId": "reply-1", "parts": [["text": "a direct reply"]]]]
            let events = try await graphs.run("directive", .message(Self.user(.text("hi"), .data(["directive": directive]))))
            #expect(
                events == [
                    .runStarted(runID: try Self.runID(events)), workingStatus,
                    .update(.status(.working, message: agentText("id-1", "directing hi"))),
                    .reply(Message(messageId: "reply-1", role: .agent, parts: [.text("a direct reply")])),
                ]
            )
        }
    }

    @Test func canceledRunEndsCanceled() async throws {
        try await withGraphs { graphs in
            let executor = graphs.executor()
            let started = ContinuousClock.now
            var events: [ExecutionEvent] = []
            for try await event in executor.execute(graphs.request("slow", .message(Self.user(.text("wait"), .data(["seconds": 20]))))) {
                events.append(event)
                if case .runStarted(let runID) = event {
                    try await executor.cancel(GraphRunReference(actor: graphs.actor("slow"), apiKey: nil, threadID: graphs.threadID, runID: runID))
                }
            }
            let elapsed = ContinuousClock.now - started
            #expect(elapsed < .seconds(15), "the run was not canceled but ran to its end")
            let runID = try Self.runID(events)
            guard case .update(.status(.canceled, let message?)) = events.last else {
                Issue.record("the stream did not end canceled: \(events)")
                return
            }
            #expect(message.parts == [.text("The run was canceled")])
            // Between start and end only the working status and progress.
            for event in events.dropFirst().dropLast() {
                guard case .update(.status(.working, _)) = event else {
                    Issue.record("unexpected event \(event) of canceled run \(runID)")
                    continue
                }
            }
            // Canceling a finished run is not an error.
            try await executor.cancel(GraphRunReference(actor: graphs.actor("slow"), apiKey: nil, threadID: graphs.threadID, runID: runID))
        }
    }
}
