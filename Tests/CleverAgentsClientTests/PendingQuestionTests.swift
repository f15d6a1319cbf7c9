//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsClient
import Testing

/// The questions of a task that waits for input, as docs/graph-convention.md lays out the status
/// message (a part per interrupt, `metadata.interrupts = [{id, value}]`), and the reply to them.
@Suite(.timeLimit(.minutes(2))) struct PendingQuestionTests {
    private static func waiting(_ parts: [Part], interrupts: [JSONValue]?) -> A2ATask {
        let message = Message(messageId: "m", role: .agent, parts: parts, metadata: interrupts.map { ["interrupts": .array($0)] })
        return A2ATask(id: "t", contextId: "c", status: TaskStatus(state: .inputRequired, message: message))
    }

    @Test func oneInterruptIsOneQuestionAnsweredWithText() {
        let task = Self.waiting([.text("Approve 'x'?")], interrupts: [["id": "i-1", "value": "Approve 'x'?"]])
        #expect(task.pendingQuestions == [PendingQuestion(interruptID: "i-1", text: "Approve 'x'?")])
        #expect(task.reply(answering: ["yes"]) == .text("yes"), "one question: the text itself resumes it")
    }

    @Test func parallelInterruptsAreQuestionsInTheirOrderAnsweredTogetherByID() {
        let first: JSONValue = ["question": "First approval?", "key": "first"]
        let second: JSONValue = ["level": 2]
        let task = Self.waiting([.data(first), .data(second)], interrupts: [["id": "a", "value": first], ["id": "b", "value": second]])
        #expect(
            task.pendingQuestions == [
                PendingQuestion(interruptID: "a", text: "First approval?"),
                PendingQuestion(interruptID: "b", text: #"{"level":2}"#),
            ],
            "a value's question field, else the value as JSON"
        )
        #expect(task.reply(answering: ["yes", "later"]) == .data(["a": "yes", "b": "later"]))
    }

    @Test func aMessageWithoutInterruptsIsOneQuestionOfItsText() {
        let task = Self.waiting([.text("Which region?"), .data(["question": "and the size?"])], interrupts: nil)
        #expect(task.pendingQuestions == [PendingQuestion(interruptID: nil, text: "Which region?\nand the size?")])
        let done = A2ATask(id: "t", contextId: "c", status: TaskStatus(state: .completed))
        #expect(done.pendingQuestions.isEmpty, "no status message, no question")
    }
}
