//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol

// The test graphs of testing/langgraph/graphs.py, event for event. Keep the two in step: the
// LangGraph contract suite runs the same assertions against both.

/// A resume value as text: strings as they are, other JSON as Python's `json.dumps(sort_keys=True)`.
private func answerText(_ value: JSONValue) -> String {
    value.stringValue ?? JSONWriter.python(value)
}

/// `echo`: answers `echo: <text>`; the text `boom` raises `ValueError("boom requested")`.
struct EchoGraph: EmulatedGraph {
    let name = "echo"
    let channels: [String: StateChannel] = ["messages": .messages]

    func run(_ run: GraphRun) async throws {
        let text = run.lastHumanText
        try await run.work()
        if text == "boom" { throw GraphFailure(type: "ValueError", message: "boom requested") }
        run.node("echo", ["messages": [GraphRun.ai("echo: \(text)")]])
    }
}

/// `steps`: nodes `one`, `two`, `three`, each sleeping `delay` seconds and writing a custom
/// `{"progress": <node>}`; the last answers `done: one,two,three`.
struct StepsGraph: EmulatedGraph {
    let name = "steps"
    let channels: [String: StateChannel] = ["messages": .messages, "delay": .lastValue, "steps": .list]

    func run(_ run: GraphRun) async throws {
        for step in ["one", "two", "three"] {
            try await run.work()
            try await run.sleep(seconds: run.number("delay", default: 0))
            run.custom(["progress": .string(step)])
            var update: JSONObject = ["steps": [.string(step)]]
            if step == "three" {
                let done = (run.values["steps"]?.arrayValue ?? []).compactMap(\.stringValue) + [step]
                update["messages"] = [GraphRun.ai("done: " + done.joined(separator: ","))]
            }
            run.node(step, update)
        }
    }
}

/// `ask`: asks `{"question": "Approve '<text>'?"}`, then answers `<text> -> <answer>`.
struct AskGraph: EmulatedGraph {
    let name = "ask"
    let channels: [String: StateChannel] = ["messages": .messages]

    func run(_ run: GraphRun) async throws {
        let text = run.lastHumanText
        try await run.work()
        guard let answer = run.answer(for: "ask") else {
            run.interrupt(node: "ask", value: ["question": .string("Approve '\(text)'?")])
            return
        }
        run.node("ask", ["messages": [GraphRun.ai("\(text) -> \(answerText(answer))")]])
    }
}

/// `ask_two`: parallel nodes `ask_first` and `ask_second` each ask a question; `join` answers
/// once both are answered.
struct AskTwoGraph: EmulatedGraph {
    let name = "ask_two"
    let channels: [String: StateChannel] = ["messages": .messages, "answers": .dictionary]

    func run(_ run: GraphRun) async throws {
        let text = run.lastHumanText
        try await run.work()
        var updates: [JSONObject] = []
        let askers = [("ask_first", "first", "First approval for '\(text)'?"), ("ask_second", "second", "Second approval for '\(text)'?")]
        for (node, key, question) in askers {
            if let cached = run.cachedWrite(of: node) {
                run.node(node, cached, cached: true, publishValues: false)
                updates.append(cached)
            } else if let answer = run.answer(for: node) {
                let update: JSONObject = ["answers": [key: .string(answerText(answer))]]
                if run.wants("updates") { run.run.publish("updates", [node: .object(update)]) }
                // Kept until the superstep completes: a later run replays it as cached.
                run.cacheWrite(of: node, update)
                updates.append(update)
            } else {
                run.interrupt(node: node, value: ["question": .string(question), "key": .string(key)])
            }
        }
        guard !run.isInterrupted else { return }
        for update in updates {
            run.apply(update)
        }
        run.publishCurrentValues()
        try await run.work()
        let answers = run.values["answers"]?.objectValue ?? [:]
        let reply = "\(text) -> first=\(answers["first"]?.stringValue ?? ""), second=\(answers["second"]?.stringValue ?? "")"
        run.node("join", ["messages": [GraphRun.ai(reply)]])
    }
}

extension GraphRun {
    func wants(_ mode: String) -> Bool { run.wants(mode) }
}

/// `chunks`: streams `hello `, `streaming `, `world` as custom A2A artifact chunks.
struct ChunksGraph: EmulatedGraph {
    let name = "chunks"
    let channels: [String: StateChannel] = ["messages": .messages]
    static let pieces = ["hello ", "streaming ", "world"]

    func run(_ run: GraphRun) async throws {
        try await run.work()
        for (index, piece) in Self.pieces.enumerated() {
            var artifact: JSONObject = ["artifactId": "reply", "parts": [["text": .string(piece)]]]
            if index == 0 { artifact["name"] = "reply" }
            run.custom(["a2a": ["artifact": .object(artifact), "append": .bool(index > 0), "lastChunk": .bool(index == Self.pieces.count - 1)]])
        }
        run.node("chunks", ["messages": [GraphRun.ai(Self.pieces.joined())]])
    }
}

/// `slow`: runs `seconds` (default 10) in 0.1 s steps, writing `{"progress": "slow", "elapsed": n}`
/// every second.
struct SlowGraph: EmulatedGraph {
    let name = "slow"
    let channels: [String: StateChannel] = ["messages": .messages, "seconds": .lastValue]

    func run(_ run: GraphRun) async throws {
        try await run.work()
        let ticks = max(0, Int((run.number("seconds", default: 10) * 10).rounded()))
        for tick in stride(from: 1, through: ticks, by: 1) {
            try await Task.sleep(for: .milliseconds(100))
            if tick % 10 == 0 {
                run.custom(["progress": "slow", "elapsed": .number(Double(tick / 10))])
            }
        }
        run.node("slow", ["messages": [GraphRun.ai("slow done")]])
    }
}

/// `directive`: writes a working status directive, then returns the input `directive` as `a2a`.
struct DirectiveGraph: EmulatedGraph {
    let name = "directive"
    let channels: [String: StateChannel] = ["messages": .messages, "directive": .lastValue, "a2a": .lastValue]

    func run(_ run: GraphRun) async throws {
        let text = run.lastHumanText
        try await run.work()
        run.custom(["a2a": ["status": ["state": "working", "message": .string("directing \(text)")]]])
        run.node("directive", ["a2a": run.values["directive"] ?? [:], "messages": [GraphRun.ai("directive: \(text)")]])
    }
}

/// `tokens`: a chat model without an LLM streams `Streaming the answer to <text>` token by token.
struct TokensGraph: EmulatedGraph {
    let name = "tokens"
    let channels: [String: StateChannel] = ["messages": .messages]

    func run(_ run: GraphRun) async throws {
        let text = "Streaming the answer to \(run.lastHumanText)"
        try await run.work()
        let id = try await run.tokens(node: "tokens", text: text)
        run.node("tokens", ["messages": [GraphRun.ai(text, id: id)]], streamed: [id])
    }
}
