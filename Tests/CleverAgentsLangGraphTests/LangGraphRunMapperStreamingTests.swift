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

/// Node progress, token streaming and catch-up (takeover) in hand-written streams.
@Suite(.timeLimit(.minutes(2))) struct LangGraphRunMapperStreamingTests {
    static let start = "event: metadata\ndata: {\"run_id\":\"run-1\",\"attempt\":1}\n\n"

    static func values(_ messages: String, extra: String = "") -> String {
        "event: values\ndata: {\"messages\":[{\"type\":\"human\",\"content\":\"hi\",\"id\":\"msg-1\"}\(messages)]\(extra)}\n\n"
    }

    static func token(_ text: String, id: String = "ai-1", type: String = "AIMessageChunk") -> String {
        "event: messages\ndata: [{\"type\":\"\(type)\",\"content\":\"\(text)\",\"id\":\"\(id)\"},{\"langgraph_node\":\"model\"}]\n\n"
    }

    static func chunk(_ text: String, first: Bool = false, last: Bool = false, id: String = "id-1") -> ExecutionEvent {
        .update(.artifact(Artifact(artifactId: id, name: first ? "response" : nil, parts: [.text(text)]), append: !first, lastChunk: last))
    }

    static func map(_ body: String, options: LangGraphRunMapper.Options = .init(), runStatus: LangGraphRunStatus? = .success, pendingInterrupts: [JSONValue]? = nil) -> [ExecutionEvent] {
        let ids = SequentialIDs()
        var mapper = LangGraphRunMapper(inputMessageID: "msg-1", options: options, makeID: { ids.makeID() })
        var output: [ExecutionEvent] = []
        for event in parseEvents(body) {
            output += mapper.consume([event])
            if mapper.finished { break }
        }
        return output + mapper.finish(runStatus: runStatus, pendingInterrupts: pendingInterrupts)
    }

    @Test func everyNodeOfAnUpdateIsProgressInNameOrderButLangGraphsOwnKeysAreNot() {
        let body = Self.start + """
            event: updates
            data: {"zeta":{"x":1},"alpha":null,"__interrupt__":[]}

            event: updates
            data: {"cached":{"x":1},"__metadata__":{"cached":true}}

            event: updates
            data: "not an object"


            """
        let events = Self.map(body, runStatus: .interrupted)
        #expect(
            events == [
                .runStarted(runID: "run-1"), workingStatus, nodeProgress("id-1", "alpha"), nodeProgress("id-2", "zeta"),
                .update(.status(.canceled, message: agentText("id-3", "The run was canceled"))),
            ]
        )
    }

    @Test func progressBeyondTheLimitIsDropped() {
        let body = Self.start + (1...5).map { "event: custom\ndata: \"step \($0)\"\n\n" }.joined()
        let ids = SequentialIDs()
        var mapper = LangGraphRunMapper(inputMessageID: "msg-1", options: .init(maximumProgressUpdates: 3), makeID: { ids.makeID() })
        let events = mapper.consume(parseEvents(body))
        #expect(events.count == 2 + 3)
        #expect(mapper.droppedProgress)
        #expect(events.last == .update(.status(.working, message: Message(messageId: "id-3", role: .agent, parts: [.text("step 3")], metadata: ["cleveragents/progress": true]))))
    }

    @Test func aSingleTokenIsTheWholeResponse() {
        let body = Self.start + Self.token("all at once") + Self.values(#",{"type":"ai","content":"all at once","id":"ai-1"}"#)
        #expect(Self.map(body) == [.runStarted(runID: "run-1"), workingStatus, responseChunk("id-1", "all at once"), completedStatus])
    }

    @Test func onlyAIMessageTextIsStreamed() {
        let body = Self.start + Self.token("", id: "ai-0") + Self.token("tool says", id: "t-1", type: "ToolMessageChunk")
            + "event: messages\ndata: [{\"type\":\"AIMessageChunk\",\"content\":[{\"type\":\"text\",\"text\":\"He\"},{\"type\":\"image\"}],\"id\":\"ai-1\"},{}]\n\n"
            + Self.token("llo") + "event: messages\ndata: []\n\n" + Self.values("")
        #expect(Self.map(body) == [.runStarted(runID: "run-1"), workingStatus, Self.chunk("He", first: true), Self.chunk("llo", last: true), completedStatus])
    }

    @Test func secondMessageIsSeparatedByABlankLine() {
        let body = Self.start + Self.token("First") + Self.token("Second", id: "ai-2") + Self.values("")
        #expect(Self.map(body) == [.runStarted(runID: "run-1"), workingStatus, Self.chunk("First", first: true), Self.chunk("\n\nSecond", last: true), completedStatus])
    }

    @Test func partialMessagesStreamOnlyWhatIsNewAndCompleteMessagesOnlyWhatWasNotStreamed() {
        func partial(_ text: String, id: String = "ai-1") -> String {
            "event: messages/partial\ndata: [{\"type\":\"ai\",\"content\":\"\(text)\",\"id\":\"\(id)\"}]\n\n"
        }
        let body = Self.start + partial("Hel") + partial("Hello") + partial("Hello") + partial("Rewritten") + partial("Rewritten!")
            + "event: messages/complete\ndata: [{\"type\":\"ai\",\"content\":\"Rewritten!\",\"id\":\"ai-1\"},{\"type\":\"ai\",\"content\":\"Done\",\"id\":\"ai-2\"}]\n\n"
            + Self.values("")
        #expect(
            Self.map(body) == [
                .runStarted(runID: "run-1"), workingStatus, Self.chunk("Hel", first: true), Self.chunk("lo"), Self.chunk("!"), Self.chunk("\n\nDone", last: true),
                completedStatus,
            ]
        )
    }

    @Test func tokensBeforeAnInterruptAreSent() {
        let body = Self.start + Self.token("Let me ask") + "event: updates\ndata: {\"__interrupt__\":[{\"value\":\"ok?\",\"id\":\"int-1\"}]}\n\n"
        #expect(
            Self.map(body) == [
                .runStarted(runID: "run-1"), workingStatus, responseChunk("id-1", "Let me ask"), inputRequired("id-2", interrupts: [("int-1", "ok?")]),
            ]
        )
    }

    @Test func unsentTokensAreDroppedWhenTheRunFailsOrIsCanceledButABegunStreamIsClosed() {
        let unsent = Self.start + Self.token("never sent")
        #expect(Self.map(unsent, runStatus: .interrupted) == [.runStarted(runID: "run-1"), workingStatus, .update(.status(.canceled, message: agentText("id-1", "The run was canceled")))])
        let begun = Self.start + Self.token("sent") + Self.token(" and closed") + "event: error\ndata: {\"error\":\"Boom\",\"message\":\"bad\"}\n\n"
        #expect(
            Self.map(begun, runStatus: .error) == [
                .runStarted(runID: "run-1"), workingStatus, Self.chunk("sent", first: true), Self.chunk(" and closed", last: true),
                .update(.status(.failed, message: agentText("id-2", "The graph failed: Boom: bad"))),
            ]
        )
    }

    @Test func aDirectiveReplacesTheStreamedText() {
        let body = Self.start + Self.token("draft") + Self.values("", extra: #","a2a":{"message":"the real answer"}"#)
        #expect(Self.map(body) == [.runStarted(runID: "run-1"), workingStatus, .reply(agentText("id-1", "the real answer"))])
        let streamed = Self.start + Self.token("draft") + "event: custom\ndata: {\"a2a\":{\"message\":\"direct\"}}\n\n"
        #expect(Self.map(streamed) == [.runStarted(runID: "run-1"), workingStatus, .reply(agentText("id-1", "direct"))])
        let terminal = Self.start + Self.token("draft") + Self.token(" more") + "event: custom\ndata: {\"a2a\":{\"status\":{\"state\":\"rejected\"}}}\n\n"
        #expect(
            Self.map(terminal) == [
                .runStarted(runID: "run-1"), workingStatus, Self.chunk("draft", first: true), Self.chunk(" more", last: true), .update(.status(.rejected, message: nil)),
            ]
        )
    }

    @Test func streamedArtifactsAreTheAnswerRatherThanTheTokens() {
        let body = Self.start + "event: custom\ndata: {\"a2a\":{\"artifact\":{\"artifactId\":\"a\",\"parts\":[{\"text\":\"x\"}]},\"lastChunk\":true}}\n\n"
            + Self.token("the message") + Self.values(#",{"type":"ai","content":"the message","id":"ai-1"}"#)
        #expect(
            Self.map(body) == [
                .runStarted(runID: "run-1"), workingStatus,
                .update(.artifact(Artifact(artifactId: "a", parts: [.text("x")]), append: false, lastChunk: true)), completedStatus,
            ]
        )
    }

    @Test func threadValuesStandInWhenTheStreamCarriedNone() {
        let ids = SequentialIDs()
        var mapper = LangGraphRunMapper(inputMessageID: "msg-1", makeID: { ids.makeID() })
        let values: JSONObject = ["messages": [["type": "human", "content": "hi", "id": "msg-1"], ["type": "ai", "content": "from the thread"]], "count": 2]
        let events = mapper.consume(parseEvents(Self.start)) + mapper.finish(runStatus: .success, pendingInterrupts: [], threadValues: values)
        #expect(events == [.runStarted(runID: "run-1"), workingStatus, textArtifact("id-1", name: "response", "from the thread"), stateArtifact("id-2", ["count": 2]), completedStatus])
    }

    @Test func catchUpSendsNoProgressNorChunksButTheWholeOutputAtTheEnd() {
        let body = Self.start + """
            event: custom
            data: {"progress":"one"}

            event: custom
            data: {"a2a":{"status":{"state":"working","message":"busy"}}}

            event: custom
            data: {"a2a":{"artifact":{"artifactId":"a","name":"notes","parts":[{"text":"x"}]}}}

            event: custom
            data: {"a2a":{"artifact":{"artifactId":"a","parts":[{"text":"y"}]},"append":true,"lastChunk":true}}

            event: custom
            data: {"a2a":{"artifact":{"artifactId":"b","parts":[{"text":"old"}]}}}

            event: custom
            data: {"a2a":{"artifact":{"artifactId":"b","parts":[{"text":"new"}]}}}

            event: updates
            data: {"node":{"x":1}}


            """ + Self.values("", extra: #","count":1"#)
        #expect(
            Self.map(body, options: .init(catchUp: true)) == [
                .runStarted(runID: "run-1"),
                .update(.artifact(Artifact(artifactId: "a", name: "notes", parts: [.text("x"), .text("y")]), append: false, lastChunk: true)),
                .update(.artifact(Artifact(artifactId: "b", parts: [.text("new")]), append: false, lastChunk: true)),
                stateArtifact("id-1", ["count": 1]),
                completedStatus,
            ]
        )
    }

    @Test func catchUpSendsTheStreamedTextWholeOrNothing() {
        let body = Self.start + Self.token("Hello") + Self.token(" there") + Self.token("Again", id: "ai-2") + Self.values("")
        #expect(Self.map(body, options: .init(catchUp: true)) == [.runStarted(runID: "run-1"), responseChunk("id-1", "Hello there\n\nAgain"), completedStatus])
        #expect(
            Self.map(Self.start + Self.token("Hello"), options: .init(catchUp: true), runStatus: .interrupted) == [
                .runStarted(runID: "run-1"), .update(.status(.canceled, message: agentText("id-1", "The run was canceled"))),
            ]
        )
    }

    @Test func catchUpStillEndsOnATerminalDirective() {
        let body = Self.start + "event: custom\ndata: {\"a2a\":{\"status\":{\"state\":\"failed\",\"message\":\"no\"}}}\n\n"
        #expect(Self.map(body, options: .init(catchUp: true)) == [.runStarted(runID: "run-1"), .update(.status(.failed, message: agentText("id-1", "no")))])
    }
}
