//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// The stream modes LangGraph knows (`stream_mode` of a run request); a run request naming any
/// other is refused with 422.
package enum LangGraphStreamMode: String, Sendable, CaseIterable {
    case values, updates, custom, messages, events, debug, tasks, checkpoints
    case messagesTuple = "messages-tuple"
}

/// What an event of a run's stream carries, read from its name. A subgraph's events carry their
/// mode before a bar (`updates|parent:<task>`).
enum LangGraphStreamEventKind: Equatable {
    /// `metadata`: the run's id, first.
    case metadata
    /// `values`: the whole state after a step.
    case values
    /// `updates`: what one node wrote.
    case updates
    /// `custom`: what the graph wrote with its stream writer.
    case custom
    /// `messages` (of the `messages-tuple` mode): `[message chunk, metadata]`.
    case messageChunk
    /// `messages/partial` and `messages/complete` (of the `messages` mode): the messages so far.
    case messagesSoFar
    /// Any other `messages/…` event (`messages/metadata`): state only.
    case otherMessages
    /// `error`: the run failed.
    case error
    /// A name this server does not read.
    case other

    init(name: String) {
        switch LangGraphRunMapper.streamMode(of: name) {
        case "metadata": self = .metadata
        case "values": self = .values
        case "updates": self = .updates
        case "custom": self = .custom
        case "messages": self = .messageChunk
        case "messages/partial", "messages/complete": self = .messagesSoFar
        case let mode where mode.hasPrefix("messages/"): self = .otherMessages
        case "error": self = .error
        default: self = .other
        }
    }

    /// Whether events of this kind never map to anything by themselves (state and token text).
    var carriesOnlyState: Bool {
        switch self {
        case .values, .messageChunk, .messagesSoFar, .otherMessages: true
        case .metadata, .updates, .custom, .error, .other: false
        }
    }
}
