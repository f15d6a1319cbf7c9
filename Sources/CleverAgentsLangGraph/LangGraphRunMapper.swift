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

    /// How the mapper behaves.
    struct Options: Sendable, Hashable {
        /// Re-joining a run that another process was streaming (a takeover): the replay starts
        /// at the run's first event, and what that process already reported is unknown. Progress
        /// and artifact chunks are then not sent again; every streamed artifact is sent once,
        /// complete, when the run ends.
        var catchUp = false
        /// Progress status updates (from `updates` and plain `custom` events) sent per run at most;
        /// later ones are dropped.
        var maximumProgressUpdates = 100
        /// The most content the pending interrupts collected across events may hold, in bytes (see
        /// ``interruptsExceeded``).
        var maximumInterruptBytes = Int.max

        init(catchUp: Bool = false, maximumProgressUpdates: Int = 100, maximumInterruptBytes: Int = .max) {
            self.catchUp = catchUp
            self.maximumProgressUpdates = maximumProgressUpdates
            self.maximumInterruptBytes = maximumInterruptBytes
        }
    }

    private let inputMessageID: String?
    private let makeID: () -> String
    private let options: Options
    private(set) var runID: String?
    private var lastValues: JSONObject?
    /// A `values` event came (the run's state after a step).
    var sawValues: Bool { lastValues != nil }
    private var interrupts: [JSONValue] = []
    /// The content of ``interrupts``, as `TaskRecord.contentBytes(of:)` measures it.
    private var interruptBytes = 0
    /// The interrupts collected passed ``Options/maximumInterruptBytes``; no more are collected.
    private(set) var interruptsExceeded = false
    private var failure: String?
    /// Artifacts streamed through `custom` directives, complete as streamed so far; kept in
    /// catch-up only, where they are sent at the end (otherwise each chunk was sent already).
    private var streamedArtifacts: [Artifact] = []
    /// Whether the graph streamed any artifact through a directive.
    private var streamedAnyArtifact = false
    private var tokens: TokenStream
    private var progressSent = 0
    private(set) var replied = false
    private(set) var finished = false

    init(inputMessageID: String?, options: Options = Options(), makeID: @escaping () -> String) {
        self.inputMessageID = inputMessageID
        self.options = options
        self.makeID = makeID
        self.tokens = TokenStream(keepsFullText: options.catchUp)
    }

    /// Whether some progress updates were dropped because of the per-run limit.
    var droppedProgress: Bool { progressSent > options.maximumProgressUpdates }

    /// Maps the events of one read from the stream. Token text is coalesced per read: the tokens
    /// of a read that no other event separates become one artifact chunk.
    mutating func consume(_ events: [ServerSentEvent]) -> [ExecutionEvent] {
        var output: [ExecutionEvent] = []
        for event in events {
            if !Self.carriesOnlyState(event) {
                // Text that came before this event goes out before what it maps to.
                output += flushTokens()
            }
            output += consume(event)
            if finished { return output }
        }
        output += flushTokens()
        return output
    }

    /// Events that never map to anything by themselves: token text and state.
    static func carriesOnlyState(_ event: ServerSentEvent) -> Bool {
        LangGraphStreamEventKind(name: event.event ?? "message").carriesOnlyState
    }

    /// Maps one SSE event. Token text is only collected; ``consume(_:)-([ServerSentEvent])``
    /// and ``finish(runStatus:pendingInterrupts:threadValues:)`` send it.
    mutating func consume(_ event: ServerSentEvent) -> [ExecutionEvent] {
        guard !finished else { return [] }
        let data = Self.decode(event.data)
        switch LangGraphStreamEventKind(name: event.event ?? "message") {
        case .metadata:
            guard runID == nil, let runID = data?["run_id"]?.stringValue else { return [] }
            self.runID = runID
            return options.catchUp ? [.runStarted(runID: runID)] : [.runStarted(runID: runID), .update(.status(.working, message: nil))]
        case .values:
            if let object = data?.objectValue {
                lastValues = object
                collectInterrupts(object["__interrupt__"])
            }
            return []
        case .updates:
            collectInterrupts(data?["__interrupt__"])
            return nodeProgress(data)
        case .custom:
            return custom(data ?? .null)
        case .messageChunk:
            if let chunk = data?.arrayValue?.first { tokens.add(chunk) }
            return []
        case .messagesSoFar:
            for message in data?.arrayValue ?? [] { tokens.add(partial: message) }
            return []
        case .error:
            let type = data?["error"]?.stringValue
            let message = data?["message"]?.stringValue ?? data?["detail"]?.stringValue ?? event.data
            failure = [type, message].compactMap { $0 }.joined(separator: ": ")
            return []
        case .otherMessages, .other:
            return []
        }
    }

    /// The status text of a graph that raised an error: what the tenant's own graph reported as
    /// its result (an `error` event, or `__error__` in its values), cut to 1,000 characters. A
    /// graph server's HTTP error bodies never get here; they go to the log only.
    static func graphFailure(_ text: String) -> String {
        "The graph failed: " + (text.count > 1000 ? text.prefix(1000) + "…" : text)
    }

    /// Maps the end of the run.
    ///
    /// - Parameters:
    ///   - runStatus: the run's status when the stream ended without a result (`interrupted`
    ///     for a canceled run).
    ///   - pendingInterrupts: when known, the thread's pending interrupts after the run
    ///     (`GET /threads/{tid}/state`); they replace those collected from the stream, which can
    ///     miss some.
    ///   - threadValues: the thread's values after the run, used when the stream carried none.
    mutating func finish(runStatus: LangGraphRunStatus? = nil, pendingInterrupts: [JSONValue]? = nil, threadValues: JSONObject? = nil) -> [ExecutionEvent] {
        guard !finished else { return [] }
        finished = true
        if let pendingInterrupts { interrupts = pendingInterrupts }
        if replied { return [] }
        if let failure {
            return endTokens(keepingUnsent: false) + [.update(.status(.failed, message: agentMessage(text: Self.graphFailure(failure))))]
        }
        if !interrupts.isEmpty {
            return endTokens(keepingUnsent: true) + completeArtifacts() + [.update(.status(.inputRequired, message: interruptMessage()))]
        }
        if runStatus == .interrupted {
            return endTokens(keepingUnsent: false) + [.update(.status(.canceled, message: agentMessage(text: "The run was canceled")))]
        }
        if let runStatus, runStatus.isFailure {
            return endTokens(keepingUnsent: false)
                + [.update(.status(.failed, message: agentMessage(text: "The graph run ended with status \(runStatus.rawValue)")))]
        }
        guard let values = lastValues ?? threadValues else {
            return endTokens(keepingUnsent: false) + [.update(.status(.failed, message: agentMessage(text: "The graph run ended without output")))]
        }
        if let error = values["__error__"]?.objectValue {
            let text = [error["error"]?.stringValue, error["message"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
            return endTokens(keepingUnsent: false) + [.update(.status(.failed, message: agentMessage(text: Self.graphFailure(text))))]
        }
        if let directive = values["a2a"]?.objectValue {
            return endTokens(keepingUnsent: false) + completeArtifacts() + finalDirective(directive)
        }
        var events = completeArtifacts()
        if streamedAnyArtifact {
            // The graph streamed its output as artifacts: those are the answer.
            events += endTokens(keepingUnsent: false)
        } else if tokens.hasText {
            // The streamed text is the response: close it rather than send the messages again.
            events += endTokens(keepingUnsent: true)
        } else if let response = responseArtifact(from: values) {
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
    ///
    /// The interrupts pending at once fit in one event (a step's `values` lists them all), so
    /// more than ``Options/maximumInterruptBytes`` of them is a graph server feeding the mapper
    /// without end: it stops collecting and sets ``interruptsExceeded``.
    private mutating func collectInterrupts(_ list: JSONValue?) {
        for interrupt in list?.arrayValue ?? [] where !interruptsExceeded {
            let bytes = TaskRecord.contentBytes(of: interrupt)
            let index = interrupt["id"].flatMap { id in interrupts.firstIndex(where: { $0["id"] == id }) }
            let replaced = index.map { TaskRecord.contentBytes(of: interrupts[$0]) } ?? 0
            guard interruptBytes - replaced + bytes <= options.maximumInterruptBytes else {
                interruptsExceeded = true
                return
            }
            interruptBytes += bytes - replaced
            if let index {
                interrupts[index] = interrupt
            } else {
                interrupts.append(interrupt)
            }
        }
    }

    // MARK: Progress

    /// One progress status per node that finished (`updates` `{node: update}`), except the
    /// replayed writes of nodes that ran before (`__metadata__.cached`) and LangGraph's own keys.
    private mutating func nodeProgress(_ data: JSONValue?) -> [ExecutionEvent] {
        guard let update = data?.objectValue, update["__metadata__"]?["cached"]?.boolValue != true else { return [] }
        return update.keys.filter { !$0.hasPrefix("__") }.sorted().flatMap { node in
            progress(parts: [.data(["node": .string(node)])])
        }
    }

    private mutating func progress(parts: [Part]) -> [ExecutionEvent] {
        guard !options.catchUp else { return [] }
        progressSent += 1
        guard progressSent <= options.maximumProgressUpdates else { return [] }
        let message = Message(messageId: makeID(), role: .agent, parts: parts, metadata: [Self.progressMetadataKey: true])
        return [.update(.status(.working, message: message))]
    }

    // MARK: Custom events

    private mutating func custom(_ value: JSONValue) -> [ExecutionEvent] {
        guard let directive = value["a2a"]?.objectValue else {
            return progress(parts: [value.stringValue.map { .text($0) } ?? .data(value)])
        }
        if let artifactValue = directive["artifact"], var artifact = Self.decodeArtifact(artifactValue) {
            if artifact.artifactId.isEmpty { artifact.artifactId = makeID() }
            let append = directive["append"]?.boolValue ?? false
            let lastChunk = directive["lastChunk"]?.boolValue ?? directive["last_chunk"]?.boolValue ?? false
            recordStreamed(artifact, append: append)
            return options.catchUp ? [] : [.update(.artifact(artifact, append: append, lastChunk: lastChunk))]
        }
        if let message = directive["message"], let reply = replyMessage(message) {
            replied = true
            finished = true
            return endTokens(keepingUnsent: false) + completeArtifacts() + [.reply(reply)]
        }
        if let status = directive["status"]?.objectValue {
            let state = status["state"]?.stringValue.flatMap(Self.parseState) ?? .working
            guard state.isTerminal || state.isInterrupted else {
                return options.catchUp ? [] : [.update(.status(state, message: status["message"].flatMap(statusMessage)))]
            }
            let message = status["message"].flatMap(statusMessage)
            finished = true
            return endTokens(keepingUnsent: state == .inputRequired) + completeArtifacts() + [.update(.status(state, message: message))]
        }
        return []
    }

    /// Keeps the artifact as streamed so far, so that a catch-up can send it whole.
    private mutating func recordStreamed(_ artifact: Artifact, append: Bool) {
        streamedAnyArtifact = true
        guard options.catchUp else { return }
        guard let index = streamedArtifacts.firstIndex(where: { $0.artifactId == artifact.artifactId }) else {
            streamedArtifacts.append(artifact)
            return
        }
        if append {
            streamedArtifacts[index].parts += artifact.parts
            if let name = artifact.name { streamedArtifacts[index].name = name }
        } else {
            streamedArtifacts[index] = artifact
        }
    }

    /// In catch-up, the streamed artifacts, each whole; otherwise nothing (they were sent).
    private func completeArtifacts() -> [ExecutionEvent] {
        guard options.catchUp else { return [] }
        return streamedArtifacts.map { .update(.artifact($0, append: false, lastChunk: true)) }
    }

    // MARK: Tokens

    /// The token text collected since the last chunk, as a chunk (keeping the last token back,
    /// so that the run's end has something to close the artifact with).
    private mutating func flushTokens() -> [ExecutionEvent] {
        guard !options.catchUp, let text = tokens.takeUnsent() else { return [] }
        return [tokenChunk(text, lastChunk: false)]
    }

    /// The end of the token stream. When the run's output is the streamed text (it completed, or
    /// asks for input), the rest of the text goes out with `lastChunk`; in catch-up, the whole text
    /// at once. Otherwise (a directive takes over, the run failed or was canceled) a stream that has
    /// begun is closed with what is left, and text never sent is dropped.
    private mutating func endTokens(keepingUnsent: Bool) -> [ExecutionEvent] {
        if options.catchUp {
            let text = tokens.fullText
            tokens.close()
            return keepingUnsent && !text.isEmpty ? [tokenChunk(text, lastChunk: true, whole: true)] : []
        }
        guard keepingUnsent || tokens.artifactID != nil else {
            tokens.close()
            return []
        }
        guard let text = tokens.takeRest() else { return [] }
        return [tokenChunk(text, lastChunk: true)]
    }

    private mutating func tokenChunk(_ text: String, lastChunk: Bool, whole: Bool = false) -> ExecutionEvent {
        let first = tokens.artifactID == nil
        let id = tokens.artifactID ?? makeID()
        tokens.artifactID = id
        let append = !(first || whole)
        let artifact = Artifact(artifactId: id, name: append ? nil : "response", parts: [.text(text)])
        return .update(.artifact(artifact, append: append, lastChunk: lastChunk))
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

    /// The stream mode an event's name gives: `updates` of `updates|parent:<task>` (a subgraph's).
    static func streamMode(of name: String) -> Substring {
        name.utf8.firstIndex(of: UInt8(ascii: "|")).map { name[..<$0] } ?? name[...]
    }

    static func decode(_ data: String) -> JSONValue? {
        try? JSONValue(parsing: data)
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
