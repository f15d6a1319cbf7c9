//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import AsyncAlgorithms
import CleverAgentsDomain
public import Logging
public import ServiceLifecycle
import Synchronization

/// Runs task jobs in the background, as a Service.
///
/// Without a queue (local mode, unit tests) it runs the jobs handed to ``submit(_:)``; on
/// graceful shutdown it takes no new jobs and lets the running ones end (or be cancelled when
/// the shutdown deadline passes).
///
/// With a durable ``TaskQueue`` (the server) a submitted job only wakes the worker: it claims
/// queued tasks from the shared queue, within its capacity and each namespace's cap, renews the
/// leases of what it runs, and stops a run whose lease it lost. On graceful shutdown it stops
/// its runs and releases their leases, so that another replica continues them at once (the
/// graph runs go on in LangGraph and are re-joined).
public final class TaskWorker: Service, Sendable {
    /// How a worker shares the durable queue with the other replicas.
    public struct QueueSettings: Sendable {
        public var queue: any TaskQueue
        public var jobs: TaskJobFactory
        /// This replica's name in leases.
        public var owner: String
        /// How long a lease lasts unless renewed (renewed every third of it).
        public var lease: Duration
        /// Runs at once on this replica.
        public var maximumRuns: Int
        /// Running tasks per namespace across the cluster, unless the namespace sets its own.
        public var defaultNamespaceLimit: Int
        /// How often the queue is looked at without a wake-up (expired leases, other replicas'
        /// tasks whose notification was missed).
        public var pollInterval: Duration

        public init(
            queue: any TaskQueue,
            jobs: TaskJobFactory,
            owner: String,
            lease: Duration = .seconds(15),
            maximumRuns: Int = 256,
            defaultNamespaceLimit: Int = 32,
            pollInterval: Duration = .seconds(1)
        ) {
            self.queue = queue
            self.jobs = jobs
            self.owner = owner
            self.lease = lease
            self.maximumRuns = maximumRuns
            self.defaultNamespaceLimit = defaultNamespaceLimit
            self.pollInterval = pollInterval
        }
    }

    private struct Running {
        var task: Task<Void, Never>
        var claimedAt: ContinuousClock.Instant
    }

    private let runner: TaskRunner
    private let queueSettings: QueueSettings?
    private let logger: Logger
    private let jobs: AsyncStream<TaskJob>
    private let continuation: AsyncStream<TaskJob>.Continuation
    private let wakeups: AsyncStream<Void>
    private let wakeContinuation: AsyncStream<Void>.Continuation
    private let accepting = Mutex(true)
    private let running = Mutex<[TaskKey: Running]>([:])

    public init(runner: TaskRunner, queue: QueueSettings? = nil, logger: Logger? = nil) {
        self.runner = runner
        self.queueSettings = queue
        self.logger = logger ?? runner.logger
        (self.jobs, self.continuation) = AsyncStream<TaskJob>.makeStream()
        (self.wakeups, self.wakeContinuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues a job (without a queue), or wakes the claim loop (the job is in the queue already).
    /// Returns `false` when the worker is shutting down.
    @discardableResult
    public func submit(_ job: TaskJob) -> Bool {
        accepting.withLock { accepting in
            guard accepting else { return false }
            if queueSettings != nil {
                wakeContinuation.yield()
                return true
            }
            // Counted before the yield, so the consumer never takes the gauge below zero.
            runner.metrics.recordTaskQueued(true)
            if case .enqueued = continuation.yield(job) { return true }
            runner.metrics.recordTaskQueued(false)
            return false
        }
    }

    /// Makes the worker look at the queue now (a task was queued or a lease released elsewhere).
    public func wake() {
        wakeContinuation.yield()
    }

    /// The tasks this replica runs now.
    public var runningTasks: Set<TaskKey> {
        running.withLock { Set($0.keys) }
    }

    public func run() async throws {
        if let queueSettings {
            await runQueue(queueSettings)
            return
        }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await job in jobs {
                    runner.metrics.recordTaskQueued(false)
                    group.addTask { await self.runner.run(job) }
                }
            }
        } onGracefulShutdown: {
            self.accepting.withLock { accepting in
                accepting = false
                self.continuation.finish()
            }
        }
    }

    // MARK: Durable queue

    private func runQueue(_ settings: QueueSettings) async {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.tick(every: settings.pollInterval) }
                group.addTask { await self.renewLeases(settings) }
                for await _ in wakeups {
                    guard accepting.withLock({ $0 }) else { break }
                    await claim(settings)
                }
                group.cancelAll()
            }
            await handOver(settings)
        } onGracefulShutdown: {
            self.accepting.withLock { accepting in
                accepting = false
                self.wakeContinuation.finish()
            }
        }
    }

    /// Claims what the queue offers, while this replica has room.
    private func claim(_ settings: QueueSettings) async {
        while true {
            let free = settings.maximumRuns - running.withLock { $0.count }
            guard free > 0, accepting.withLock({ $0 }) else { return }
            let claim: TaskClaim
            do {
                claim = try await settings.queue.claimTasks(
                    owner: settings.owner,
                    limit: min(free, 64),
                    lease: settings.lease,
                    defaultNamespaceLimit: settings.defaultNamespaceLimit
                )
            } catch {
                logger.warning("Cannot claim queued tasks", metadata: ["error": "\(error)"])
                return
            }
            runner.metrics.recordQueueWaiting(claim.waiting)
            for task in claim.tasks {
                start(task, settings: settings)
            }
            // A full batch may mean more is waiting.
            guard claim.tasks.count == min(free, 64) else { return }
        }
    }

    private func start(_ task: TaskRecord, settings: QueueSettings) {
        let key = TaskKey(namespace: task.namespace, id: task.id)
        // Started under the lock, so the run is registered before it can end and remove itself.
        running.withLock { running in
            let run = Task {
                await self.execute(task, settings: settings)
                _ = self.running.withLock { $0.removeValue(forKey: key) }
                // Room for another task.
                self.wakeContinuation.yield()
            }
            running[key] = Running(task: run, claimedAt: .now)
        }
    }

    private func execute(_ task: TaskRecord, settings: QueueSettings) async {
        var logger = logger
        logger[metadataKey: "namespace"] = "\(task.namespace)"
        logger[metadataKey: "task_id"] = "\(task.id)"
        let job: TaskJob
        do {
            switch try await settings.jobs.job(for: task) {
            case .success(let built):
                job = built
            case .failure(let reason):
                var record = task
                let message = Message(messageId: runner.ids.makeID(), role: .agent, parts: [.text(reason.message)])
                try await TaskCommitter(store: runner.store, bus: runner.bus, clock: runner.clock).commit(&record, updates: [.status(.failed, message: message)])
                return
            }
        } catch {
            logger.warning("Cannot prepare a claimed task; releasing it", metadata: ["error": "\(error)"])
            try? await settings.queue.releaseLease(owner: settings.owner, task: TaskKey(namespace: task.namespace, id: task.id))
            return
        }
        if task.runID != nil {
            logger.info("Taking over a task whose run is under way", metadata: ["run_id": "\(task.runID ?? "")"])
        }
        let outcome = await runner.run(job)
        if outcome == .interrupted || Task.isCancelled {
            // Stopped here without ending (shutdown, a lost lease, the database away): let another
            // replica, or this one, go on; if the release fails too, the lease expires.
            do {
                try await settings.queue.releaseLease(owner: settings.owner, task: TaskKey(namespace: task.namespace, id: task.id))
            } catch {
                logger.debug("Cannot release a lease; it will expire", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Renews this replica's leases, and stops runs whose lease is gone (or cannot be proven).
    private func renewLeases(_ settings: QueueSettings) async {
        let interval = settings.lease / 3
        var lastRenewal = ContinuousClock.now
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            let started = ContinuousClock.now
            guard running.withLock({ !$0.isEmpty }) else {
                lastRenewal = started
                continue
            }
            do {
                let held = try await settings.queue.renewLeases(owner: settings.owner, lease: settings.lease)
                lastRenewal = started
                let lost = running.withLock { running in
                    running.filter { key, run in run.claimedAt < started && !held.contains(key) }
                }
                for (key, run) in lost {
                    logger.warning("Lost the lease of a running task; stopping its run here", metadata: ["task": "\(key)"])
                    run.task.cancel()
                }
            } catch {
                logger.warning("Cannot renew task leases", metadata: ["error": "\(error)"])
                if lastRenewal.duration(to: .now) >= settings.lease {
                    // Another replica may hold these tasks now: two runs of one task must not go on.
                    let all = running.withLock { $0.values.map(\.task) }
                    for task in all { task.cancel() }
                }
            }
        }
    }

    private func tick(every interval: Duration) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            wakeContinuation.yield()
        }
    }

    /// Stops this replica's runs and gives their tasks back to the queue.
    private func handOver(_ settings: QueueSettings) async {
        let runs = running.withLock { $0.values.map(\.task) }
        for run in runs { run.cancel() }
        // A run stuck in a call that ignores cancellation must not hold the shutdown: its lease is
        // released anyway, and the process ends right after.
        await Self.waitForAll(runs, atMost: settings.lease)
        do {
            // In a task of its own: the worker's task may be cancelled by now (a service group
            // cancels what outlives its shutdown), and the leases are to be released all the same.
            try await Task { try await settings.queue.releaseLeases(owner: settings.owner) }.value
        } catch {
            logger.warning("Cannot release task leases at shutdown; they will expire", metadata: ["error": "\(error)"])
        }
        if !runs.isEmpty {
            logger.info("Handed over running tasks", metadata: ["count": "\(runs.count)"])
        }
    }

    /// Waits until every task ended, or `limit` passed, whichever comes first.
    private static func waitForAll(_ tasks: [Task<Void, Never>], atMost limit: Duration) async {
        let once = ResumeOnce()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            once.set(continuation)
            Task {
                for task in tasks { await task.value }
                once.resume()
            }
            Task {
                try? await Task.sleep(for: limit)  // not cancelled: the runs may end first, which is fine
                once.resume()
            }
        }
    }
}

/// Resumes a continuation once, from whichever caller comes first.
private final class ResumeOnce: Sendable {
    private let continuation = Mutex<CheckedContinuation<Void, Never>?>(nil)

    func set(_ continuation: CheckedContinuation<Void, Never>) {
        self.continuation.withLock { $0 = continuation }
    }

    func resume() {
        let continuation = self.continuation.withLock { value -> CheckedContinuation<Void, Never>? in
            defer { value = nil }
            return value
        }
        continuation?.resume()
    }
}
