//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsDomain

extension ExecutionEvent {
    /// About the memory the event holds while it waits: its content as `TaskRecord.contentBytes(of:)`
    /// measures it, plus 64 bytes for the event itself, so that many empty events count too.
    public var contentBytes: Int {
        switch self {
        case .runStarted(let runID): 64 + runID.utf8.count
        case .update(.status(_, let message)): 64 + (message.map(TaskRecord.contentBytes(of:)) ?? 0)
        case .update(.artifact(let artifact, _, _)): 64 + TaskRecord.contentBytes(of: artifact)
        case .reply(let message): 64 + TaskRecord.contentBytes(of: message)
        }
    }
}
