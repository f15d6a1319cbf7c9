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
import Foundation
import Synchronization
import Testing

@testable import CleverAgentsLangGraph

/// A raw SSE body recorded from the real LangGraph server by `Transcripts/record.sh`.
struct Transcript {
    let name: String
    let bytes: [UInt8]

    init(_ name: String) throws {
        let url = try #require(
            Bundle.module.url(forResource: name, withExtension: "sse", subdirectory: "Transcripts"),
            "Transcripts/\(name).sse is missing; record it with Transcripts/record.sh"
        )
        self.name = name
        self.bytes = Array(try Data(contentsOf: url))
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The events of the body, fed to the parser whole or in chunks of `chunkSize` bytes.
    func events(chunkSize: Int? = nil) -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        var start = 0
        let size = chunkSize ?? bytes.count
        while start < bytes.count {
            let end = min(start + size, bytes.count)
            events += parser.consume(bytes[start..<end])
            start = end
        }
        return events + parser.finish()
    }

    /// The run id the server announced, read from the raw text (not through the mapper).
    func runID() throws -> String {
        try firstCapture(#""run_id":"([^"]+)""#)
    }

    /// The id of the interrupt whose value has `"key": key` (ask_two), or of the first interrupt.
    func interruptID(key: String? = nil) throws -> String {
        if let key {
            return try firstCapture(#""key":"\#(key)"\},"id":"([0-9a-f]+)""#)
        }
        return try firstCapture(#""__interrupt__":\[\{"value":\{[^}]*\},"id":"([0-9a-f]+)""#)
    }

    private func firstCapture(_ pattern: String) throws -> String {
        let regex = try Regex(pattern)
        let match = try #require(text.firstMatch(of: regex), "\(pattern) not found in \(name).sse")
        return try #require(match.output[1].substring.map(String.init))
    }
}

/// Deterministic ids: `id-1`, `id-2`, …
final class SequentialIDs: IdentifierGenerator {
    private let counter = Mutex(0)

    func makeID() -> String {
        let next = counter.withLock { value in
            value += 1
            return value
        }
        return "id-\(next)"
    }
}

/// Maps events as `LangGraphExecutor` does: consume until the mapper finishes, then finish
/// with the run's status and, when given, the thread's pending interrupts.
func mapEvents(
    _ events: [ServerSentEvent],
    inputMessageID: String?,
    runStatus: LangGraphRunStatus? = .success,
    pendingInterrupts: [JSONValue]? = nil
) -> [ExecutionEvent] {
    let ids = SequentialIDs()
    var mapper = LangGraphRunMapper(inputMessageID: inputMessageID, makeID: { ids.makeID() })
    var output: [ExecutionEvent] = []
    // One read per event: token text is flushed after each.
    for event in events {
        output += mapper.consume([event])
        if mapper.finished { break }
    }
    output += mapper.finish(runStatus: runStatus, pendingInterrupts: pendingInterrupts)
    return output
}

/// Parses a hand-written SSE body (`\n` line endings are fine).
func parseEvents(_ body: String) -> [ServerSentEvent] {
    var parser = ServerSentEventParser()
    return parser.consume(Array(body.utf8)) + parser.finish()
}

/// An agent message with one text part.
func agentText(_ id: String, _ text: String) -> Message {
    Message(messageId: id, role: .agent, parts: [.text(text)])
}

/// A progress status message, as the mapper makes it for a non-`a2a` custom event.
func progress(_ id: String, _ value: JSONValue) -> ExecutionEvent {
    .update(.status(.working, message: Message(messageId: id, role: .agent, parts: [.data(value)], metadata: ["cleveragents/progress": true])))
}

/// An `input-required` status listing interrupts as `(id, value)` pairs.
func inputRequired(_ id: String, interrupts: [(id: String, value: JSONValue)]) -> ExecutionEvent {
    let message = Message(
        messageId: id,
        role: .agent,
        parts: interrupts.map { $0.value.stringValue.map { .text($0) } ?? .data($0.value) },
        metadata: ["interrupts": .array(interrupts.map { ["value": $0.value, "id": .string($0.id)] })]
    )
    return .update(.status(.inputRequired, message: message))
}

/// A complete text artifact.
func textArtifact(_ id: String, name: String?, _ texts: String...) -> ExecutionEvent {
    .update(.artifact(Artifact(artifactId: id, name: name, parts: texts.map { .text($0) }), append: false, lastChunk: true))
}

/// The complete "state" data artifact.
func stateArtifact(_ id: String, _ state: JSONObject) -> ExecutionEvent {
    .update(.artifact(Artifact(artifactId: id, name: "state", parts: [.data(.object(state))]), append: false, lastChunk: true))
}

let workingStatus: ExecutionEvent = .update(.status(.working, message: nil))
let completedStatus: ExecutionEvent = .update(.status(.completed, message: nil))
