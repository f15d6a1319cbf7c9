//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
@testable import CleverAgentsRuntime
import CleverAgentsTestSupport
import Logging
import ServiceLifecycleTestKit
import Synchronization
import Testing

/// The runs a namespace actor holds on this replica: in order, within the namespace's cap, one
/// run of a task at a time, and every accepted run ending once, even when stopped before it started.
@Suite(.timeLimit(.minutes(2))) struct NamespaceRunQueueTests {
    static let body: NamespaceRunQueue.Body = {}

    /// Accepts a run of each of `ids` in turn: which of them started at once.
    static func accept(_ ids: [String], limit: Int, into queue: inout NamespaceRunQueue) -> [Bool] {
        ids.map { queue.accept($0, limit: limit, body: body, now: .now).startsNow }
    }

    /// Ends the run of `id`: the runs that start in its place.
    static func end(_ id: String, in queue: inout NamespaceRunQueue) -> [String] {
        queue.ended(id, now: .now).map(\.id)
    }

    @Test func runsBeyondTheLimitWaitInTheOrderTheyCame() {
        var queue = NamespaceRunQueue()
        let started = Self.accept(["a", "b", "c", "d"], limit: 2, into: &queue)
        #expect(started == [true, true, false, false], "the namespace's two places are taken")
        #expect(Set(queue.running.keys) == ["a", "b"])
        let afterB = Self.end("b", in: &queue)
        #expect(afterB == ["c"], "the oldest waiting run takes the place")
        let afterA = Self.end("a", in: &queue)
        #expect(afterA == ["d"])
        let afterRest = Self.end("c", in: &queue) + Self.end("d", in: &queue)
        #expect(afterRest.isEmpty)
        #expect(queue.isEmpty)
    }

    /// A claim of a task that still ends its previous run here (its lease ran out meanwhile)
    /// waits for that run alone: no other task of the namespace waits behind it.
    @Test func aTasksNextRunWaitsForItsPreviousOneWithoutHoldingUpOthers() {
        var queue = NamespaceRunQueue()
        let started = Self.accept(["a", "a", "b", "c"], limit: .max, into: &queue)
        #expect(started == [true, false, true, true], "the continuation of 'a' waits; 'b' and 'c' have places")
        #expect(queue.acceptedRuns.count == 3, "a task counts once")
        let afterB = Self.end("b", in: &queue)
        #expect(afterB.isEmpty, "'a' still runs")
        let afterA = Self.end("a", in: &queue)
        #expect(afterA == ["a"])
    }

    @Test func aRaisedLimitStartsTheWaitingRunsOldestFirst() {
        var queue = NamespaceRunQueue()
        let started = Self.accept(["a", "b", "c"], limit: 1, into: &queue)
        #expect(started == [true, false, false])
        let raised = queue.accept("d", limit: 3, body: Self.body, now: .now)
        #expect(raised.startsNow == false, "older runs take the new places first")
        #expect(raised.runs.map(\.id) == ["b", "c"])
        let afterA = Self.end("a", in: &queue)
        #expect(afterA == ["d"])
    }

    @Test func aPlaceThatFreesUpSkipsARunWhoseTaskStillRuns() {
        var queue = NamespaceRunQueue()
        let started = Self.accept(["a", "b", "a", "c"], limit: 2, into: &queue)
        #expect(started == [true, true, false, false])
        let afterB = Self.end("b", in: &queue)
        #expect(afterB == ["c"], "'a' still runs: its next run waits on, and 'c' goes first")
        let afterA = Self.end("a", in: &queue)
        #expect(afterA == ["a"])
    }

    @Test func aWaitingRunThatIsCancelledIsHandedBackToStartCancelled() {
        var queue = NamespaceRunQueue()
        let started = Self.accept(["a", "b", "c"], limit: 1, into: &queue)
        #expect(started == [true, false, false])
        let (running, waiting) = queue.cancel(["b"])
        #expect(running.isEmpty, "'a' was not started through the queue here, so there is no task to cancel")
        #expect(waiting.map(\.id) == ["b"])
        let afterA = Self.end("a", in: &queue)
        #expect(afterA == ["c"], "'b' left the order")
    }

    // MARK: The actor

    /// Bodies that wait at a gate of their own, and record the order in which they started and
    /// which of them were cancelled.
    final class Gates: Sendable {
        private struct State {
            var started: [String] = []
            var cancelled: [String] = []
            var gates: [String: (stream: AsyncStream<Void>, continuation: AsyncStream<Void>.Continuation)] = [:]
        }

        private let state = Mutex(State())

        private func gate(_ id: String) -> AsyncStream<Void> {
            state.withLock { state in
                if let gate = state.gates[id] { return gate.stream }
                let gate = AsyncStream<Void>.makeStream()
                state.gates[id] = gate
                return gate.stream
            }
        }

        func body(_ id: String) -> @Sendable () async -> Void {
            {
                let gate = self.gate(id)
                self.state.withLock { $0.started.append(id) }
                for await _ in gate {}
                if Task.isCancelled { self.state.withLock { $0.cancelled.append(id) } }
            }
        }

        func open(_ id: String) {
            _ = gate(id)
            state.withLock { $0.gates[id]?.continuation.finish() }
        }

        var started: [String] { state.withLock { $0.started } }
        var cancelled: [String] { state.withLock { $0.cancelled } }
    }

    @Test func theActorRunsItsNamespaceWithinItsCapAndInOrder() async throws {
        let actor = NamespaceActor(name: NamespaceName("acme")!, ports: .inMemory())
        let gates = Gates()
        #expect(await actor.run("a", limit: 2, gates.body("a")))
        #expect(await actor.run("b", limit: 2, gates.body("b")))
        #expect(await actor.run("c", limit: 2, gates.body("c")) == false)
        #expect(await actor.run("d", limit: 2, gates.body("d")) == false)
        #expect(await waitUntil(.seconds(60)) { Set(gates.started) == ["a", "b"] })
        #expect(await actor.runCounts == (2, 2))
        #expect(await actor.isIdle == false, "an actor with runs is not evicted")
        gates.open("b")
        #expect(await waitUntil(.seconds(60)) { gates.started.count == 3 })
        #expect(gates.started.last == "c")
        gates.open("a")
        gates.open("c")
        gates.open("d")
        #expect(await waitUntil(.seconds(60)) { await actor.runCounts == (0, 0) })
        #expect(gates.started.suffix(2) == ["c", "d"])
        #expect(await actor.isIdle)
    }

    @Test func stoppingRunsCancelsTheRunningAndEndsTheWaitingOnce() async throws {
        let actor = NamespaceActor(name: NamespaceName("acme")!, ports: .inMemory())
        let gates = Gates()
        await actor.run("a", limit: 1, gates.body("a"))
        await actor.run("b", limit: 1, gates.body("b"))
        await actor.run("c", limit: 1, gates.body("c"))
        #expect(await waitUntil(.seconds(60)) { gates.started == ["a"] })
        #expect(Set(await actor.acceptedRuns.keys) == ["a", "b", "c"])
        await actor.cancelRuns(["c"])
        #expect(await waitUntil(.seconds(60)) { gates.cancelled == ["c"] }, "a waiting run stopped before it started still runs, cancelled")
        let tasks = await actor.stopRuns()
        for task in tasks { await task.value }
        #expect(Set(gates.cancelled) == ["a", "b", "c"])
        #expect(gates.started.filter { $0 == "b" }.count == 1, "each body ran once")
        #expect(await waitUntil(.seconds(60)) { await actor.isIdle })
    }

    /// Local mode: the worker hands jobs to their namespaces, which run at most their cap at once;
    /// another namespace is not held up by a busy one.
    @Test func aLocalWorkerRunsANamespaceWithinItsCapAndOthersBesideIt() async throws {
        let store = InMemoryStore()
        let (busy, other) = (NamespaceName("busy")!, NamespaceName("other")!)
        let executor = ScriptedExecutor(defaultScript: [.wait("go")] + ScriptedExecutor.completes(with: "done"))
        let directory = NamespaceDirectory(ports: .inMemory(store))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let runner = TaskRunner(store: store, executor: executor, bus: LocalTaskEventBus(directory: directory), ids: UUIDv7Generator(), clock: .system, logger: logger)
        let worker = TaskWorker(runner: runner, directory: directory, maximumRunsPerNamespace: 2)
        try await testGracefulShutdown { trigger in
            let running = Task { try await worker.run() }
            for id in ["t1", "t2", "t3"] {
                #expect(await worker.submit(try await RuntimeHarness.storedJob(in: store, namespace: busy, id: id)))
            }
            #expect(await worker.submit(try await RuntimeHarness.storedJob(in: store, namespace: other, id: "o1")))
            #expect(await waitUntil(.seconds(60)) { executor.requests.count == 3 })
            #expect(Set(executor.requests.map(\.taskId)) == ["t1", "t2", "o1"], "the third task of 'busy' waits for a place")
            #expect(await directory.actor(for: busy).runCounts == (2, 1))
            #expect(await worker.runningTasks.count == 4)
            trigger.triggerGracefulShutdown()
            #expect(await worker.submit(try await RuntimeHarness.storedJob(in: store, namespace: other, id: "o2")) == false)
            executor.open("go")
            try await running.value
            #expect(executor.requests.map(\.taskId).last == "t3", "the waiting task ran before the shutdown ended")
            for id in ["t1", "t2", "t3"] {
                #expect(try await store.task(namespace: busy, id: id)?.state == .completed)
            }
        }
    }
}
