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

/// The mapping of streams recorded from the real LangGraph server (`Transcripts/*.sse`), fed
/// whole and in small chunks.
@Suite(.timeLimit(.minutes(2))) struct LangGraphRunMapperTests {
    /// Chunk sizes that split lines, CRLF pairs and UTF-8 sequences at every kind of place.
    static let chunkSizes = [1, 2, 3, 7, 64]

    /// Maps `transcript` whole and in chunks, and expects `expected` each time.
    func expectMapping(
        _ transcript: Transcript,
        inputMessageID: String?,
        runStatus: LangGraphRunStatus? = .success,
        pendingInterrupts: [JSONValue]? = nil,
        _ expected: [ExecutionEvent],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let whole = mapEvents(transcript.events(), inputMessageID: inputMessageID, runStatus: runStatus, pendingInterrupts: pendingInterrupts)
        #expect(whole == expected, "\(transcript.name).sse whole", sourceLocation: sourceLocation)
        for size in Self.chunkSizes {
            let chunked = mapEvents(
                transcript.events(chunkSize: size),
                inputMessageID: inputMessageID,
                runStatus: runStatus,
                pendingInterrupts: pendingInterrupts
            )
            #expect(chunked == expected, "\(transcript.name).sse in chunks of \(size) bytes", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: [
        "echo", "echo-boom", "steps", "chunks", "tokens", "tokens-messages", "ask", "ask-resume", "ask-two", "ask-two-partial-resume",
        "ask-two-final-resume", "directive-message", "directive-rejected", "directive-artifacts", "slow-canceled",
    ])
    func transcriptsAreRawServerBytes(name: String) throws {
        let transcript = try Transcript(name)
        // Byte-exact: the server's CRLF line endings, and an id on every event (resumable runs).
        #expect(transcript.bytes.count > 0)
        #expect(!transcript.text.contains(try Regex("[^\r]\n")), "a bare LF: line endings were rewritten")
        let events = transcript.events()
        #expect(events.first?.event == "metadata")
        #expect(events.allSatisfy { $0.id != nil })
        for size in Self.chunkSizes {
            #expect(transcript.events(chunkSize: size) == events, "chunks of \(size) bytes")
        }
    }

    @Test func echoAnswersWithItsMessageAsTheStreamedResponse() throws {
        let transcript = try Transcript("echo")
        #expect(transcript.events().map(\.event) == ["metadata", "values", "messages", "updates", "values"])
        expectMapping(
            transcript,
            inputMessageID: "msg-echo",
            [.runStarted(runID: try transcript.runID()), workingStatus, nodeProgress("id-1", "echo"), responseChunk("id-2", "echo: hello"), completedStatus]
        )
    }

    @Test func graphErrorFailsTheTask() throws {
        let transcript = try Transcript("echo-boom")
        expectMapping(
            transcript,
            inputMessageID: "msg-boom",
            runStatus: .error,
            [
                .runStarted(runID: try transcript.runID()), workingStatus,
                .update(.status(.failed, message: agentText("id-1", "The graph failed: ValueError: boom requested"))),
            ]
        )
    }

    @Test func customEventsAndNodesBecomeProgressInOrderAndTheRestOfTheStateADataArtifact() throws {
        let transcript = try Transcript("steps")
        expectMapping(
            transcript,
            inputMessageID: "msg-steps",
            [
                .runStarted(runID: try transcript.runID()), workingStatus,
                progress("id-1", ["progress": "one"]), nodeProgress("id-2", "one"),
                progress("id-3", ["progress": "two"]), nodeProgress("id-4", "two"),
                progress("id-5", ["progress": "three"]), nodeProgress("id-6", "three"),
                responseChunk("id-7", "done: one,two,three"),
                stateArtifact("id-8", ["steps": ["one", "two", "three"]]),
                completedStatus,
            ]
        )
    }

    @Test func artifactChunksStreamAsEmittedAndReplaceTheResponseArtifact() throws {
        let transcript = try Transcript("chunks")
        expectMapping(
            transcript,
            inputMessageID: "msg-chunks",
            [
                .runStarted(runID: try transcript.runID()), workingStatus,
                .update(.artifact(Artifact(artifactId: "reply", name: "reply", parts: [.text("hello ")]), append: false, lastChunk: false)),
                .update(.artifact(Artifact(artifactId: "reply", parts: [.text("streaming ")]), append: true, lastChunk: false)),
                .update(.artifact(Artifact(artifactId: "reply", parts: [.text("world")]), append: true, lastChunk: true)),
                nodeProgress("id-1", "chunks"),
                completedStatus,
            ]
        )
    }

    /// Each event is its own read here, so each token is its own chunk, one read late: the last
    /// token is held back to close the artifact when the run ends.
    static func tokenChunks(_ tokens: [String], progress: ExecutionEvent? = nil) -> [ExecutionEvent] {
        var events: [ExecutionEvent] = tokens.dropLast().enumerated().map { index, token in
            .update(.artifact(Artifact(artifactId: "id-1", name: index == 0 ? "response" : nil, parts: [.text(token)]), append: index > 0, lastChunk: false))
        }
        if let progress { events.append(progress) }
        events.append(.update(.artifact(Artifact(artifactId: "id-1", parts: [.text(tokens.last ?? "")]), append: true, lastChunk: true)))
        return events
    }

    static let lifeTokens = ["Streaming", " ", "the", " ", "answer", " ", "to", " ", "life"]

    @Test func messageTupleTokensStreamAsChunksOfTheResponseArtifact() throws {
        let transcript = try Transcript("tokens")
        #expect(transcript.events().filter { $0.event == "messages" }.count == Self.lifeTokens.count)
        expectMapping(
            transcript,
            inputMessageID: "msg-tokens",
            [.runStarted(runID: try transcript.runID()), workingStatus] + Self.tokenChunks(Self.lifeTokens, progress: nodeProgress("id-2", "tokens"))
                + [completedStatus]
        )
    }

    @Test func partialMessagesStreamTheirNewTextAsChunks() throws {
        let transcript = try Transcript("tokens-messages")
        #expect(transcript.events().contains { $0.event == "messages/partial" })
        expectMapping(
            transcript,
            inputMessageID: "msg-tokens",
            [.runStarted(runID: try transcript.runID()), workingStatus] + Self.tokenChunks(Self.lifeTokens) + [completedStatus]
        )
    }

    @Test func tokensOfOneReadAreOneChunk() throws {
        let transcript = try Transcript("tokens")
        let ids = SequentialIDs()
        var mapper = LangGraphRunMapper(inputMessageID: "msg-tokens", makeID: { ids.makeID() })
        let events = mapper.consume(transcript.events()) + mapper.finish(runStatus: .success)
        #expect(
            events == [
                .runStarted(runID: try transcript.runID()), workingStatus,
                .update(.artifact(Artifact(artifactId: "id-1", name: "response", parts: [.text("Streaming the answer to ")]), append: false, lastChunk: false)),
                nodeProgress("id-2", "tokens"),
                .update(.artifact(Artifact(artifactId: "id-1", parts: [.text("life")]), append: true, lastChunk: true)),
                completedStatus,
            ]
        )
    }

    @Test func interruptRequiresInputWithTheQuestionAndItsID() throws {
        let transcript = try Transcript("ask")
        expectMapping(
            transcript,
            inputMessageID: "msg-ask",
            [
                .runStarted(runID: try transcript.runID()), workingStatus,
                inputRequired("id-1", interrupts: [(try transcript.interruptID(), ["question": "Approve 'deploy'?"])]),
            ]
        )
    }

    @Test func resumedRunAnswersWithTheNewAIMessageOnly() throws {
        let transcript = try Transcript("ask-resume")
        // The resuming message is not in the thread: the response starts after the last human message.
        expectMapping(
            transcript,
            inputMessageID: "msg-answer",
            [.runStarted(runID: try transcript.runID()), workingStatus, nodeProgress("id-1", "ask"), responseChunk("id-2", "deploy -> yes"), completedStatus]
        )
    }

    @Test func twoPendingInterruptsAreBothRequired() throws {
        let transcript = try Transcript("ask-two")
        // The final `values` event lists only the second interrupt; both come from the stream.
        expectMapping(
            transcript,
            inputMessageID: "msg-ask-two",
            [
                .runStarted(runID: try transcript.runID()), workingStatus,
                inputRequired(
                    "id-1",
                    interrupts: [
                        (try transcript.interruptID(key: "first"), ["question": "First approval for 'release'?", "key": "first"]),
                        (try transcript.interruptID(key: "second"), ["question": "Second approval for 'release'?", "key": "second"]),
                    ]
                ),
            ]
        )
    }

    @Test func partialResumeLeavesTheOtherInterruptRequired() throws {
        let transcript = try Transcript("ask-two-partial-resume")
        let second = try Transcript("ask-two").interruptID(key: "second")
        let expected: [ExecutionEvent] = [
            .runStarted(runID: try transcript.runID()), workingStatus, nodeProgress("id-1", "ask_first"),
            inputRequired("id-2", interrupts: [(second, ["question": "Second approval for 'release'?", "key": "second"])]),
        ]
        // The final `values` event has no `__interrupt__`: the pending one is the replayed `updates`.
        expectMapping(transcript, inputMessageID: "msg-answer-1", expected)
        // The thread's pending interrupts (read by the executor) give the same answer.
        expectMapping(
            transcript,
            inputMessageID: "msg-answer-1",
            pendingInterrupts: [["id": .string(second), "value": ["question": "Second approval for 'release'?", "key": "second"]]],
            expected
        )
    }

    @Test func finalResumeCompletesIgnoringTheReplayedCachedUpdate() throws {
        let transcript = try Transcript("ask-two-final-resume")
        #expect(transcript.text.contains(#""__metadata__":{"cached":true}"#))
        expectMapping(
            transcript,
            inputMessageID: "msg-answer-2",
            pendingInterrupts: [],
            [
                .runStarted(runID: try transcript.runID()), workingStatus,
                nodeProgress("id-1", "ask_second"), nodeProgress("id-2", "join"),
                responseChunk("id-3", "release -> first=yes, second=ok"),
                stateArtifact("id-4", ["answers": ["first": "yes", "second": "ok"]]),
                completedStatus,
            ]
        )
    }

    @Test func messageDirectiveRepliesInsteadOfATask() throws {
        let transcript = try Transcript("directive-message")
        expectMapping(
            transcript,
            inputMessageID: "msg-directive",
            [
                .runStarted(runID: try transcript.runID()), workingStatus,
                .update(.status(.working, message: agentText("id-1", "directing hi"))),
                nodeProgress("id-2", "directive"),
                .reply(Message(messageId: "reply-1", role: .agent, parts: [.text("a direct reply")])),
            ]
        )
    }

    @Test func statusDirectiveSetsTheFinalState() throws {
        let transcript = try Transcript("directive-rejected")
        expectMapping(
            transcript,
            inputMessageID: "msg-directive",
            [
                .runStarted(runID: try transcript.runID()), workingStatus,
                .update(.status(.working, message: agentText("id-1", "directing hi"))),
                nodeProgress("id-2", "directive"),
                .update(.status(.rejected, message: agentText("id-3", "not allowed"))),
            ]
        )
    }

    @Test func artifactsDirectiveReplacesTheDefaultOutput() throws {
        let transcript = try Transcript("directive-artifacts")
        expectMapping(
            transcript,
            inputMessageID: "msg-directive",
            [
                .runStarted(runID: try transcript.runID()), workingStatus,
                .update(.status(.working, message: agentText("id-1", "directing hi"))),
                nodeProgress("id-2", "directive"),
                .update(.artifact(Artifact(artifactId: "report", name: "report", parts: [.text("line 1")]), append: false, lastChunk: true)),
                .update(.artifact(Artifact(artifactId: "id-3", name: "table", parts: [.data(["rows": 2])]), append: false, lastChunk: true)),
                completedStatus,
            ]
        )
    }

    @Test func canceledRunEndsCanceled() throws {
        let transcript = try Transcript("slow-canceled")
        expectMapping(
            transcript,
            inputMessageID: "msg-slow",
            runStatus: .interrupted,
            [
                .runStarted(runID: try transcript.runID()), workingStatus,
                progress("id-1", ["progress": "slow", "elapsed": 1]),
                .update(.status(.canceled, message: agentText("id-2", "The run was canceled"))),
            ]
        )
    }
}
