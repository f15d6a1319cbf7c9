//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import Foundation
import Testing

@testable import CleverAgentsLangGraph

/// The input convention: A2A message → run `input`, and → `command.resume`.
@Suite(.timeLimit(.minutes(2))) struct LangGraphInputTests {
    static func message(_ parts: Part...) -> Message {
        Message(messageId: "msg-1", role: .user, parts: parts)
    }

    static func human(_ content: JSONValue) -> JSONValue {
        [["type": "human", "content": content, "id": "msg-1"]]
    }

    @Test func textPartsAreJoinedIntoOneHumanMessage() {
        let input = LangGraphInput.runInput(for: Self.message(.text("first line"), .text("second line")))
        #expect(input == ["messages": Self.human("first line\nsecond line")])
    }

    @Test func dataObjectsAreMergedIntoTheInputButNotIntoMessages() {
        let input = LangGraphInput.runInput(
            for: Self.message(
                .data(["delay": 0.5, "directive": ["status": ["state": "rejected"]]]),
                .text("go"),
                .data(["delay": 2, "messages": [["type": "ai", "content": "injected"]]])
            )
        )
        #expect(input == ["delay": 2, "directive": ["status": ["state": "rejected"]], "messages": Self.human("go")])
    }

    @Test func dataOnlyMessageHasNoMessages() {
        let input = LangGraphInput.runInput(for: Self.message(.data(["seconds": 20])))
        #expect(input == ["seconds": 20])
        #expect(LangGraphInput.runInput(for: Self.message()) == [:])
    }

    @Test func nonObjectDataBecomesATextBlock() {
        let input = LangGraphInput.runInput(for: Self.message(.text("numbers:"), .data([1, 2, 3])))
        #expect(input == ["messages": Self.human([["type": "text", "text": "numbers:"], ["type": "text", "text": "[1,2,3]"]])])
    }

    @Test func rawPartsBecomeBase64FileOrImageBlocks() {
        let pdf = Part(.raw(Data("%PDF".utf8)), filename: "a.pdf", mediaType: "application/pdf")
        let png = Part(.raw(Data([0x89, 0x50])), mediaType: "image/png")
        let unknown = Part(.raw(Data([1])))
        let input = LangGraphInput.runInput(for: Self.message(.text("see"), pdf, png, unknown))
        let blocks: JSONValue = [
            ["type": "text", "text": "see"],
            ["type": "file", "mime_type": "application/pdf", "base64": "JVBERg==", "filename": "a.pdf"],
            ["type": "image", "mime_type": "image/png", "base64": "iVA="],
            ["type": "file", "mime_type": "application/octet-stream", "base64": "AQ=="],
        ]
        #expect(input == ["messages": Self.human(blocks)])
    }

    @Test func urlPartsBecomeURLFileOrImageBlocks() {
        let image = Part(.url("https://example.com/cat.jpg"), filename: "cat.jpg", mediaType: "image/jpeg")
        let document = Part(.url("https://example.com/report"), mediaType: "text/html")
        let input = LangGraphInput.runInput(for: Self.message(image, document))
        let blocks: JSONValue = [
            ["type": "image", "mime_type": "image/jpeg", "url": "https://example.com/cat.jpg", "filename": "cat.jpg"],
            ["type": "file", "mime_type": "text/html", "url": "https://example.com/report"],
        ]
        #expect(input == ["messages": Self.human(blocks)])
    }

    @Test func resumeWithTextIsTheText() {
        #expect(LangGraphInput.resumeValue(for: Self.message(.text("yes"))) == "yes")
        #expect(LangGraphInput.resumeValue(for: Self.message(.text("yes"), .text("and more"))) == "yes\nand more")
        #expect(LangGraphInput.resumeValue(for: Self.message()) == "")
    }

    @Test func resumeWithOneDataPartIsItsValue() {
        let answers: JSONValue = ["4702aa7541341c16d4b27406cf59bed2": "ok", "be63063f69039234e82f5bc09a992a4a": "yes"]
        #expect(LangGraphInput.resumeValue(for: Self.message(.text("ignored"), .data(answers))) == answers)
        #expect(LangGraphInput.resumeValue(for: Self.message(.data(["approved": true]))) == ["approved": true])
        #expect(LangGraphInput.resumeValue(for: Self.message(.data(42))) == 42)
    }

    @Test func resumeKeyUnwrapsOnlyWhenAlone() {
        #expect(LangGraphInput.resumeValue(for: Self.message(.data(["resume": ["ok": true]]))) == ["ok": true])
        #expect(LangGraphInput.resumeValue(for: Self.message(.data(["resume": "yes", "note": "x"]))) == ["resume": "yes", "note": "x"])
    }

    @Test func answerToASinglePendingInterruptIsKeyedByItsID() {
        let id = "767054a4e7bd605bb519481397650544"
        #expect(LangGraphInput.resumeValue(for: Self.message(.text("yes")), interruptIDs: [id]) == [id: "yes"])
        #expect(LangGraphInput.resumeValue(for: Self.message(.data(["resume": ["ok": true]])), interruptIDs: [id]) == [id: ["ok": true]])
        // Already keyed by the pending id: sent as it is.
        #expect(LangGraphInput.resumeValue(for: Self.message(.data([id: "go"])), interruptIDs: [id]) == [id: "go"])
    }

    @Test func answersKeyedByPendingIDsAreSentAsTheyAre() {
        let first = "be63063f69039234e82f5bc09a992a4a"
        let second = "4702aa7541341c16d4b27406cf59bed2"
        let answers: JSONValue = [first: "yes", second: ["approved": true]]
        #expect(LangGraphInput.resumeValue(for: Self.message(.data(answers)), interruptIDs: [first, second]) == answers)
        // Keys that are not pending ids make the object an ordinary answer.
        #expect(LangGraphInput.resumeValue(for: Self.message(.data(["other": 1])), interruptIDs: [first, second]) == ["other": 1])
    }

    @Test func resumeWithSeveralDataPartsFallsBackToText() {
        let message = Self.message(.data(["a": 1]), .text("the answer"), .data(["b": 2]))
        #expect(LangGraphInput.resumeValue(for: message) == "the answer")
    }
}
