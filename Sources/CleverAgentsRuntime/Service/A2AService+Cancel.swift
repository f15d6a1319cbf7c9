//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain

extension A2AService {
    /// How long `CancelTask` waits for a running graph to stop.
    static let cancelDeadline: Duration = .seconds(30)

    /// Cancels a task. A task with a running graph ends `CANCELED` only once the graph server has
    /// really stopped the run; a task that waits (submitted, or needing input) is canceled at once.
    func cancel(_ params: CancelTaskRequest, context: RequestContext) async throws -> A2ATask {
        let (namespaceActor, snapshot) = try await namespace(of: context)
        guard var record = try await visibleTask(params.id, context: context, forActing: true) else {
            throw JSONRPCError.taskNotFound(params.id)
        }
        guard !record.state.isTerminal else {
            throw JSONRPCError.taskNotCancelable(params.id, state: record.state)
        }
        let subscription = await namespaceActor.subscribe(taskId: record.id)
        defer { Task { await subscription.cancel() } }

        if record.state == .working, let runID = record.runID {
            return try await cancelRun(record, runID: runID, snapshot: snapshot, subscription: subscription)
        }
        // Nothing is running: cancel directly. A runner that is just starting sees the change and
        // stops the run it may have begun.
        let canceled = Message(messageId: ids.makeID(), role: .agent, parts: [.text("The task was canceled")])
        do {
            try await committer.commit(&record, updates: [.status(.canceled, message: canceled)])
        } catch StoreError.conflict {
            guard let current = try await tasks.task(namespace: record.namespace, id: record.id) else { throw JSONRPCError.taskNotFound(params.id) }
            if current.state.isTerminal { throw JSONRPCError.taskNotCancelable(params.id, state: current.state) }
            if current.state == .working, let runID = current.runID {
                return try await cancelRun(current, runID: runID, snapshot: snapshot, subscription: subscription)
            }
            record = current
            try await committer.commit(&record, updates: [.status(.canceled, message: canceled)])
        }
        return record.a2aTask()
    }

    private func cancelRun(_ record: TaskRecord, runID: String, snapshot: NamespaceSnapshot, subscription: TaskSubscription) async throws -> A2ATask {
        guard let actor = snapshot.actor(named: record.actorName) else {
            throw JSONRPCError.taskNotCancelable(record.id, state: record.state)
        }
        let run = GraphRunReference(actor: actor, apiKey: try actor.openAPIKey(in: record.namespace, with: secrets), threadID: record.threadID, runID: runID)
        try await executor.cancel(run)
        // Wait for the run's end to be recorded, within the deadline.
        let tasks = self.tasks
        _ = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                let last = try? await TaskEventStreamer.follow(
                    subscription: subscription,
                    after: record.lastEventSequence,
                    store: tasks,
                    namespace: record.namespace,
                    untilInterrupted: false
                ) { _ in }
                return last != nil
            }
            group.addTask {
                try? await Task.sleep(for: Self.cancelDeadline)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        guard let final = try await tasks.task(namespace: record.namespace, id: record.id) else {
            throw JSONRPCError.taskNotFound(record.id)
        }
        // The run finished before the cancel reached it, or did not stop in time.
        guard final.state == .canceled else {
            throw JSONRPCError.taskNotCancelable(record.id, state: final.state)
        }
        return final.a2aTask()
    }
}
