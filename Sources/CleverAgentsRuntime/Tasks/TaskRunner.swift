//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import Synchronization
public import CleverAgentsDomain
public import Logging

/// Executes one task turn: runs the graph, turns each execution event into a task change,
/// stores it with its event in one write, and announces the event.
public struct TaskRunner: Sendable {
    public let store: any TaskStore
    public let executor: any GraphExecutor
    public let bus: any TaskEventBus
    public let ids: any IdentifierGenerator
    public let clock: A2ATimestampSource
    public let logger: Logger
    public let metrics: ServerMetrics
    /// How large a task may grow from what its graph sends.
    public let limits: TaskLimits
    /// How long the events of a run wait for more before they are written, while other runs are
    /// active on this replica (``ActiveRuns``): the events a graph sends in a burst then share
    /// one write. The wait ends as soon as an event ends the run; `.zero` writes every batch at once.
    public let gatherWindow: Duration
    /// The runs active on this replica, shared by the runner's copies.
    let active = ActiveRuns()

    public init(
        store: any TaskStore,
        executor: any GraphExecutor,
        bus: any TaskEventBus,
        ids: any IdentifierGenerator,
        clock: A2ATimestampSource,
        logger: Logger,
        metrics: ServerMetrics = ServerMetrics(),
        limits: TaskLimits = TaskLimits(),
        gatherWindow: Duration = .zero
    ) {
        self.store = store
        self.executor = executor
        self.bus = bus
        self.ids = ids
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
        self.limits = limits
        self.gatherWindow = gatherWindow
    }

    /// How a run of the runner ended.
    public enum Outcome: Sendable, Hashable {
        /// The task reached the end of its run (terminal, or waiting for input), or another
        /// writer changed it (a cancel).
        case finished
        /// The runner stopped with the task still needing its run: it was cancelled (shutdown,
        /// a lost lease) or the store could not be written. The run goes on in LangGraph; the
        /// queue gives the task to a runner again, which re-joins it.
        case interrupted
    }

    /// Runs the job to the end of the run. Returns early, leaving the task as it is, when
    /// cancelled (shutdown) or when the store is unavailable; another runner then takes the task over.
    @discardableResult
    public func run(_ job: TaskJob) async -> Outcome {
        var logger = logger
        logger[metadataKey: "namespace"] = "\(job.task.namespace)"
        logger[metadataKey: "task_id"] = "\(job.task.id)"
        var record = job.task
        var startedRunID = job.task.runID
        let started = ContinuousClock.now
        var sawEvent = false
        metrics.recordRunActive(true)
        active.enter()
        defer {
            active.leave()
            metrics.recordRunActive(false)
            let ended = record.state.isTerminal || record.state.isInterrupted
            metrics.recordExecutorRun(outcome: ended ? ServerMetrics.stateName(record.state) : "interrupted", duration: ContinuousClock.now - started)
        }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                // The events that arrive while a write is in flight share the next write. No more
                // than a task's artifacts' worth of them wait: then the executor is not read (nor
                // the graph server) until the write is done.
                let events = EventBatchBuffer<ExecutionEvent>(maximumPendingBytes: limits.maximumArtifactBytes, size: { $0.contentBytes })
                group.addTask { [executor] in
                    do {
                        for try await event in executor.execute(job.request) {
                            events.append(event)
                            await events.waitForRoom()
                        }
                        events.finish()
                    } catch {
                        events.finish(throwing: error)
                    }
                }
                defer { group.cancelAll() }
                while var batch = try await events.next() {
                    try Task.checkCancellation()
                    if gatherWindow > .zero, !Self.endsRun(batch), active.count > 1 {
                        batch += await events.gather(for: gatherWindow) { Self.endsRun($0) }
                        try Task.checkCancellation()
                    }
                    if !sawEvent {
                        sawEvent = true
                        metrics.recordExecutorFirstEvent(after: ContinuousClock.now - started)
                    }
                    var updates: [TaskUpdate] = []
                    for event in batch {
                        switch event {
                        case .runStarted(let runID):
                            startedRunID = runID
                            record.runID = runID
                        case .update(let update):
                            updates.append(update)
                        case .reply(let message):
                            record.repliedWithMessage = true
                            updates.append(.status(.completed, message: message))
                        }
                    }
                    try await commit(&record, updates: updates, limits: limits)
                    if record.state.isTerminal || record.state.isInterrupted { break }
                }
            }
            // A cancelled run's stream ends early: that is an interruption, not a failed run.
            try Task.checkCancellation()
            if !(record.state.isTerminal || record.state.isInterrupted) {
                try await fail(&record, reason: "The graph run ended without a result")
            }
        } catch is CancellationError {
            logger.debug("Task run interrupted by shutdown; its lease will let another replica continue it")
            return .interrupted
        } catch StoreError.unavailable(let reason) {
            // Not the task's fault: leave it to be taken up again once the database answers.
            logger.warning("Task run stopped: the store is unavailable; the task will be taken up again", metadata: ["error": "\(reason)"])
            return .interrupted
        } catch TaskRunInterrupted.taskChanged {
            logger.debug("The task was changed by another writer (canceled); stopping its run")
            await cancelRun(startedRunID, of: job, logger: logger)
        } catch let error as TaskUpdateError where error.isLimit {
            // The graph's output outgrew the task. The execution was stopped when the group ended
            // (its connection dropped); the run itself would go on in LangGraph.
            logger.warning("The task reached a size limit; stopping its run", metadata: ["limit": "\(error)"])
            await cancelRun(startedRunID, of: job, logger: logger)
            do {
                try await fail(&record, reason: Self.describe(error, ids: ids).message)
            } catch {
                logger.error("Could not record the task failure", metadata: ["error": "\(error)"])
                return .interrupted
            }
        } catch {
            let (reason, errorID) = Self.describe(error, ids: ids)
            logger.warning("Task run failed", metadata: ["error": "\(Self.loggable(error))", "error_id": "\(errorID ?? "-")"])
            do {
                try await fail(&record, reason: reason)
            } catch {
                logger.error("Could not record the task failure", metadata: ["error": "\(error)"])
                return .interrupted
            }
        }
        return .finished
    }

    /// Whether `events` end the run (a reply, a terminal or input-required status).
    static func endsRun(_ events: [ExecutionEvent]) -> Bool {
        events.contains { event in
            switch event {
            case .reply: true
            case .update(.status(let state, _)): state.isTerminal || state.isInterrupted
            case .runStarted, .update(.artifact): false
            }
        }
    }

    /// Asks the graph server to stop the run, when it started; a failure is only logged.
    private func cancelRun(_ runID: String?, of job: TaskJob, logger: Logger) async {
        guard let runID else { return }
        let run = GraphRunReference(actor: job.request.actor, apiKey: job.request.apiKey, threadID: job.request.threadID, runID: runID)
        do {
            try await executor.cancel(run)
        } catch {
            logger.warning("Could not cancel the run of a stopped task", metadata: ["error": "\(error)"])
        }
    }

    private func fail(_ record: inout TaskRecord, reason: String) async throws {
        guard !record.state.isTerminal else { return }
        let message = Message(messageId: ids.makeID(), role: .agent, parts: [.text(reason)])
        try await commit(&record, updates: [.status(.failed, message: message)])
    }

    private func commit(_ record: inout TaskRecord, updates: [TaskUpdate], limits: TaskLimits = .unlimited) async throws {
        do {
            try await TaskCommitter(store: store, bus: bus, clock: clock).commit(&record, updates: updates, limits: limits)
        } catch StoreError.conflict {
            // Someone else changed the task (a cancel): stop, and stop the run if it is ours.
            throw TaskRunInterrupted.taskChanged
        }
    }

    /// The failed task's status message, and the error id it names when the details went to the
    /// log only: what a graph server (or the network to it) said never reaches the caller.
    static func describe(_ error: any Error, ids: any IdentifierGenerator) -> (message: String, errorID: String?) {
        if let error = error as? GraphExecutionError, error.detail == nil {
            return (error.message, nil)
        }
        if let error = error as? TaskUpdateError, let reason = Self.reason(error) {
            return (reason, nil)
        }
        let errorID = ids.makeID()
        return ("The graph server could not run the task (error \(errorID)); the server's log has the details", errorID)
    }

    /// An error as the log shows it: bounded, and with control characters escaped, since a graph
    /// server chooses much of it.
    static func loggable(_ error: any Error) -> String {
        let text = (error as? GraphExecutionError).map { $0.detail ?? $0.message } ?? "\(error)"
        return text.escapedForLog(limit: 500)
    }

    /// Why a task that reached a size limit failed, naming the limit's configuration key.
    static func reason(_ error: TaskUpdateError) -> String? {
        switch error {
        case .artifactsTooLarge(let limit):
            "The graph's artifacts would grow past \(ByteCount.text(limit)) (tasks.maxArtifactBytes); the run was stopped"
        case .historyTooLong(let limit):
            "The task's history would grow past \(limit) messages (tasks.maxHistoryMessages); the run was stopped"
        case .historyTooLarge(let limit):
            "The task's messages would grow past \(ByteCount.text(limit)) (tasks.maxHistoryBytes); the run was stopped"
        case .taskIsTerminal, .unknownArtifact:
            nil
        }
    }
}

/// Why a run stopped without finishing its task.
enum TaskRunInterrupted: Error {
    /// The stored task changed under the runner (it was canceled).
    case taskChanged
}

/// A failure of the graph server that ends a task.
///
/// Either ``message`` is ours and safe to show the caller (a time limit, a thread that cannot
/// resume), or the failure carries a ``detail`` that came from the graph server or the network
/// to it: that goes to the log only, and the task fails with a generic message and an error id.
public struct GraphExecutionError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    /// What the graph server said, for the log; `nil` when ``message`` says everything.
    public var detail: String?

    /// A failure described in our own words, shown to the caller as it is.
    public init(_ message: String) {
        self.message = message
        self.detail = nil
    }

    /// A failure whose description holds what an upstream said: never shown to the caller.
    public init(upstream detail: String) {
        self.message = "The graph server could not run the task"
        self.detail = detail
    }

    public var description: String { detail.map { "\(message): \($0)" } ?? message }
}

/// How many runs a replica has active: a count shared by the copies of a ``TaskRunner``.
final class ActiveRuns: Sendable {
    private let value = Atomic<Int>(0)

    var count: Int { value.load(ordering: .relaxed) }

    func enter() { value.add(1, ordering: .relaxed) }

    func leave() { value.subtract(1, ordering: .relaxed) }
}
