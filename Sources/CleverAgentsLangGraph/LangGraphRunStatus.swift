//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// A LangGraph run's status (`status` of `GET /threads/{thread_id}/runs/{run_id}`).
///
/// A status this list does not name is read as `nil` and never repeated to a caller.
enum LangGraphRunStatus: String, Sendable {
    case pending, running, success, error, timeout, interrupted

    /// Whether the run has not ended yet.
    var isActive: Bool { self == .pending || self == .running }

    /// Whether the run ended in failure (an error in the graph, or its server's time limit).
    var isFailure: Bool { self == .error || self == .timeout }
}

/// A LangGraph thread's status (`status` of `GET /threads/{thread_id}`).
enum LangGraphThreadStatus: String, Sendable {
    case idle, busy, interrupted, error
}
