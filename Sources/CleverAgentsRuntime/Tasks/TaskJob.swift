//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsDomain

/// A task turn to execute: the task as stored, and the run to make for it.
public struct TaskJob: Sendable {
    public var task: TaskRecord
    public var request: GraphRunRequest

    public init(task: TaskRecord, request: GraphRunRequest) {
        self.task = task
        self.request = request
    }
}
