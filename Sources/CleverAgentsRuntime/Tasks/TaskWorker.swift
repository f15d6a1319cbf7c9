//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import AsyncAlgorithms
public import CleverAgentsDomain
public import Logging
public import ServiceLifecycle
import Synchronization

/// Runs task jobs in the background, as a Service; each run is held by its namespace's actor
/// (``NamespaceActor/run(_:limit:_:)``), which owns the namespace's runs on this replica, in
/// order and within its cap.
///
/// Without a queue (local mode, unit tests) it hands the jobs given to ``submit(_:leased:)`` to
/// their namespaces, which run at most ``maximumRunsPerNamespace`` at once and the rest in
/// order; on graceful shutdown it takes no new jobs and lets the accepted ones end (or be
/// cancelled when the shutdown deadline passes).
///
/// With a durable ``TaskQueue`` (the server) a submitted job only wakes the worker: it claims
/// queued tasks from the shared queue, within its capacity and each namespace's cap (decided in
/// PostgreSQL, across replicas, when a task is leased), renews the leases of what it runs, and
/// stops a run whose lease it lost. On graceful shutdown it stops its runs and releases their
/// leases, so that another replica continues them at once (the graph runs go on in LangGraph
/// and are re-joined).
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

    /// This replica's runs: how many its namespace actors hold for it and which actors hold
    /// them, and the places held for tasks being created with a lease here.
    private struct Runs {
        /// The actors that hold runs of this worker, with how many (no entry at zero).
        var holders: [ObjectIdentifier: (actor: NamespaceActor, runs: Int)] = [:]
        var started = 0
        var reserved = 0
        var count: Int { started + reserved }
        /// Shutdown waiting for the last run to end.
        var drained: [CheckedContinuation<Void, Never>] = []

        /// A run was handed to `actor`.
        mutating func handed(to actor: NamespaceActor) {
            started += 1
            holders[ObjectIdentifier(actor), default: (actor, 0)].runs += 1
        }

        /// A run held by `actor` ended; returns the waiters to resume when it was the last.
        mutating func ended(in actor: NamespaceActor) -> [CheckedContinuation<Void, Never>] {
            started -= 1
            let id = ObjectIdentifier(actor)
            if let holder = holders[id] {
                holders[id] = holder.runs > 1 ? (holder.actor, holder.runs - 1) : nil
            }
            guard started == 0 else { return [] }
            defer { drained = [] }
            return drained
        }

        /// Namespaces in which a task created here had to wait: when one of their runs ends
        /// here, the next waiting task is leased in its place (a hand-off, not a claim).
        var waitingNamespaces: Set<NamespaceName> = []
        /// Tasks created here behind others of their namespace that already waited: the run that
        /// ends there hands its place over, so queueing them needs no claim.
        var queuedBehindOthers: Set<TaskKey> = []
        /// Whether the queue may hold tasks this replica could claim (set by what queues tasks or
        /// wakes the worker, and at each poll from the queue's depth): a run that ends without a
        /// hand-off makes the worker claim only then.
        var queueMayWait = true

        /// `task` was created here and waits in the queue.
        mutating func queued(_ task: TaskRecord) {
            queueMayWait = true
            guard waitingNamespaces.contains(task.namespace) else {
                // Bounded: beyond it, claims alone serve the namespaces that wait.
                if waitingNamespaces.count < TaskWorker.maximumWaitingNamespaces { waitingNamespaces.insert(task.namespace) }
                return
            }
            if queuedBehindOthers.count < TaskWorker.maximumWaitingNamespaces {
                queuedBehindOthers.insert(TaskKey(namespace: task.namespace, id: task.id))
            }
        }
    }

    private let runner: TaskRunner
    private let directory: NamespaceDirectory
    private let queueSettings: QueueSettings?
    /// Without a queue: runs of one namespace at once; the namespace's later jobs wait in order.
    public let maximumRunsPerNamespace: Int
    private let logger: Logger
    private let wakeups: AsyncStream<Void>
    private let wakeContinuation: AsyncStream<Void>.Continuation
    private let accepting = Mutex(true)
    /// How many namespaces with waiting tasks a worker remembers for hand-offs.
    static let maximumWaitingNamespaces = 10_000
    private let running = Mutex(Runs())

    /// - Parameters:
    ///   - directory: the namespaces, whose actors hold the runs.
    ///   - queue: the durable queue shared with other replicas (the server), if any.
    ///   - maximumRunsPerNamespace: without a queue, the runs of one namespace at once (32).
    public init(runner: TaskRunner, directory: NamespaceDirectory, queue: QueueSettings? = nil, maximumRunsPerNamespace: Int = 32, logger: Logger? = nil) {
        self.runner = runner
        self.directory = directory
        self.queueSettings = queue
        self.maximumRunsPerNamespace = max(1, maximumRunsPerNamespace)
        self.logger = logger ?? runner.logger
        (self.wakeups, self.wakeContinuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Creates a new task in `store`. With a durable queue and room on this replica, the task is
    /// leased here in the same write (if its namespace has room too) and `true` is returned: hand
    /// its job to ``submit(_:leased:)`` with `leased: true`, which runs it at once, without a claim.
    public func create(_ task: TaskRecord, events: [TaskEventRecord], pushConfigs: [PushConfigRecord], in store: any TaskStore) async throws -> Bool {
        guard let settings = queueSettings, reserve(settings) else {
            try await store.createTask(task, events: events, pushConfigs: pushConfigs)
            if queueSettings != nil { running.withLock { $0.queued(task) } }
            return false
        }
        let lease = TaskLeaseRequest(owner: settings.owner, duration: settings.lease, defaultNamespaceLimit: settings.defaultNamespaceLimit)
        do {
            let leased = try await settings.queue.createTask(task, events: events, pushConfigs: pushConfigs, lease: lease)
            if !leased {
                running.withLock { runs in
                    runs.reserved -= 1
                    runs.queued(task)
                }
            }
            return leased
        } catch {
            running.withLock { $0.reserved -= 1 }
            throw error
        }
    }

    /// Holds a place for a task about to be created here, if this replica has room.
    private func reserve(_ settings: QueueSettings) -> Bool {
        guard accepting.withLock({ $0 }) else { return false }
        return running.withLock { runs in
            guard runs.count < settings.maximumRuns else { return false }
            runs.reserved += 1
            return true
        }
    }

    /// Hands a job to its namespace (without a queue), runs a job whose task
    /// ``create(_:events:pushConfigs:in:)`` leased here (`leased`), or wakes the claim loop (the
    /// job is in the queue already). Returns `false` when the worker is shutting down.
    @discardableResult
    public func submit(_ job: TaskJob, leased: Bool = false) async -> Bool {
        let key = TaskKey(namespace: job.task.namespace, id: job.task.id)
        guard let settings = queueSettings else {
            let actor = directory.actor(for: key.namespace)
            // Counted under the same lock as the shutdown's flag: a shutdown waits for it.
            let taken = accepting.withLock { accepting in
                guard accepting else { return false }
                running.withLock { $0.handed(to: actor) }
                return true
            }
            guard taken else { return false }
            runner.metrics.recordTaskQueued(true)
            await actor.run(key.id, limit: maximumRunsPerNamespace) {
                self.runner.metrics.recordTaskQueued(false)
                await self.runner.run(job)
                self.ended(in: actor)
            }
            return true
        }
        guard leased else {
            guard accepting.withLock({ $0 }) else { return false }
            let needsClaim = running.withLock { runs in
                runs.queueMayWait = true
                return runs.queuedBehindOthers.remove(key) == nil
            }
            if needsClaim { wakeContinuation.yield() }
            return true
        }
        guard accepting.withLock({ $0 }) else {
            // Leased here but not to be run here: give the task back to the queue.
            running.withLock { $0.reserved -= 1 }
            Task { try? await settings.queue.releaseLease(owner: settings.owner, task: key) }
            return false
        }
        await start(job.task, job: job, settings: settings, reserved: true)
        return true
    }

    /// A run handed to `actor` ended.
    private func ended(in actor: NamespaceActor) {
        let waiting = running.withLock { $0.ended(in: actor) }
        for waiter in waiting { waiter.resume() }
    }

    /// Makes the worker look at the queue now (a task was queued or a lease released elsewhere).
    public func wake() {
        running.withLock { $0.queueMayWait = true }
        wakeContinuation.yield()
    }

    /// The tasks this replica runs now (or holds for a place in their namespace).
    public var runningTasks: Set<TaskKey> {
        get async { Set(await acceptedRuns().keys) }
    }

    /// Every run the namespace actors hold for this worker, with when it started.
    private func acceptedRuns() async -> [TaskKey: ContinuousClock.Instant] {
        var runs: [TaskKey: ContinuousClock.Instant] = [:]
        for actor in holders() {
            for (id, since) in await actor.acceptedRuns {
                runs[TaskKey(namespace: actor.name, id: id)] = since
            }
        }
        return runs
    }

    private func holders() -> [NamespaceActor] {
        running.withLock { $0.holders.values.map(\.actor) }
    }

    public func run() async throws {
        if let queueSettings {
            await runQueue(queueSettings)
            return
        }
        await withGracefulShutdownHandler {
            for await _ in wakeups {}
        } onGracefulShutdown: {
            self.accepting.withLock { accepting in
                accepting = false
                self.wakeContinuation.finish()
            }
        }
        // Ended by a shutdown or by cancellation: either way nothing would run a new job.
        accepting.withLock { $0 = false }
        await drain()
    }

    /// Waits until every accepted run ended; when cancelled (the shutdown deadline passed), stops them.
    private func drain() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let done = running.withLock { runs in
                    guard runs.started > 0 else { return true }
                    runs.drained.append(continuation)
                    return false
                }
                if done { continuation.resume() }
            }
        } onCancel: {
            let actors = holders()
            Task { for actor in actors { _ = await actor.stopRuns() } }
        }
    }

    // MARK: Durable queue

    private func runQueue(_ settings: QueueSettings) async {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.tick(every: settings.pollInterval, queue: settings.queue) }
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
            let claimed: [TaskRecord]
            do {
                claimed = try await settings.queue.claimTasks(
                    owner: settings.owner,
                    limit: min(free, 64),
                    lease: settings.lease,
                    defaultNamespaceLimit: settings.defaultNamespaceLimit
                )
            } catch {
                // An unreachable database is the server's to report, once (it retries every poll).
                logger.log(level: error.isUnavailableStore ? .debug : .warning, "Cannot claim queued tasks", metadata: ["error": "\(error)"])
                return
            }
            for task in claimed {
                await start(task, settings: settings)
            }
            // A full batch may mean more is waiting.
            guard claimed.count == min(free, 64) else { return }
        }
    }

    /// Runs a leased task: its `job` when the caller has it, else one made from the stored task.
    /// Its namespace's actor holds the run; the namespace's cap was decided when the task was
    /// leased (in PostgreSQL, across replicas), so the actor starts it at once.
    private func start(_ task: TaskRecord, job: TaskJob? = nil, settings: QueueSettings, reserved: Bool = false) async {
        let key = TaskKey(namespace: task.namespace, id: task.id)
        let actor = directory.actor(for: key.namespace)
        running.withLock { runs in
            if reserved { runs.reserved -= 1 }
            runs.handed(to: actor)
        }
        await actor.run(key.id) {
            let ran = await self.execute(task, job: job, settings: settings)
            await self.finish(key, in: actor, settings: settings, claimAgain: ran)
        }
    }

    /// A run ended: its place goes to the next waiting task of its namespace when tasks created
    /// here had to wait there (one statement on one namespace), else to a claim. Not when this
    /// replica was full: then other namespaces may wait for a place too, and the claim takes
    /// them in turn. A task given back unprepared (`claimAgain` false) leaves its place to the
    /// next poll: at once, the hand-off or the claim would take that same task again, in a loop.
    private func finish(_ key: TaskKey, in actor: NamespaceActor, settings: QueueSettings, claimAgain: Bool = true) async {
        let isAccepting = accepting.withLock { $0 }
        let (handsOff, drained) = running.withLock { runs in
            let wasFull = runs.count >= settings.maximumRuns
            let drained = runs.ended(in: actor)
            guard claimAgain, isAccepting, !wasFull, runs.waitingNamespaces.contains(key.namespace) else { return (false, drained) }
            runs.reserved += 1
            return (true, drained)
        }
        for waiter in drained { waiter.resume() }
        if handsOff {
            let lease = TaskLeaseRequest(owner: settings.owner, duration: settings.lease, defaultNamespaceLimit: settings.defaultNamespaceLimit)
            do {
                if let next = try await settings.queue.leaseNextTask(in: key.namespace, lease: lease) {
                    guard accepting.withLock({ $0 }) else {
                        // Shutting down meanwhile: give it back at once rather than let the lease run out.
                        running.withLock { $0.reserved -= 1 }
                        try? await settings.queue.releaseLease(owner: settings.owner, task: TaskKey(namespace: next.namespace, id: next.id))
                        return
                    }
                    await start(next, settings: settings, reserved: true)
                    return
                }
                running.withLock { runs in
                    runs.reserved -= 1
                    runs.waitingNamespaces.remove(key.namespace)
                }
            } catch {
                running.withLock { $0.reserved -= 1 }
                logger.debug("Cannot hand a place over; the claim takes it", metadata: ["error": "\(error)"])
            }
        }
        // Room for another task, worth a claim if anything may wait.
        if claimAgain, running.withLock({ $0.queueMayWait || !$0.waitingNamespaces.isEmpty }) {
            wakeContinuation.yield()
        }
    }

    /// Runs `task`, or settles it when it cannot run; `false` when it was given back unprepared.
    private func execute(_ task: TaskRecord, job prepared: TaskJob?, settings: QueueSettings) async -> Bool {
        var logger = logger
        logger[metadataKey: "namespace"] = "\(task.namespace)"
        logger[metadataKey: "task_id"] = "\(task.id)"
        guard accepting.withLock({ $0 }) else {
            // Handed over while the shutdown collected the runs to stop: give the task back now.
            try? await settings.queue.releaseLease(owner: settings.owner, task: TaskKey(namespace: task.namespace, id: task.id))
            return false
        }
        let job: TaskJob
        do {
            let made: Result<TaskJob, GraphExecutionError>
            if let prepared {
                made = .success(prepared)
            } else {
                made = try await settings.jobs.job(for: task)
            }
            switch made {
            case .success(let built):
                job = built
            case .failure(let reason):
                var record = task
                let message = Message(messageId: runner.ids.makeID(), role: .agent, parts: [.text(reason.message)])
                try await TaskCommitter(store: runner.store, bus: runner.bus, clock: runner.clock).commit(&record, updates: [.status(.failed, message: message)])
                return true
            }
        } catch {
            logger.warning("Cannot prepare a claimed task; releasing it", metadata: ["error": "\(error)"])
            try? await settings.queue.releaseLease(owner: settings.owner, task: TaskKey(namespace: task.namespace, id: task.id))
            return false
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
        return true
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
            guard running.withLock({ $0.started > 0 }) else {
                lastRenewal = started
                continue
            }
            do {
                let held = try await settings.queue.renewLeases(owner: settings.owner, lease: settings.lease)
                lastRenewal = started
                let unheld = await acceptedRuns().filter { key, since in since < started && !held.contains(key) }
                for key in unheld.keys {
                    // A run whose last write (which frees the lease) committed while the renewal
                    // ran is over, not lost: it leaves its namespace's runs as soon as it returns.
                    if let stored = try? await runner.store.task(namespace: key.namespace, id: key.id), stored.runInput == nil {
                        continue
                    }
                    logger.warning("Lost the lease of a running task; stopping its run here", metadata: ["task": "\(key)"])
                    await directory.actor(for: key.namespace).cancelRuns([key.id])
                }
            } catch {
                logger.warning("Cannot renew task leases", metadata: ["error": "\(error)"])
                if lastRenewal.duration(to: .now) >= settings.lease {
                    // Another replica may hold these tasks now: two runs of one task must not go on.
                    for actor in holders() { _ = await actor.stopRuns() }
                }
            }
        }
    }

    /// Looks at the queue every `interval`, and measures its depth.
    private func tick(every interval: Duration, queue: any TaskQueue) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            wakeContinuation.yield()
            if let waiting = try? await queue.waitingTaskCount() {
                runner.metrics.recordQueueWaiting(waiting)
                running.withLock { $0.queueMayWait = waiting > 0 }
            }
        }
    }

    /// Stops this replica's runs and gives their tasks back to the queue.
    private func handOver(_ settings: QueueSettings) async {
        var runs: [Task<Void, Never>] = []
        for actor in holders() { runs += await actor.stopRuns() }
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
