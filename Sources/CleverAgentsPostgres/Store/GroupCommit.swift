//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Synchronization

/// Writes the items of concurrent callers in shared transactions (group commit).
///
/// A caller's item is written at once, by the caller itself, when a writer is free and nothing
/// waits; items that arrive while every writer is busy wait and are then written together, in
/// one transaction, by a writer task. Every
/// caller returns only after the transaction holding its item committed, so durability is that
/// of a write of its own. When a shared write fails, its items are written one by one, so one
/// bad item fails only its own caller.
///
/// A shared write that failed without an answer (a deadline gave up on it, the connection broke)
/// may still have committed. `isWritten` then tells whether an item is stored as it was
/// submitted (and its output then): such an item succeeds without a second write; the others
/// are written one by one.
final class GroupCommit<Item: Sendable, Output: Sendable>: Sendable {
    private struct Pending {
        var item: Item
        var continuation: CheckedContinuation<Output, any Error>
    }

    private struct State {
        var writers = 0
        var queue: [Pending] = []

        /// Counts one more writer if fewer than `maximum` write.
        mutating func takeWriter(below maximum: Int) -> Bool {
            guard writers < maximum else { return false }
            writers += 1
            return true
        }
    }

    private let state = Mutex(State())
    private let maximumBatch: Int
    private let maximumWriters: Int
    private let write: @Sendable ([Item]) async throws -> [Output]
    private let mayHaveCommitted: @Sendable (any Error) -> Bool
    private let isWritten: @Sendable (Item) async -> Output?

    /// - Parameters:
    ///   - maximumWriters: writes under way at once (each holds a connection); items wait for
    ///     a free writer, and a writer takes everything that waits.
    ///   - mayHaveCommitted: whether a failed write may have committed all the same.
    ///   - isWritten: the output of an item stored exactly as submitted, else `nil`.
    ///   - write: writes the items in one transaction and returns their outputs, in order.
    init(
        maximumBatch: Int = 64,
        maximumWriters: Int = 1,
        mayHaveCommitted: @escaping @Sendable (any Error) -> Bool,
        isWritten: @escaping @Sendable (Item) async -> Output?,
        write: @escaping @Sendable ([Item]) async throws -> [Output]
    ) {
        self.maximumBatch = maximumBatch
        self.maximumWriters = maximumWriters
        self.mayHaveCommitted = mayHaveCommitted
        self.isWritten = isWritten
        self.write = write
    }

    /// Items waiting for the next write (for tests).
    var queuedCount: Int { state.withLock { $0.queue.count } }

    /// Writes `item`, alone or with others; returns its output once it is committed.
    func submit(_ item: Item) async throws -> Output {
        let writesAlone = state.withLock { state in
            state.queue.isEmpty && state.takeWriter(below: maximumWriters)
        }
        if writesAlone {
            // Nothing waits and a writer is free: the caller writes its item itself, with no task
            // to start and no continuation to resume (the common case at low load).
            defer { finishWriting() }
            return try await write([item])[0]
        }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Output, any Error>) in
            // Every writer may have finished since the look above: then this item starts one.
            let startsWriting = state.withLock { state in
                state.queue.append(Pending(item: item, continuation: continuation))
                return state.takeWriter(below: maximumWriters)
            }
            if startsWriting { startDrain() }
        }
    }

    /// A caller's own write is done: what arrived meanwhile is written by a writer task, which
    /// takes over the caller's place among the writers.
    private func finishWriting() {
        let handsOver = state.withLock { state in
            guard state.queue.isEmpty else { return true }
            state.writers -= 1
            return false
        }
        if handsOver { startDrain() }
    }

    /// A writer task: it writes until nothing waits; callers only wait for their item.
    private func startDrain() {
        Task { await self.drain() }
    }

    /// The next items to write together, or `nil` (and one writer fewer) when nothing waits.
    private func nextBatch() -> [Pending]? {
        state.withLock { state in
            guard !state.queue.isEmpty else {
                state.writers -= 1
                return nil
            }
            let batch = Array(state.queue.prefix(maximumBatch))
            state.queue.removeFirst(batch.count)
            return batch
        }
    }

    private func drain() async {
        while let batch = nextBatch() {
            do {
                let outputs = try await write(batch.map(\.item))
                for (pending, output) in zip(batch, outputs) { pending.continuation.resume(returning: output) }
            } catch let sharedFailure where batch.count > 1 {
                let ambiguous = mayHaveCommitted(sharedFailure)
                for pending in batch {
                    // An item the shared write did store is not written again: a second write
                    // would fail (a duplicate) or find it changed (a version moved on).
                    if ambiguous, let output = await isWritten(pending.item) {
                        pending.continuation.resume(returning: output)
                        continue
                    }
                    do {
                        pending.continuation.resume(returning: try await write([pending.item])[0])
                    } catch {
                        pending.continuation.resume(throwing: error)
                    }
                }
            } catch {
                batch[0].continuation.resume(throwing: error)
            }
        }
    }
}
