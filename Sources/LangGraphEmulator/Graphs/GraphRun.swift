//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol

/// What a graph sees while it runs: the state, the answers to its pending interrupts, and the
/// stream it writes to. Used by one run's task only.
final class GraphRun {
    let run: EmulatedRun
    let graph: any EmulatedGraph
    let configuration: EmulatorConfiguration
    /// The state, as the nodes have updated it so far.
    private(set) var values: JSONObject
    /// Answers by interrupt id (`command.resume`).
    let answers: [String: JSONValue]
    /// The interrupts pending before this run.
    let previouslyPending: [EmulatedThread.PendingInterrupt]
    /// Node updates cached from an earlier run of the same superstep.
    private(set) var cachedWrites: [String: JSONObject]
    /// The interrupts raised by this run.
    private(set) var pending: [EmulatedThread.PendingInterrupt] = []
    private var step = 0

    init(
        run: EmulatedRun,
        graph: any EmulatedGraph,
        configuration: EmulatorConfiguration,
        values: JSONObject,
        answers: [String: JSONValue],
        previouslyPending: [EmulatedThread.PendingInterrupt],
        cachedWrites: [String: JSONObject]
    ) {
        self.run = run
        self.graph = graph
        self.configuration = configuration
        self.values = values
        self.answers = answers
        self.previouslyPending = previouslyPending
        self.cachedWrites = cachedWrites
    }

    /// Whether the run was interrupted (it then ends after its current superstep).
    var isInterrupted: Bool { !pending.isEmpty }

    // MARK: Reading the state

    /// The text of the last human message, as the test graphs read it.
    var lastHumanText: String {
        for message in (values["messages"]?.arrayValue ?? []).reversed() where message["type"]?.stringValue == "human" {
            return Self.text(of: message["content"] ?? .null)
        }
        return ""
    }

    /// A number in the state (`delay`, `seconds`), or `fallback`.
    func number(_ key: String, default fallback: Double) -> Double {
        switch values[key] {
        case .number(let value)?: value
        case .string(let text)?: Double(text) ?? fallback
        default: fallback
        }
    }

    static func text(of content: JSONValue) -> String {
        if let text = content.stringValue { return text }
        return (content.arrayValue ?? []).compactMap { block -> String? in
            if let text = block.stringValue { return text }
            if block["type"]?.stringValue == "text" { return block["text"]?.stringValue }
            return nil
        }.joined()
    }

    // MARK: Writing events

    /// Waits the configured step latency: a node's work.
    func work() async throws {
        step += 1
        if configuration.stepLatency > .zero {
            try await Task.sleep(for: configuration.stepLatency)
        } else {
            try Task.checkCancellation()
        }
    }

    func sleep(seconds: Double) async throws {
        guard seconds > 0 else { return try Task.checkCancellation() }
        try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
    }

    /// A `custom` event (`get_stream_writer()`).
    func custom(_ value: JSONValue) {
        if run.wants("custom") { run.publish("custom", value) }
    }

    /// A node finished with `update`: the `messages` events of its new AI messages (unless
    /// `streamed`), its `updates` event, the new state, and its `values` event.
    ///
    /// - Parameter cached: the update is replayed from an earlier run (`__metadata__.cached`).
    func node(_ name: String, _ update: JSONObject, cached: Bool = false, streamed: Set<String> = [], publishValues: Bool = true) {
        var update = update
        let messageModes = run.wants("messages-tuple") || run.wants("messages")
        if var messages = update["messages"]?.arrayValue {
            for index in messages.indices {
                var message = Self.normalize(messages[index])
                if messageModes, message["id"] == .null {
                    message["id"] = .string(Identifiers.uuid4())
                }
                messages[index] = .object(message)
                let id = message["id"]?.stringValue ?? ""
                guard message["type"] == "ai", !streamed.contains(id), !cached else { continue }
                let full = JSONValue.object(message)
                if run.wants("messages-tuple") {
                    run.publish("messages", [full, .object(messageMetadata(node: name))])
                }
                if run.wants("messages") {
                    run.publish("messages/metadata", .object([id: ["metadata": .object(messageMetadata(node: name))]]))
                    run.publish("messages/complete", [full])
                }
            }
            update["messages"] = .array(messages)
        }
        if run.wants("updates") {
            var event: JSONObject = [name: .object(update)]
            if cached { event["__metadata__"] = ["cached": true] }
            run.publish("updates", .object(event))
        }
        apply(update)
        if publishValues { publishCurrentValues() }
    }

    /// Streams `text` from node `node` as chat-model tokens: split on whitespace, the whitespace
    /// kept as tokens, the last chunk marked `chunk_position: "last"`. Returns the message id.
    func tokens(node: String, text: String) async throws -> String {
        let id = "lc_run--" + Identifiers.uuid7()
        let pieces = Self.tokenize(text)
        var sent = ""
        let metadata = messageMetadata(node: node)
        if run.wants("messages") {
            run.publish("messages/metadata", .object([id: ["metadata": .object(metadata)]]))
        }
        for (index, piece) in pieces.enumerated() {
            if index > 0, configuration.tokenLatency > .zero {
                try await Task.sleep(for: configuration.tokenLatency)
            }
            sent += piece
            if run.wants("messages-tuple") {
                var chunk = Self.normalize(["type": "AIMessageChunk", "content": .string(piece), "id": .string(id)])
                chunk["tool_call_chunks"] = []
                chunk["chunk_position"] = index == pieces.count - 1 ? "last" : .null
                run.publish("messages", [.object(chunk), .object(metadata)])
            }
            if run.wants("messages") {
                run.publish("messages/partial", [.object(Self.normalize(["type": "ai", "content": .string(sent), "id": .string(id)]))])
            }
        }
        return id
    }

    /// `re.split(r"(\s)", text)`: words and single whitespace characters, in order.
    static func tokenize(_ text: String) -> [String] {
        var pieces: [String] = []
        var word = ""
        for character in text {
            if character.isWhitespace {
                pieces.append(word)
                pieces.append(String(character))
                word = ""
            } else {
                word.append(character)
            }
        }
        pieces.append(word)
        return pieces
    }

    /// The answer to node `node`'s pending interrupt, if this run resumes it.
    func answer(for node: String) -> JSONValue? {
        guard let interrupt = previouslyPending.first(where: { $0.node == node }) else { return nil }
        return answers[interrupt.id]
    }

    /// The update node `node` left in an earlier run of this superstep, if any.
    func cachedWrite(of node: String) -> JSONObject? {
        cachedWrites[node]
    }

    /// Keeps a node's update for the next run of this superstep.
    func cacheWrite(of node: String, _ update: JSONObject) {
        cachedWrites[node] = update
    }

    /// Node `node` calls `interrupt(value)` without an answer: the `updates` event with the
    /// interrupt and the `values` event that lists it. The run ends after this superstep.
    func interrupt(node: String, value: JSONValue) {
        let previous = previouslyPending.first { $0.node == node }
        let interrupt = EmulatedThread.PendingInterrupt(
            node: node,
            id: previous?.id ?? Identifiers.hex32(),
            value: value,
            taskID: previous?.taskID ?? Identifiers.uuid4()
        )
        pending.append(interrupt)
        let entry: JSONValue = ["value": value, "id": .string(interrupt.id), "response_schema": .null]
        if run.wants("updates") {
            run.publish("updates", ["__interrupt__": [entry]])
        }
        if run.wants("values") {
            var state = values
            state["__interrupt__"] = [entry]
            run.publish("values", .object(state))
        }
    }

    func publishCurrentValues() {
        if run.wants("values") { run.publish("values", .object(values)) }
    }

    /// An AI message as a node returns it (`AIMessage(content=…)`).
    static func ai(_ text: String, id: String? = nil) -> JSONValue {
        ["type": "ai", "content": .string(text), "id": id.map { .string($0) } ?? .null]
    }

    // MARK: State

    /// Applies an update (a node's, or the run's input) through the channels of the graph.
    /// Keys the graph does not declare are dropped.
    func apply(_ update: JSONObject) {
        for (key, value) in update {
            guard let channel = graph.channels[key] else { continue }
            switch channel {
            case .lastValue:
                values[key] = value
            case .messages:
                values[key] = .array(Self.addMessages(values[key]?.arrayValue ?? [], value.arrayValue ?? [value]))
            case .list:
                values[key] = .array((values[key]?.arrayValue ?? []) + (value.arrayValue ?? [value]))
            case .dictionary:
                values[key] = .object((values[key]?.objectValue ?? [:]).merging(value.objectValue ?? [:]) { $1 })
            }
        }
    }

    /// Starts the state's aggregate channels empty, as LangGraph shows them in `values`.
    static func initialValues(of graph: any EmulatedGraph) -> JSONObject {
        var values: JSONObject = [:]
        for (key, channel) in graph.channels {
            switch channel {
            case .list: values[key] = []
            case .dictionary: values[key] = [:]
            case .lastValue, .messages: break
            }
        }
        return values
    }

    /// `add_messages`: new messages are appended, a message with a known id replaces it, and
    /// every message gets an id.
    static func addMessages(_ existing: [JSONValue], _ new: [JSONValue]) -> [JSONValue] {
        var merged = existing
        for message in new {
            var message = normalize(message)
            if message["id"] == nil || message["id"] == .null {
                message["id"] = .string(Identifiers.uuid4())
            }
            if let index = merged.firstIndex(where: { $0["id"] == message["id"] }) {
                merged[index] = .object(message)
            } else {
                merged.append(.object(message))
            }
        }
        return merged
    }

    /// A message in LangChain's serialized form (`{"role": "user"}` and the like accepted).
    static func normalize(_ message: JSONValue) -> JSONObject {
        var object = message.objectValue ?? ["content": message]
        var type = object["type"]?.stringValue ?? object["role"]?.stringValue ?? "human"
        switch type {
        case "user": type = "human"
        case "assistant": type = "ai"
        default: break
        }
        object["role"] = nil
        var normalized: JSONObject = [
            "content": object["content"] ?? "",
            "additional_kwargs": object["additional_kwargs"] ?? [:],
            "response_metadata": object["response_metadata"] ?? [:],
            "type": .string(type),
            "name": object["name"] ?? .null,
            "id": object["id"] ?? .null,
        ]
        if type == "ai" || type == "AIMessageChunk" {
            normalized["tool_calls"] = object["tool_calls"] ?? []
            normalized["invalid_tool_calls"] = object["invalid_tool_calls"] ?? []
            normalized["usage_metadata"] = object["usage_metadata"] ?? .null
        }
        return normalized
    }

    /// The metadata LangGraph sends with each message chunk (the fields clients use).
    private func messageMetadata(node: String) -> JSONObject {
        [
            "created_by": "system",
            "run_attempt": 1,
            "graph_id": .string(graph.name),
            "assistant_id": .string(run.assistantID),
            "thread_id": .string(run.threadID),
            "run_id": .string(run.id),
            "langgraph_step": .number(Double(max(step, 1))),
            "langgraph_node": .string(node),
            "langgraph_triggers": [.string("branch:to:\(node)")],
            "langgraph_path": ["__pregel_pull", .string(node)],
            "ls_provider": "emulator",
        ]
    }
}
