//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import CleverAgentsDomain

/// A graph server went past one of the bounds of ``LangGraphConfiguration``.
///
/// Not a broken stream: nothing is retried or re-joined. The executor drops the connection,
/// cancels the run when it knows its id, and fails the task with ``message``, which names the
/// bound in our words and never quotes what the server sent.
struct LangGraphLimitExceeded: Error, Sendable, Hashable {
    enum Bound: Sendable, Hashable {
        /// An event larger than ``LangGraphConfiguration/maximumEventBytes``.
        case eventSize(Int)
        /// A line longer than ``LangGraphConfiguration/maximumEventBytes``.
        case lineLength(Int)
        /// More events than ``LangGraphConfiguration/maximumEventsPerRun``.
        case eventsPerRun(Int)
        /// Pending interrupts, collected across events, larger than ``LangGraphConfiguration/maximumEventBytes``.
        case interrupts(Int)
        /// An answer to `call` larger than ``LangGraphConfiguration/maximumResponseBytes``.
        case responseSize(Int, call: String)
    }

    var bound: Bound

    init(_ bound: Bound) {
        self.bound = bound
    }

    /// The configuration key of the bound.
    var key: String {
        switch bound {
        case .eventSize, .lineLength, .interrupts: "langgraph.maxEventBytes"
        case .eventsPerRun: "langgraph.maxEventsPerRun"
        case .responseSize: "langgraph.maxResponseBytes"
        }
    }

    /// The task's status message.
    var message: String {
        switch bound {
        case .eventSize(let limit):
            "The graph server sent an event larger than \(ByteCount.text(limit)) (\(key)); the run was stopped"
        case .lineLength(let limit):
            "The graph server sent a line longer than \(ByteCount.text(limit)) (\(key)); the run was stopped"
        case .interrupts(let limit):
            "The graph server sent pending interrupts larger than \(ByteCount.text(limit)) together (\(key)); the run was stopped"
        case .eventsPerRun(let limit):
            "The graph server sent more than \(limit) events in one run (\(key)); the run was stopped"
        case .responseSize(let limit, let call):
            "The graph server answered \(call) with more than \(ByteCount.text(limit)) (\(key)); the run was stopped"
        }
    }
}
