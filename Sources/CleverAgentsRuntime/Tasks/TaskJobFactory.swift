//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsDomain

/// Rebuilds a task's job from the stored task alone, so that any replica can run a task it
/// claimed from the queue: the actor from the namespace, the input from the task's run input.
public struct TaskJobFactory: Sendable {
    public let directory: NamespaceDirectory
    public let secrets: any SecretBox

    public init(directory: NamespaceDirectory, secrets: any SecretBox) {
        self.directory = directory
        self.secrets = secrets
    }

    /// The job of a claimed task, or why it cannot run (the task then fails with that reason).
    public func job(for task: TaskRecord) async throws -> Result<TaskJob, GraphExecutionError> {
        guard let input = task.runInput else {
            return .failure(GraphExecutionError("The task has nothing to run"))
        }
        let snapshot = try await directory.resolve(task.namespace)?.1
        guard let actor = snapshot?.actors.first(where: { $0.name == task.actorName }) else {
            return .failure(GraphExecutionError("The actor '\(task.actorName)' of the task no longer exists"))
        }
        return .success(try TaskJob(task: task, input: input, actor: actor, secrets: secrets))
    }
}

extension GraphRunRequest {
    /// The run of `task` from its run input: a re-join when the task records a run already.
    public init(task: TaskRecord, input: TaskRunInput, actor: ActorDefinition, apiKey: String?) {
        self.init(
            namespace: task.namespace,
            taskId: task.id,
            contextId: task.contextId,
            actor: actor,
            apiKey: apiKey,
            threadID: task.threadID,
            input: input.interruptIDs.isEmpty ? .message(input.message) : .resume(input.message, interruptIDs: input.interruptIDs),
            existingRunID: task.runID,
            traceParent: input.traceParent
        )
    }
}
