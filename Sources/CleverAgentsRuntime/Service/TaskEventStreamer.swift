//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain

/// Turns a subscription into the A2A event stream of a task: first the task as it is, then
/// every later event exactly once and in order, reading any gap from the store.
struct TaskEventStreamer: Sendable {
    let store: any TaskStore

    /// Streams events after `snapshot`, starting with the snapshot itself as a `Task` event.
    ///
    /// The subscription must have been opened before `snapshot` was read, so that nothing
    /// committed after the read is missed.
    /// - Parameter untilInterrupted: also end when the task needs input (the end of a turn, for
    ///   `SendStreamingMessage`); subscriptions end only at a terminal state.
    func stream(
        from snapshot: TaskRecord,
        subscription: TaskSubscription,
        historyLength: Int?,
        untilInterrupted: Bool
    ) -> AsyncThrowingStream<StreamResponse, any Error> {
        let (stream, continuation) = AsyncThrowingStream<StreamResponse, any Error>.makeStream()
        let store = self.store
        let task = Task {
            defer { Task { await subscription.cancel() } }
            do {
                continuation.yield(.task(snapshot.a2aTask(historyLength: historyLength)))
                if snapshot.state.isTerminal {
                    continuation.finish()
                    return
                }
                try await Self.follow(
                    subscription: subscription,
                    after: snapshot.lastEventSequence,
                    store: store,
                    namespace: snapshot.namespace,
                    untilInterrupted: untilInterrupted
                ) { record in
                    continuation.yield(record.event)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Delivers events with sequence numbers above `after`, in order and without gaps, until
    /// one that ends the stream. Returns the last event delivered.
    @discardableResult
    static func follow(
        subscription: TaskSubscription,
        after sequence: Int64,
        store: any TaskStore,
        namespace: NamespaceName,
        untilInterrupted: Bool = true,
        deliver: (TaskEventRecord) async throws -> Void
    ) async throws -> TaskEventRecord? {
        var last = sequence
        var lastRecord: TaskEventRecord?
        for await record in subscription.events {
            try Task.checkCancellation()
            guard record.sequence > last else { continue }
            var batch: [TaskEventRecord] = []
            if record.sequence > last + 1 {
                // Missed events (a full buffer, or published before we listened): read them.
                batch = try await store.events(namespace: namespace, taskId: subscription.taskId, afterSequence: last)
                    .filter { $0.sequence < record.sequence }
            }
            batch.append(record)
            for event in batch where event.sequence > last {
                try await deliver(event)
                last = event.sequence
                lastRecord = event
                if event.endsStream(untilInterrupted: untilInterrupted) { return event }
            }
        }
        try Task.checkCancellation()
        return lastRecord
    }
}
