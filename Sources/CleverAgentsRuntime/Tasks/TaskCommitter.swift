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
    /// `record` must hold the stored artifacts, history and metadata (changes made before the
    /// call are run bookkeeping: the run input and run id): the store is told which of them this
    /// commit leaves as they are, and may skip writing those.
    ///
    /// Updates that change nothing (the same state without a message) are dropped. An append to an
    /// artifact that never started starts it instead of losing it.
    ///
    /// An update that would take the task past `limits` is not applied, nor any after it: the
    /// updates before it are committed, then the limit error of ``TaskUpdateError`` is thrown,
    /// and the caller decides what becomes of the task (the runner fails it).
    @discardableResult
    public func commit(
        _ record: inout TaskRecord,
        updates: [TaskUpdate],
        userMessage: Message? = nil,
        limits: TaskLimits = .unlimited
    ) async throws -> [TaskEventRecord] {
        let expectedVersion = record.version
        var updated = record
        var events: [TaskEventRecord] = []
        var exceeded: TaskUpdateError?
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
                response = try updated.apply(update, at: now, limits: limits)
            } catch .unknownArtifact {
                guard case .artifact(let artifact, _, let lastChunk) = update else { continue }
                do {
                    response = try updated.apply(.artifact(artifact, append: false, lastChunk: lastChunk), at: now, limits: limits)
                } catch {
                    exceeded = error
                    break
                }
            } catch .taskIsTerminal {
                continue
            } catch {
                exceeded = error
                break
            }
            updated.lastEventSequence += 1
            events.append(TaskEventRecord(namespace: updated.namespace, taskId: updated.id, sequence: updated.lastEventSequence, event: response))
        }
        if updated.state.isTerminal || updated.state.isInterrupted {
            // The run is over: nothing is left to run, and the queue must not pick the task again.
            updated.runInput = nil
        }
        if events.isEmpty && updated == record {
            if let exceeded { throw exceeded }
            return []
        }
        if updated.version == expectedVersion {
            updated.version += 1
        }
        // Unchanged arrays share their storage with `record`'s: these compare in constant time.
        var unchanged: TaskDocumentParts = []
        if updated.artifacts == record.artifacts { unchanged.insert(.artifacts) }
        if updated.history == record.history { unchanged.insert(.history) }
        if updated.metadata == record.metadata { unchanged.insert(.metadata) }
        try await store.updateTask(updated, expectedVersion: expectedVersion, appending: events, unchanged: unchanged)
        record = updated
        if !events.isEmpty {
            // A blocking SendMessage waiting for the last event answers with this task unread.
            var published = events
            published[published.count - 1].committedTask = updated
            await bus.publish(published)
        }
        if let exceeded { throw exceeded }
        return events
    }
}
