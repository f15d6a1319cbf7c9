//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import CleverAgentsRuntime
import CleverAgentsTestSupport
import Logging
import Synchronization
import Testing

/// The runner writes the events that arrived while a write was in flight in one write: a graph's
/// burst of updates costs one round trip, not one each.
@Suite(.timeLimit(.minutes(2))) struct TaskRunnerBatchingTests {
    /// An in-memory task store whose first update waits for ``release()``, and that counts updates.
    final class GatedStore: WrappingTaskStore {
        let base = InMemoryStore()
        private let state = Mutex<(updates: Int, released: Bool, waiter: CheckedContinuation<Void, Never>?)>((0, false, nil))

        var updates: Int { state.withLock { $0.updates } }

        func release() {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.released = true
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }

        func updateTask(_ task: TaskRecord, expectedVersion: Int64, appending events: [TaskEventRecord]) async throws {
            let first = state.withLock { state -> Bool in
                state.updates += 1
                return state.updates == 1
            }
            if first {
                await withCheckedContinuation { continuation in
                    let released = state.withLock { state -> Bool in
                        if !state.released { state.waiter = continuation }
                        return state.released
                    }
                    if released { continuation.resume() }
                }
            }
            try await base.updateTask(task, expectedVersion: expectedVersion, appending: events)
        }
    }

    /// Emits its events as fast as they are read, and tells when the runner has read them all.
    struct BurstExecutor: GraphExecutor {
        let events: [ExecutionEvent]
        let drained: AsyncStream<Void>.Continuation

        func execute(_ request: GraphRunRequest) -> AsyncThrowingStream<ExecutionEvent, any Error> {
            let remaining = Mutex(events[...])
            return AsyncThrowingStream {
                let next = remaining.withLock { $0.popFirst() }
                if next == nil { drained.yield() }
                return next
            }
        }

        func cancel(_ run: GraphRunReference) async throws {}
    }

    @Test func eventsThatArriveDuringAWriteShareTheNextWrite() async throws {
        let namespace = NamespaceName("burst")!
        let store = GatedStore()
        let (drained, drainedContinuation) = AsyncStream<Void>.makeStream()
        let updates: [TaskUpdate] = [
            .status(.working, message: nil),
            .status(.working, message: Message(messageId: "p", role: .agent, parts: [.text("thinking")])),
            .artifact(Artifact(artifactId: "a", parts: [.text("answer")]), append: false, lastChunk: true),
            .status(.completed, message: nil),
        ]
        let executor = BurstExecutor(events: [.runStarted(runID: "r")] + updates.map(ExecutionEvent.update), drained: drainedContinuation)
        var logger = Logger(label: "batching-test")
        logger.logLevel = .critical
        let runner = TaskRunner(
            store: store, executor: executor, bus: LocalTaskEventBus(directory: NamespaceDirectory(ports: .inMemory())),
            ids: UUIDv7Generator(), clock: .system, logger: logger
        )
        let job = try await RuntimeHarness.storedJob(in: store, namespace: namespace)
        let running = Task { await runner.run(job) }
        // Every event is read (and buffered) while the first write, whatever it holds, waits.
        for await _ in drained { break }
        store.release()
        #expect(await running.value == .finished)

        let finished = try #require(try await store.task(namespace: namespace, id: "t"))
        #expect(finished.state == .completed)
        #expect(finished.runID == "r")
        #expect(finished.artifacts.map(\.artifactId) == ["a"])
        let stored = try await store.events(namespace: namespace, taskId: "t", afterSequence: 1)
        #expect(stored.count == updates.count, "every update is an event")
        #expect(store.updates <= 2, "\(updates.count) updates took \(store.updates) writes")
    }

    /// A run that never ends while the test runs: it keeps another run active on the runner.
    struct EndlessExecutor: GraphExecutor {
        /// Told when the run starts: it is active then.
        let started: AsyncStream<Void>.Continuation

        func execute(_ request: GraphRunRequest) -> AsyncThrowingStream<ExecutionEvent, any Error> {
            started.yield()
            return AsyncThrowingStream { _ in }
        }

        func cancel(_ run: GraphRunReference) async throws {}
    }

    /// Dispatches each run to the executor of its namespace.
    struct ExecutorPerNamespace: GraphExecutor {
        let executors: [NamespaceName: any GraphExecutor]

        func execute(_ request: GraphRunRequest) -> AsyncThrowingStream<ExecutionEvent, any Error> {
            executors[request.namespace]!.execute(request)
        }

        func cancel(_ run: GraphRunReference) async throws {}
    }

    /// With a gathering window, while another run is active, a run's events wait for more and
    /// share one write; the event that ends the run ends the wait (a window of five minutes would
    /// pass the test's time limit). A run alone writes each batch at once: the first event,
    /// which the runner takes alone, then the rest.
    @Test(.timeLimit(.minutes(1)), arguments: [true, false])
    func eventsWaitForMoreWhileOtherRunsAreActive(othersActive: Bool) async throws {
        let store = GatedStore()
        store.release()
        let busy = NamespaceName("busy")!
        let gathered = NamespaceName("gathered")!
        let (drained, drainedContinuation) = AsyncStream<Void>.makeStream()
        let (started, startedContinuation) = AsyncStream<Void>.makeStream()
        // The first event is over the budget of 100 bytes, so the runner takes it alone; the two
        // after it fit in the budget, so a gathering may hold them (the run id comes second here
        // so that it does too).
        let thinking = Message(messageId: "p", role: .agent, parts: [.text(String(repeating: "x", count: 100))])
        let events: [ExecutionEvent] = [.update(.status(.working, message: thinking)), .runStarted(runID: "r"), .update(.status(.completed, message: nil))]
        var logger = Logger(label: "gathering-test")
        logger.logLevel = .critical
        let runner = TaskRunner(
            store: store,
            executor: ExecutorPerNamespace(executors: [busy: EndlessExecutor(started: startedContinuation), gathered: BurstExecutor(events: events, drained: drainedContinuation)]),
            bus: LocalTaskEventBus(directory: NamespaceDirectory(ports: .inMemory())), ids: UUIDv7Generator(), clock: .system, logger: logger,
            limits: TaskLimits(maximumArtifactBytes: 100), gatherWindow: .seconds(300)
        )
        var other: Task<TaskRunner.Outcome, Never>?
        if othersActive {
            let job = try await RuntimeHarness.storedJob(in: store, namespace: busy)
            other = Task { await runner.run(job) }
            // Active from before its graph starts.
            for await _ in started { break }
        }
        let job = try await RuntimeHarness.storedJob(in: store, namespace: gathered)
        #expect(await runner.run(job) == .finished)
        other?.cancel()
        _ = await other?.value
        drainedContinuation.finish()
        for await _ in drained {}

        let finished = try #require(try await store.task(namespace: gathered, id: "t"))
        #expect(finished.state == .completed)
        #expect(finished.runID == "r")
        if othersActive {
            #expect(store.updates == 1, "gathered into one write: \(store.updates) writes")
        } else {
            #expect(store.updates > 1, "a run alone writes each batch at once: \(store.updates) writes")
        }
    }
}
