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
    /// A message to an existing task: allowed when the task needs input. It resumes the pending
    /// interrupts of the run, or, when the graph asked for input without interrupting, starts a
    /// new run on the same thread with the message.
    func continueTask(
        _ taskId: String,
        _ params: SendMessageRequest,
        streaming: Bool,
        snapshot: NamespaceSnapshot,
        namespaceActor: NamespaceActor,
        context: RequestContext
    ) async throws -> A2AResponse {
        guard let existing = try await visibleTask(taskId, context: context, forActing: true) else {
            throw JSONRPCError.taskNotFound(taskId)
        }
        if let contextId = params.message.contextId, !contextId.isEmpty, contextId != existing.contextId {
            throw JSONRPCError.invalidParams(field: "message.contextId", description: "does not match the context of task \(taskId)")
        }
        if existing.state.isTerminal {
            throw JSONRPCError.unsupportedOperation("Task \(taskId) is in the terminal state \(existing.state.rawValue) and accepts no more messages")
        }
        guard existing.state.isInterrupted else {
            throw JSONRPCError.unsupportedOperation("Task \(taskId) is \(existing.state.rawValue); it accepts a message only when it needs input")
        }
        guard let actor = snapshot.actor(named: existing.actorName) else {
            throw JSONRPCError.invalidParams(field: "message.taskId", description: "the actor '\(existing.actorName)' of task \(taskId) no longer exists")
        }
        let pending = Self.pendingInterruptIDs(existing)
        try Self.checkAnswer(params.message, pending: pending)
        var message = params.message
        message.taskId = existing.id
        message.contextId = existing.contextId
        let returnImmediately = !streaming && (params.configuration?.returnImmediately ?? false)
        // The stream's slot first: a refused stream changes nothing.
        let subscription = try await subscription(
            to: existing.id, streaming: streaming, returnImmediately: returnImmediately, on: namespaceActor, context: context
        )
        if let inline = params.configuration?.taskPushNotificationConfig {
            do {
                let config = try await makePushConfig(inline, taskId: existing.id, field: "configuration.taskPushNotificationConfig", context: context)
                try await putPushConfig(config)
            } catch {
                await subscription?.cancel()
                throw error
            }
        }

        var record = existing
        let input = TaskRunInput(message: message, interruptIDs: pending, traceParent: context.traceParent)
        record.runInput = input
        // A new run: the one that asked for input is over.
        record.runID = nil
        do {
            try await committer.commit(&record, updates: [.status(.working, message: nil)], userMessage: message)
        } catch StoreError.conflict {
            await subscription?.cancel()
            throw JSONRPCError.unsupportedOperation("Task \(taskId) changed while the message arrived (another message or a cancel); fetch it and retry")
        } catch {
            await subscription?.cancel()
            throw error
        }
        let job = try TaskJob(task: record, input: input, actor: actor, secrets: secrets)
        return try await start(job, subscription: subscription, streaming: streaming, historyLength: params.configuration?.historyLength)
    }

    /// The ids of the interrupts the task's run is waiting on (kept in its status message).
    static func pendingInterruptIDs(_ task: TaskRecord) -> [String] {
        (task.status.message?.metadata?["interrupts"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
    }

    /// With several pending interrupts, the answer must name each one: a single data part that is
    /// an object keyed by interrupt id. (A graph cannot tell which question a bare text answers.)
    static func checkAnswer(_ message: Message, pending: [String]) throws {
        guard pending.count > 1 else { return }
        let data = message.parts.compactMap { part -> JSONObject? in
            if case .data(let value) = part.content { return value.objectValue }
            return nil
        }
        guard data.count == 1, let answers = data.first, !answers.isEmpty, Set(answers.keys).isSubset(of: Set(pending)) else {
            throw JSONRPCError.invalidParams(
                field: "message.parts",
                description: "the task waits on \(pending.count) questions; answer with one data part keyed by interrupt id (\(pending.joined(separator: ", ")))"
            )
        }
    }

    var committer: TaskCommitter {
        TaskCommitter(store: tasks, bus: bus, clock: clock)
    }
}
