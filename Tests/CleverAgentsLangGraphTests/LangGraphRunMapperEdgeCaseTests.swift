//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import CleverAgentsRuntime
import Testing

@testable import CleverAgentsLangGraph

/// The mapping of hand-written streams: what the recorded graphs do not produce.
@Suite(.timeLimit(.minutes(2))) struct LangGraphRunMapperEdgeCaseTests {
    static let human = #"{"type":"human","content":"hi","id":"msg-1"}"#

    /// `metadata` plus a final `values` event with `messages` and the given extra state keys.
    static func run(messages: [String], extra: String = "") -> String {
        """
        event: metadata
        data: {"run_id":"run-1","attempt":1}

        event: values
        data: {"messages":[\(messages.joined(separator: ","))]\(extra)}


        """
    }

    static func ai(_ content: String) -> String {
        #"{"type":"ai","content":\#(content),"id":null}"#
    }

    @Test func duplicateMetadataOnRejoinStartsTheRunOnce() {
        let body = """
            event: metadata
            data: {"run_id":"run-1","attempt":1}
            id: 1-0

            event: custom
            data: "first"
            id: 2-0

            event: metadata
            data: {"run_id":"run-1","attempt":1}
            id: 1-0

            event: metadata
            data: {"run_id":"run-2","attempt":2}


            """
        let ids = SequentialIDs()
        var mapper = LangGraphRunMapper(inputMessageID: "msg-1", makeID: { ids.makeID() })
        let events = parseEvents(body).flatMap { mapper.consume($0) }
        let first = Message(messageId: "id-1", role: .agent, parts: [.text("first")], metadata: ["cleveragents/progress": true])
        #expect(events == [.runStarted(runID: "run-1"), workingStatus, .update(.status(.working, message: first))])
        #expect(mapper.runID == "run-1")
    }

    @Test func unknownEventsAreIgnored() {
        let noise = """
            event: metadata
            data: {"run_id":"run-1","attempt":1}

            event: debug
            data: {"type":"task","payload":{}}

            event: checkpoints
            data: not json at all

            data: {"an":"unnamed event"}

            event: updates
            data: {"node":{"messages":[{"type":"ai","content":"not final","id":null}]},"__metadata__":{"cached":true}}

            event: values
            data: {"messages":[\(Self.human),\(Self.ai(#""hello""#))]}


            """
        let events = mapEvents(parseEvents(noise), inputMessageID: "msg-1")
        #expect(events == [.runStarted(runID: "run-1"), workingStatus, textArtifact("id-1", name: "response", "hello"), completedStatus])
    }

    @Test(arguments: [("values", "values"), ("updates|parent:abc", "updates"), ("messages/partial|a|b", "messages/partial"), ("", ""), ("|x", "")])
    func anEventsStreamModeIsItsNameBeforeTheBar(name: String, mode: String) {
        #expect(LangGraphRunMapper.streamMode(of: name) == mode[...])
    }

    @Test(arguments: [
        ("metadata", LangGraphStreamEventKind.metadata, false), ("values", .values, true), ("updates|inner:t", .updates, false),
        ("custom", .custom, false), ("messages", .messageChunk, true), ("messages/partial", .messagesSoFar, true),
        ("messages/complete|a", .messagesSoFar, true), ("messages/metadata", .otherMessages, true), ("error", .error, false),
        ("debug", .other, false), ("messagesX", .other, false),
    ])
    func anEventsKindComesFromItsName(name: String, kind: LangGraphStreamEventKind, onlyState: Bool) {
        #expect(LangGraphStreamEventKind(name: name) == kind)
        #expect(kind.carriesOnlyState == onlyState)
    }

    @Test func runStatusesAreLangGraphsOwnAndNothingElse() {
        #expect(LangGraphRunStatus(rawValue: "pending")?.isActive == true)
        #expect(LangGraphRunStatus(rawValue: "running")?.isActive == true)
        #expect(LangGraphRunStatus(rawValue: "timeout")?.isFailure == true)
        #expect(LangGraphRunStatus(rawValue: "success")?.isFailure == false)
        #expect(LangGraphRunStatus(rawValue: "<script>") == nil, "an unknown status is never repeated")
        #expect(LangGraphConfiguration.knownStreamModes.count == LangGraphStreamMode.allCases.count)
        #expect(LangGraphConfiguration.standardStreamModes == ["values", "updates", "custom", "messages-tuple"])
    }

    @Test func subgraphEventNamesMapLikeTheirMode() {
        let body = """
            event: metadata
            data: {"run_id":"run-1","attempt":1}

            event: updates|inner:task-1
            data: {"__interrupt__":[{"value":"Continue?","id":"int-1"}]}

            event: custom|inner:task-1
            data: {"progress":"inner"}


            """
        let events = mapEvents(parseEvents(body), inputMessageID: "msg-1")
        #expect(
            events == [
                .runStarted(runID: "run-1"), workingStatus, progress("id-1", ["progress": "inner"]),
                inputRequired("id-2", interrupts: [("int-1", "Continue?")]),
            ]
        )
    }

    @Test func errorInFinalValuesFailsTheTask() {
        let body = Self.run(messages: [Self.human], extra: #","__error__":{"error":"KeyError","message":"'x'"}"#)
        let events = mapEvents(parseEvents(body), inputMessageID: "msg-1")
        let failed = ExecutionEvent.update(.status(.failed, message: agentText("id-1", "The graph failed: KeyError: 'x'")))
        #expect(events == [.runStarted(runID: "run-1"), workingStatus, failed])
    }

    @Test func aGraphsErrorTextIsCutTo1000Characters() {
        let long = String(repeating: "x", count: 5000)
        let body = Self.run(messages: [Self.human], extra: #","__error__":{"error":"E","message":"\#(long)"}"#)
        let events = mapEvents(parseEvents(body), inputMessageID: "msg-1")
        let failed = ExecutionEvent.update(.status(.failed, message: agentText("id-1", "The graph failed: E: " + String(repeating: "x", count: 997) + "…")))
        #expect(events.last == failed)
    }

    @Test func streamErrorWinsOverPendingInterrupts() {
        let body = """
            event: metadata
            data: {"run_id":"run-1","attempt":1}

            event: updates
            data: {"__interrupt__":[{"value":"Continue?","id":"int-1"}]}

            event: error
            data: {"error":"RuntimeError","message":"When there are multiple pending interrupts, you must specify the interrupt id"}


            """
        let events = mapEvents(parseEvents(body), inputMessageID: "msg-1", runStatus: .error)
        let message = "The graph failed: RuntimeError: When there are multiple pending interrupts, you must specify the interrupt id"
        #expect(events == [.runStarted(runID: "run-1"), workingStatus, .update(.status(.failed, message: agentText("id-1", message)))])
    }

    /// How a run that ended with `status` and no output ends the task.
    struct EndWithoutOutput: Sendable, CustomTestStringConvertible {
        var status: LangGraphRunStatus
        var state: TaskState
        var text: String
        var testDescription: String { status.rawValue }
    }

    @Test(arguments: [
        EndWithoutOutput(status: .interrupted, state: .canceled, text: "The run was canceled"),
        EndWithoutOutput(status: .error, state: .failed, text: "The graph run ended with status error"),
        EndWithoutOutput(status: .timeout, state: .failed, text: "The graph run ended with status timeout"),
        EndWithoutOutput(status: .success, state: .failed, text: "The graph run ended without output"),
    ])
    func runStatusDecidesWhenTheStreamEndsWithoutOutput(end: EndWithoutOutput) {
        let body = "event: metadata\ndata: {\"run_id\":\"run-1\",\"attempt\":1}\n\n"
        let events = mapEvents(parseEvents(body), inputMessageID: "msg-1", runStatus: end.status)
        #expect(events == [.runStarted(runID: "run-1"), workingStatus, .update(.status(end.state, message: agentText("id-1", end.text)))])
    }

    @Test func canceledRunWithOutputIsStillCanceled() {
        let events = mapEvents(parseEvents(Self.run(messages: [Self.human])), inputMessageID: "msg-1", runStatus: .interrupted)
        let canceled = ExecutionEvent.update(.status(.canceled, message: agentText("id-1", "The run was canceled")))
        #expect(events == [.runStarted(runID: "run-1"), workingStatus, canceled])
    }

    @Test(arguments: [
        ("rejected", TaskState.rejected),
        ("TASK_STATE_FAILED", TaskState.failed),
        ("input-required", TaskState.inputRequired),
        ("input_required", TaskState.inputRequired),
        ("auth-required", TaskState.authRequired),
        ("canceled", TaskState.canceled),
    ])
    func streamedStatusDirectiveEndsTheRun(name: String, state: TaskState) {
        let body = """
            event: metadata
            data: {"run_id":"run-1","attempt":1}

            event: custom
            data: {"a2a":{"status":{"state":"\(name)","message":"because"}}}

            event: custom
            data: {"progress":"after the end"}


            """
        let ids = SequentialIDs()
        var mapper = LangGraphRunMapper(inputMessageID: "msg-1", makeID: { ids.makeID() })
        var events: [ExecutionEvent] = []
        for event in parseEvents(body) {
            events += mapper.consume(event)
        }
        #expect(mapper.finished)
        events += mapper.finish(runStatus: .success)
        #expect(events == [.runStarted(runID: "run-1"), workingStatus, .update(.status(state, message: agentText("id-1", "because")))])
    }

    @Test(arguments: [
        ("working", TaskState.working),
        ("TASK_STATE_WORKING", TaskState.working),
        ("no-such-state", TaskState.working),
    ])
    func streamedWorkingStatusDirectiveKeepsTheRunGoing(name: String, state: TaskState) {
        let body = """
            event: metadata
            data: {"run_id":"run-1","attempt":1}

            event: custom
            data: {"a2a":{"status":{"state":"\(name)"}}}

            event: values
            data: {"messages":[\(Self.human),\(Self.ai(#""done""#))]}


            """
        let events = mapEvents(parseEvents(body), inputMessageID: "msg-1")
        #expect(
            events == [
                .runStarted(runID: "run-1"), workingStatus, .update(.status(state, message: nil)),
                textArtifact("id-1", name: "response", "done"), completedStatus,
            ]
        )
    }

    @Test(arguments: [
        ("rejected", TaskState.rejected),
        ("TASK_STATE_FAILED", TaskState.failed),
        ("input-required", TaskState.inputRequired),
        ("no-such-state", TaskState.completed),
    ])
    func finalStatusDirectiveSetsTheState(name: String, state: TaskState) {
        let body = Self.run(messages: [Self.human, Self.ai(#""ignored""#)], extra: #","a2a":{"status":{"state":"\#(name)"}},"other":1"#)
        let events = mapEvents(parseEvents(body), inputMessageID: "msg-1")
        #expect(events == [.runStarted(runID: "run-1"), workingStatus, .update(.status(state, message: nil))])
    }

    @Test func finalMessageDirectiveAsTextReplies() {
        let body = Self.run(messages: [Self.human], extra: #","a2a":{"message":"plain reply"}"#)
        let events = mapEvents(parseEvents(body), inputMessageID: "msg-1")
        #expect(events == [.runStarted(runID: "run-1"), workingStatus, .reply(agentText("id-1", "plain reply"))])
    }

    @Test func artifactChunkWithoutAnIDGetsAFreshID() {
        let body = """
            event: metadata
            data: {"run_id":"run-1","attempt":1}

            event: custom
            data: {"a2a":{"artifact":{"name":"notes","parts":[{"text":"a"}]}}}

            event: custom
            data: {"a2a":{"artifact":{"parts":[{"text":"b"}]},"append":true,"last_chunk":true}}

            event: custom
            data: {"a2a":{"artifact":{"parts":"not a list"}}}


            """
        let events = mapEvents(parseEvents(body), inputMessageID: "msg-1", runStatus: .interrupted)
        #expect(
            events == [
                .runStarted(runID: "run-1"), workingStatus,
                .update(.artifact(Artifact(artifactId: "id-1", name: "notes", parts: [.text("a")]), append: false, lastChunk: false)),
                .update(.artifact(Artifact(artifactId: "id-2", parts: [.text("b")]), append: true, lastChunk: true)),
                .update(.status(.canceled, message: agentText("id-3", "The run was canceled"))),
            ]
        )
    }

    @Test func aiMessageContentAsTextBlocksIsJoined() {
        let blocks = #"[{"type":"text","text":"Hello"},{"type":"image_url","image_url":{"url":"http://x/y"}},",",{"type":"text","text":" world"}]"#
        let assistant = #"{"role":"assistant","content":"second"}"#
        let body = Self.run(messages: [Self.human, Self.ai(blocks), assistant, Self.ai(#"[{"type":"image_url"}]"#)])
        let events = mapEvents(parseEvents(body), inputMessageID: "msg-1")
        let response = textArtifact("id-1", name: "response", "Hello, world", "second")
        #expect(events == [.runStarted(runID: "run-1"), workingStatus, response, completedStatus])
    }

    @Test func onlyAIMessagesAfterTheInputMessageAreTheResponse() {
        let earlier = [#"{"type":"human","content":"before","id":"msg-0"}"#, Self.ai(#""old answer""#)]
        let body = Self.run(messages: earlier + [Self.human, #"{"type":"tool","content":"tool output"}"#, Self.ai(#""new answer""#)])
        let events = mapEvents(parseEvents(body), inputMessageID: "msg-1")
        #expect(events == [.runStarted(runID: "run-1"), workingStatus, textArtifact("id-1", name: "response", "new answer"), completedStatus])
    }

    @Test func stateWithoutNewAIMessagesIsOnlyData() {
        let body = Self.run(messages: [Self.human], extra: #","count":3,"__interrupt__":[]"#)
        let events = mapEvents(parseEvents(body), inputMessageID: "msg-1")
        #expect(events == [.runStarted(runID: "run-1"), workingStatus, stateArtifact("id-1", ["count": 3]), completedStatus])
    }

    @Test func interruptsAreCollectedOncePerIDAcrossEvents() {
        let body = """
            event: metadata
            data: {"run_id":"run-1","attempt":1}

            event: updates
            data: {"__interrupt__":[{"value":"first?","id":"int-1"}]}

            event: values
            data: {"messages":[],"__interrupt__":[{"value":"first?","id":"int-1"}]}

            event: updates
            data: {"__interrupt__":[{"value":{"q":"second?"},"id":"int-2"}]}

            event: values
            data: {"messages":[],"__interrupt__":[{"value":{"q":"second?"},"id":"int-2"}]}

            event: values
            data: {"messages":[]}


            """
        let events = mapEvents(parseEvents(body), inputMessageID: "msg-1")
        #expect(
            events == [
                .runStarted(runID: "run-1"), workingStatus,
                inputRequired("id-1", interrupts: [("int-1", "first?"), ("int-2", ["q": "second?"])]),
            ]
        )
    }

    @Test func threadInterruptsReplaceThoseOfTheStream() {
        let body = """
            event: metadata
            data: {"run_id":"run-1","attempt":1}

            event: updates
            data: {"__interrupt__":[{"value":"stale?","id":"int-1"}]}

            event: values
            data: {"messages":[\(Self.human),\(Self.ai(#""partial""#))]}


            """
        let thread: [JSONValue] = [["id": "int-2", "value": "pending?"]]
        let required = mapEvents(parseEvents(body), inputMessageID: "msg-1", pendingInterrupts: thread)
        #expect(required == [.runStarted(runID: "run-1"), workingStatus, inputRequired("id-1", interrupts: [("int-2", "pending?")])])

        let done = mapEvents(parseEvents(body), inputMessageID: "msg-1", pendingInterrupts: [])
        #expect(done == [.runStarted(runID: "run-1"), workingStatus, textArtifact("id-1", name: "response", "partial"), completedStatus])
    }

    @Test func pendingInterruptsWithoutAnyStreamRequireInput() {
        let events = mapEvents([], inputMessageID: "msg-1", pendingInterrupts: [["id": "int-1", "value": ["question": "Approve?"]]])
        #expect(events == [inputRequired("id-1", interrupts: [("int-1", ["question": "Approve?"])])])
    }

    @Test func finishIsReportedOnce() {
        let ids = SequentialIDs()
        var mapper = LangGraphRunMapper(inputMessageID: "msg-1", makeID: { ids.makeID() })
        for event in parseEvents(Self.run(messages: [Self.human, Self.ai(#""hi there""#)])) {
            _ = mapper.consume(event)
        }
        #expect(mapper.finish(runStatus: .success) == [textArtifact("id-1", name: "response", "hi there"), completedStatus])
        #expect(mapper.finish(runStatus: .success).isEmpty)
        #expect(mapper.consume(ServerSentEvent(event: "custom", data: #"{"progress":"late"}"#)).isEmpty)
    }
}
