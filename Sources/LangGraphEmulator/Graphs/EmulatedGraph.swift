//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol

/// A graph the emulator runs: a Swift rendering of one of the test graphs of
/// `testing/langgraph/graphs.py`, producing the same stream events.
///
/// Simplification: a resumed run executes the graph from the start, with the answers of its
/// pending interrupts at hand. The test graphs interrupt in their first superstep, where this is
/// what LangGraph does too (the interrupted nodes run again).
protocol EmulatedGraph: Sendable {
    /// The graph id (`assistant_id`).
    var name: String { get }
    /// The state's channels: keys a graph does not declare are dropped from its input.
    var channels: [String: StateChannel] { get }
    /// Runs the graph on `run`'s state.
    func run(_ run: GraphRun) async throws
}

/// How a state key combines updates.
enum StateChannel: Sendable {
    /// The last value wins.
    case lastValue
    /// LangChain messages, merged by id (`add_messages`).
    case messages
    /// A list, extended (`operator.add`); starts empty.
    case list
    /// An object, merged key by key; starts empty.
    case dictionary
}

/// A graph that failed: the `error` event and the `__error__` of `/runs/wait`.
struct GraphFailure: Error {
    var type: String
    var message: String
}

/// The graphs the emulator knows, by graph id.
enum EmulatedGraphs {
    static let all: [String: any EmulatedGraph] = {
        let graphs: [any EmulatedGraph] = [
            EchoGraph(), StepsGraph(), AskGraph(), AskTwoGraph(), ChunksGraph(), SlowGraph(), DirectiveGraph(), TokensGraph(),
        ]
        return Dictionary(uniqueKeysWithValues: graphs.map { ($0.name, $0) })
    }()

    /// The graph an `assistant_id` names: a graph id, or its default assistant's UUID.
    static func graph(forAssistant assistantID: String) -> (any EmulatedGraph)? {
        if let graph = all[assistantID] { return graph }
        return all.values.first { Identifiers.uuid5(namespace: Identifiers.assistantNamespace, name: $0.name) == assistantID.lowercased() }
    }

    /// The names, in the order of `testing/langgraph/langgraph.json`.
    static let names = ["echo", "steps", "ask", "ask_two", "chunks", "slow", "directive", "tokens"]
}
