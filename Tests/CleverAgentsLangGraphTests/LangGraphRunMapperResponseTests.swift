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

/// The mapping of final values the recorded graphs do not produce: a conversation whose input
/// message lost its id, and an `a2a` status directive whose message is an A2A message object.
@Suite(.timeLimit(.minutes(2))) struct LangGraphRunMapperResponseTests {
    /// `metadata` and one final `values` event with `values`.
    static func run(_ values: String) -> String {
        """
        event: metadata
        data: {"run_id":"run-1","attempt":1}

        event: values
        data: \(values)


        """
    }

    @Test func withoutTheInputMessageTheResponseIsWhatFollowsTheLastHumanMessage() {
        // The graph rewrote the history: no message has the input's id any more.
        let values = #"""
            {"messages":[
              {"type":"human","content":"first question","id":"h-1"},
              {"type":"ai","content":"first answer","id":"a-1"},
              {"role":"user","content":"second question","id":"h-2"},
              {"role":"assistant","content":[{"type":"text","text":"second "},{"type":"text","text":"answer"}],"id":"a-2"},
              {"type":"ai","content":"","id":"a-3"}
            ]}
            """#.split(separator: "\n").joined()
        let events = mapEvents(parseEvents(Self.run(values)), inputMessageID: "msg-1")
        // Only the turn after the last human (`user`) message answers; empty texts are dropped.
        #expect(events == [.runStarted(runID: "run-1"), workingStatus, textArtifact("id-1", name: "response", "second answer"), completedStatus])
    }

    @Test func aStatusDirectiveMessageObjectBecomesTheStatusMessage() {
        let values = #"""
            {"a2a":{"status":{"state":"input-required","message":{"messageId":"q-1","parts":[{"text":"Which region?"},{"data":{"choices":["eu","us"]}}],"metadata":{"k":"v"}}}}}
            """#
        let events = mapEvents(parseEvents(Self.run(values)), inputMessageID: "msg-1")
        let question = Message(messageId: "q-1", role: .agent, parts: [.text("Which region?"), .data(["choices": ["eu", "us"]])], metadata: ["k": "v"])
        #expect(events == [.runStarted(runID: "run-1"), workingStatus, .update(.status(.inputRequired, message: question))])
    }

    @Test func aStatusDirectiveMessageWithoutAnIdOrPartsIsGivenOneOrLeftOut() {
        let withoutID = #"{"a2a":{"status":{"state":"completed","message":{"parts":[{"text":"done"}]}}}}"#
        #expect(
            mapEvents(parseEvents(Self.run(withoutID)), inputMessageID: "msg-1").last
                == .update(.status(.completed, message: agentText("id-1", "done")))
        )
        // A message without a part that decodes says nothing: the status has none.
        let empty = #"{"a2a":{"status":{"state":"failed","message":{"parts":[{"unknown":1}]}}}}"#
        #expect(mapEvents(parseEvents(Self.run(empty)), inputMessageID: "msg-1").last == .update(.status(.failed, message: nil)))
    }
}
