//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Synchronization

/// Expires operations that outlive their deadline, with one timer for all of them.
///
/// Every store operation and every graph run has a deadline, and almost every one ends long
/// before it. A timer per operation (a sleeping task, a dispatch timer and its cancellation) cost
/// a large part of a short query's CPU time; here an operation costs an insert and a removal
/// under a lock, and one ticker, running only while something is watched, expires what is due at
/// each tick. A deadline can therefore fire up to one tick late.
public final class DeadlineWatch: Sendable {
    /// The process's watch, ticking every 100 ms (deadlines are seconds or more).
    public static let shared = DeadlineWatch(tick: .milliseconds(100))

    private struct Entry {
        var deadline: ContinuousClock.Instant
        var expire: @Sendable () -> Void
    }

    private struct State {
        var nextID: UInt64 = 0
        var entries: [UInt64: Entry] = [:]
        var ticking = false
    }

    /// Identifies one watched operation.
    public struct Ticket: Sendable, Hashable {
        fileprivate let id: UInt64
    }

    public let tick: Duration
    private let state = Mutex(State())

    public init(tick: Duration) {
        self.tick = tick
    }

    /// How many operations are watched.
    public var watchedCount: Int { state.withLock { $0.entries.count } }

    /// Calls `expire` once `deadline` has passed, unless ``unwatch(_:)`` comes first.
    public func watch(until deadline: ContinuousClock.Instant, expire: @escaping @Sendable () -> Void) -> Ticket {
        let (ticket, startTicker) = state.withLock { state -> (Ticket, Bool) in
            state.nextID &+= 1
            state.entries[state.nextID] = Entry(deadline: deadline, expire: expire)
            let start = !state.ticking
            state.ticking = true
            return (Ticket(id: state.nextID), start)
        }
        if startTicker {
            Task { await self.runTicker() }
        }
        return ticket
    }

    /// Stops watching; the operation ended in time (or its deadline fired already).
    public func unwatch(_ ticket: Ticket) {
        _ = state.withLock { $0.entries.removeValue(forKey: ticket.id) }
    }

    /// Expires what is due at each tick; ends when nothing is watched any more.
    private func runTicker() async {
        while true {
            try? await Task.sleep(for: tick)
            let now = ContinuousClock.now
            let (due, stop) = state.withLock { state -> ([Entry], Bool) in
                var due: [Entry] = []
                for (id, entry) in state.entries where entry.deadline <= now {
                    due.append(entry)
                    state.entries[id] = nil
                }
                if state.entries.isEmpty { state.ticking = false }
                return (due, !state.ticking)
            }
            for entry in due { entry.expire() }
            if stop { return }
        }
    }
}
