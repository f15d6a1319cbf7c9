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

/// Turns the server-sent events of one LangGraph run into ``ExecutionEvent``s.
///
/// Pure and synchronous, so the whole mapping (documented in `docs/graph-convention.md`) is
/// tested from recorded streams without a server.
struct LangGraphRunMapper {
    /// Marks progress status messages, which are not kept in the task history.
    static let progressMetadataKey = TaskRecord.progressMetadataKey

    private let inputMessageID: String?
    private let makeID: () -> String
    private(set) var runID: String?
    private var lastValues: JSONObject?
    private var interrupts: [JSONValue] = []
    private var failure: String?
    private var streamedArtifactIDs: Set<String> = []
    private(set) var replied = false
    private(set) var finished = false

    init(inputMessageID: String?, makeID: @escaping () -> String) {
        self.inputMessageID = inputMessageID
        self.makeID = makeID
    }

    /// Maps one SSE event.
    mutating func consume(_ event: ServerSentEvent) -> [ExecutionEvent] {
        guard !finished else { return [] }
        let name = event.event.map { $0.split(separator: "|").first.map(String.init) ?? $0 } ?? "message"
        let data = Self.decode(event.data)
        switch name {
        case "metadata":
            guard runID == nil, let runID = data?["run_id"]?.stringValue else { return [] }
            self.runID = runID
            return [.runStarted(runID: runID), .update(.status(.working, message: nil))]
        case "values":
            if let object = data?.objectValue {
                lastValues = object
                collectInterrupts(object["__interrupt__"])
            }
            return []
        case "updates":
            collectInterrupts(data?["__interrupt__"])
            return []
        case "custom":
            return custom(data ?? .null)
        case "error":
            let type = data?["error"]?.stringValue
            let message = data?["message"]?.stringValue ?? event.data
            failure = [type, message].compactMap { $0 }.joined(separator: ": ")
            return []
        default:
            return []
        }
    }

    /// Maps the end of the run. `runStatus` is the run's status when the stream ended without
    /// a result (`interrupted` for a canceled run). `pendingInterrupts`, when known, are the
    /// thread's pending interrupts after the run (`GET /threads/{tid}/state`); they replace
    /// those collected from the stream, which can miss some.
    mutating func finish(runStatus: String? = nil, pendingInterrupts: [JSONValue]? = nil) -> [ExecutionEvent] {
        guard !finished else { return [] }
        finished = true
        if let pendingInterrupts { interrupts = pendingInterrupts }
        if replied { return [] }
        if let failure {
            return [.update(.status(.failed, message: agentMessage(text: "The graph failed: \(failure)")))]
        }
        if !interrupts.isEmpty {
            return [.update(.status(.inputRequired, message: interruptMessage()))]
        }
        if runStatus == "interrupted" {
            return [.update(.status(.canceled, message: agentMessage(text: "The run was canceled")))]
        }
        if runStatus == "error" || runStatus == "timeout" {
            return [.update(.status(.failed, message: agentMessage(text: "The graph run ended with status \(runStatus ?? "")")))]
        }
        guard let values = lastValues else {
            return [.update(.status(.failed, message: agentMessage(text: "The graph run ended without output")))]
        }
        if let error = values["__error__"]?.objectValue {
            let text = [error["error"]?.stringValue, error["message"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
            return [.update(.status(.failed, message: agentMessage(text: "The graph failed: \(text)")))]
        }
        if let directive = values["a2a"]?.objectValue {
            return finalDirective(directive)
        }
        var events: [ExecutionEvent] = []
        if streamedArtifactIDs.isEmpty, let response = responseArtifact(from: values) {
            events.append(.update(.artifact(response, append: false, lastChunk: true)))
        }
        var rest = values
        for key in ["messages", "a2a", "__interrupt__"] { rest[key] = nil }
        if !rest.isEmpty {
            events.append(.update(.artifact(Artifact(artifactId: makeID(), name: "state", parts: [.data(.object(rest))]), append: false, lastChunk: true)))
        }
        events.append(.update(.status(.completed, message: nil)))
        return events
    }

    /// Adds the interrupts of an `__interrupt__` list. Parallel nodes that interrupt report
    /// one interrupt per event, and the final `values` lists only the last one, so they are
    /// collected across events, once per interrupt id.
    private mutating func collectInterrupts(_ list: JSONValue?) {
        for interrupt in list?.arrayValue ?? [] {
            if let id = interrupt["id"], let index = interrupts.firstIndex(where: { $0["id"] == id }) {
                interrupts[index] = interrupt
            } else {
                interrupts.append(interrupt)
            }
        }
    }

    // MARK: Custom events

    private mutating func custom(_ value: JSONValue) -> [ExecutionEvent] {
        guard let directive = value["a2a"]?.objectValue else {
            let progress = Message(
                messageId: makeID(),
                role: .agent,
                parts: [value.stringValue.map { .text($0) } ?? .data(value)],
                metadata: [Self.progressMetadataKey: true]
            )
            return [.update(.status(.working, message: progress))]
        }
        if let artifactValue = directive["artifact"], var artifact = Self.decodeArtifact(artifactValue) {
            if artifact.artifactId.isEmpty { artifact.artifactId = makeID() }
            streamedArtifactIDs.insert(artifact.artifactId)
            let append = directive["append"]?.boolValue ?? false
            let lastChunk = directive["lastChunk"]?.boolValue ?? directive["last_chunk"]?.boolValue ?? false
            return [.update(.artifact(artifact, append: append, lastChunk: lastChunk))]
        }
        if let message = directive["message"], let reply = replyMessage(message) {
            replied = true
            finished = true
            return [.reply(reply)]
        }
        if let status = directive["status"]?.objectValue {
            let state = status["state"]?.stringValue.flatMap(Self.parseState) ?? .working
            let message = status["message"].flatMap(statusMessage)
            if state.isTerminal || state.isInterrupted {
                finished = true
            }
            return [.update(.status(state, message: message))]
        }
        return []
    }

    // MARK: Final state

    private mutating func finalDirective(_ directive: JSONObject) -> [ExecutionEvent] {
        if let message = directive["message"], let reply = replyMessage(message) {
            replied = true
            return [.reply(reply)]
        }
        var events: [ExecutionEvent] = []
        for value in directive["artifacts"]?.arrayValue ?? [] {
            guard var artifact = Self.decodeArtifact(value) else { continue }
            if artifact.artifactId.isEmpty { artifact.artifactId = makeID() }
            events.append(.update(.artifact(artifact, append: false, lastChunk: true)))
        }
        let status = directive["status"]?.objectValue
        let state = status?["state"]?.stringValue.flatMap(Self.parseState) ?? .completed
        let message = status?["message"].flatMap(statusMessage)
        events.append(.update(.status(state, message: message)))
        return events
    }

    /// New AI messages after the input message become one text artifact.
    private func responseArtifact(from values: JSONObject) -> Artifact? {
        guard let messages = values["messages"]?.arrayValue else { return nil }
        var start = messages.startIndex
        if let inputMessageID, let index = messages.lastIndex(where: { $0["id"]?.stringValue == inputMessageID }) {
            start = messages.index(after: index)
        } else if let index = messages.lastIndex(where: { Self.messageType($0) == "human" }) {
            start = messages.index(after: index)
        }
        let texts = messages[start...].filter { Self.messageType($0) == "ai" }.compactMap(Self.text(ofMessage:)).filter { !$0.isEmpty }
        guard !texts.isEmpty else { return nil }
        return Artifact(artifactId: makeID(), name: "response", parts: texts.map { .text($0) })
    }

    private func interruptMessage() -> Message {
        var parts: [Part] = []
        var entries: [JSONValue] = []
        for interrupt in interrupts {
            let value = interrupt["value"] ?? interrupt
            if let text = value.stringValue {
                parts.append(.text(text))
            } else {
                parts.append(.data(value))
            }
            var entry: JSONObject = ["value": value]
            if let id = interrupt["id"] { entry["id"] = id }
            entries.append(.object(entry))
        }
        return Message(messageId: makeID(), role: .agent, parts: parts, metadata: ["interrupts": .array(entries)])
    }

    private func replyMessage(_ value: JSONValue) -> Message? {
        if let text = value.stringValue {
            return agentMessage(text: text)
        }
        guard let object = value.objectValue else { return nil }
        let parts = (object["parts"]?.arrayValue ?? []).compactMap(Self.decodePart)
        guard !parts.isEmpty else { return nil }
        return Message(messageId: object["messageId"]?.stringValue ?? makeID(), role: .agent, parts: parts, metadata: object["metadata"]?.objectValue)
    }

    private func statusMessage(_ value: JSONValue) -> Message? {
        if let text = value.stringValue { return agentMessage(text: text) }
        return replyMessage(value)
    }

    private func agentMessage(text: String) -> Message {
        Message(messageId: makeID(), role: .agent, parts: [.text(text)])
    }

    // MARK: Helpers

    static func decode(_ data: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(data.utf8))
    }

    static func decodeArtifact(_ value: JSONValue) -> Artifact? {
        guard var object = value.objectValue else { return nil }
        if object["artifactId"] == nil { object["artifactId"] = "" }
        guard let data = try? JSONEncoder().encode(JSONValue.object(object)) else { return nil }
        return try? JSONDecoder().decode(Artifact.self, from: data)
    }

    static func decodePart(_ value: JSONValue) -> Part? {
        guard let data = try? JSONEncoder().encode(value) else { return nil }
        return try? JSONDecoder().decode(Part.self, from: data)
    }

    static func messageType(_ message: JSONValue) -> String? {
        message["type"]?.stringValue ?? message["role"]?.stringValue.map { $0 == "assistant" ? "ai" : $0 == "user" ? "human" : $0 }
    }

    /// The text of a LangChain message: a string content, or its text blocks joined.
    static func text(ofMessage message: JSONValue) -> String? {
        if let content = message["content"]?.stringValue { return content }
        guard let blocks = message["content"]?.arrayValue else { return nil }
        let texts = blocks.compactMap { block -> String? in
            if let text = block.stringValue { return text }
            if block["type"]?.stringValue == "text" { return block["text"]?.stringValue }
            return nil
        }
        return texts.isEmpty ? nil : texts.joined()
    }

    /// Accepts `completed`, `input-required`, `input_required` and `TASK_STATE_COMPLETED` alike.
    static func parseState(_ name: String) -> TaskState? {
        if let state = TaskState(rawValue: name) { return state }
        let normalized = name.lowercased().replacingOccurrences(of: "_", with: "-")
        return TaskState.allCases.first { state in
            state.rawValue.dropFirst("TASK_STATE_".count).lowercased().replacingOccurrences(of: "_", with: "-") == normalized
        }
    }
}
