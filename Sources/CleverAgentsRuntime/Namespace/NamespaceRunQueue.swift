//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import DequeModule

/// The runs of one namespace's tasks on this replica, as a state machine without I/O: which
/// run, and which wait for a place, in the order they were accepted.
///
/// At most `limit` run at once, and one run of a task at a time (a continuation accepted while
/// the task's previous run is ending waits for it, and holds up no other task); the others wait
/// until a run ends, oldest first. Every accepted body runs exactly once: a waiting run that is
/// cancelled starts at once, cancelled, so that whoever accepted it hears its end as for any
/// run. ``NamespaceActor`` owns the queue and starts the runs it decides on.
struct NamespaceRunQueue {
    typealias Body = @Sendable () async -> Void

    /// A run that waits for a place, or is to start now.
    struct Waiting {
        var id: String
        var body: Body
        var acceptedAt: ContinuousClock.Instant
        /// Which accepted run this is (a task may have two: one ending, one waiting for it).
        var number: UInt64
    }

    private(set) var running: [String: (task: Task<Void, Never>?, startedAt: ContinuousClock.Instant)] = [:]
    private(set) var waiting: Deque<Waiting> = []
    /// The most runs at once (the last accepted run's limit).
    private(set) var limit = Int.max
    private var accepted: UInt64 = 0

    var isEmpty: Bool { running.isEmpty && waiting.isEmpty }

    /// Takes a run of task `id`, within `limit` runs at once: the runs to start now, oldest
    /// first. They are this one when it has a place, and older ones too when `limit` was raised.
    mutating func accept(_ id: String, limit: Int, body: @escaping Body, now: ContinuousClock.Instant) -> (startsNow: Bool, runs: [Waiting]) {
        self.limit = max(1, limit)
        accepted &+= 1
        let number = accepted
        waiting.append(Waiting(id: id, body: body, acceptedAt: now, number: number))
        let runs = startWaiting(now: now)
        return (runs.last?.number == number, runs)
    }

    /// The run of `id` was started as `task`.
    mutating func started(_ id: String, task: Task<Void, Never>) {
        running[id]?.task = task
    }

    /// The run of `id` ended: the waiting runs that take its place, oldest first (more than one
    /// when the limit was raised meanwhile). A run of a task that is still running waits on.
    mutating func ended(_ id: String, now: ContinuousClock.Instant) -> [Waiting] {
        running[id] = nil
        return startWaiting(now: now)
    }

    /// Moves the oldest waiting runs that have a place to the running ones, skipping those whose
    /// task still runs: the runs to start. After it, no waiting run could start.
    private mutating func startWaiting(now: ContinuousClock.Instant) -> [Waiting] {
        var next: [Waiting] = []
        var index = waiting.startIndex
        while running.count < limit, index < waiting.endIndex {
            let candidate = waiting[index]
            guard running[candidate.id] == nil else {
                index += 1
                continue
            }
            waiting.remove(at: index)
            running[candidate.id] = (nil, now)
            next.append(candidate)
        }
        return next
    }

    /// Takes the runs of `ids` out of the order: the running ones' tasks to cancel, and the
    /// waiting ones, which are to start at once, cancelled (after the running run of their task,
    /// if any, has been told to stop: two runs of one task may overlap only while one is cancelled).
    mutating func cancel(_ ids: Set<String>) -> (running: [Task<Void, Never>], waiting: [Waiting]) {
        let tasks = running.filter { ids.contains($0.key) }.compactMap(\.value.task)
        var released: [Waiting] = []
        waiting.removeAll { run in
            guard ids.contains(run.id) else { return false }
            released.append(run)
            return true
        }
        return (tasks, released)
    }

    /// Every run's start: of the running ones, and of the waiting ones (when they were accepted).
    var acceptedRuns: [String: ContinuousClock.Instant] {
        var runs = running.mapValues(\.startedAt)
        for run in waiting where runs[run.id] == nil { runs[run.id] = run.acceptedAt }
        return runs
    }
}
