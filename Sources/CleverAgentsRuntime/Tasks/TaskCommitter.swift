//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
public import CleverAgentsDomain

/// Applies updates to a task, stores the new state with its events in one write, then announces
/// the events. Shared by the task runner and the service (cancel, follow-up messages).
public struct TaskCommitter: Sendable {
    public let store: any TaskStore
    public let bus: any TaskEventBus
    public let clock: A2ATimestampSource

    public init(store: any TaskStore, bus: any TaskEventBus, clock: A2ATimestampSource) {
        self.store = store
        self.bus = bus
        self.clock = clock
    }

    /// Commits `updates` (and any change already made to `record`) against the stored version
    /// `record.version`. Throws ``StoreError/conflict`` when another writer was first.
    ///
    /// Updates that change nothing (the same state without a message) are dropped. An append to an
    /// artifact that never started starts it instead of losing it.
    @discardableResult
    public func commit(_ record: inout TaskRecord, updates: [TaskUpdate], userMessage: Message? = nil) async throws -> [TaskEventRecord] {
        let expectedVersion = record.version
        var updated = record
        var events: [TaskEventRecord] = []
        let now = clock.now()
        if let userMessage {
            updated.appendUserMessage(userMessage, at: now)
        }
        for update in updates {
            if case .status(let state, nil) = update, updated.status.state == state, updated.status.message == nil {
                continue
            }
            let response: StreamResponse
            do {
                response = try updated.apply(update, at: now)
            } catch .unknownArtifact {
                guard case .artifact(let artifact, _, let lastChunk) = update else { continue }
                response = try updated.apply(.artifact(artifact, append: false, lastChunk: lastChunk), at: now)
            } catch .taskIsTerminal {
                continue
            }
            updated.lastEventSequence += 1
            events.append(TaskEventRecord(namespace: updated.namespace, taskId: updated.id, sequence: updated.lastEventSequence, event: response))
        }
        if updated.state.isTerminal || updated.state.isInterrupted {
            // The run is over: nothing is left to run, and the queue must not pick the task again.
            updated.runInput = nil
        }
        if events.isEmpty && updated == record {
            return []
        }
        if updated.version == expectedVersion {
            updated.version += 1
        }
        try await store.updateTask(updated, expectedVersion: expectedVersion, appending: events)
        record = updated
        if !events.isEmpty {
            // A blocking SendMessage waiting for the last event answers with this task unread.
            var published = events
            published[published.count - 1].committedTask = updated
            await bus.publish(published)
        }
        return events
    }
}
