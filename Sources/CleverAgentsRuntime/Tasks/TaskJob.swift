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

extension TaskJob {
    /// The job of a task's turn on `actor`: the run `input` asks for, with the actor's API key
    /// opened (a key that does not open fails here). The one place a job is made, for a task just
    /// written (a new message, a follow-up) and for one claimed from the queue (``TaskJobFactory``).
    public init(task: TaskRecord, input: TaskRunInput, actor: ActorDefinition, secrets: any SecretBox) throws {
        let apiKey = try actor.openAPIKey(in: task.namespace, with: secrets)
        self.init(task: task, request: GraphRunRequest(task: task, input: input, actor: actor, apiKey: apiKey))
    }
}
