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

/// The runner keeps a task within its ``TaskLimits``: the update that would pass one is not
/// applied, the run is canceled and the task fails saying which limit.
@Suite(.timeLimit(.minutes(2))) struct TaskRunnerLimitsTests {
    static let namespace = NamespaceName("limits")!

    static func runner(store: InMemoryStore, executor: ScriptedExecutor, limits: TaskLimits) -> TaskRunner {
        var logger = Logger(label: "limits-test")
        logger.logLevel = .critical
        return TaskRunner(
            store: store, executor: executor, bus: LocalTaskEventBus(directory: NamespaceDirectory(ports: .inMemory())),
            ids: UUIDv7Generator(), clock: .system, logger: logger, limits: limits
        )
    }

    static func chunk(_ text: String, append: Bool) -> ScriptedExecutor.Step {
        .event(.update(.artifact(Artifact(artifactId: "response", parts: [.text(text)]), append: append, lastChunk: false)))
    }

    @Test func artifactsPastTheLimitFailTheTaskAndCancelTheRun() async throws {
        let store = InMemoryStore()
        let executor = ScriptedExecutor()
        let chunk = String(repeating: "x", count: 1000)
        // Ten chunks fit in 10,000 bytes; the eleventh does not; the rest is never read.
        executor.enqueue(
            [.event(.runStarted(runID: "run-big")), .event(.update(.status(.working, message: nil)))]
                + (0..<50).map { Self.chunk(chunk, append: $0 > 0) }
                + [.event(.update(.status(.completed, message: nil)))]
        )
        let runner = Self.runner(store: store, executor: executor, limits: TaskLimits(maximumArtifactBytes: 10_000))
        let job = try await RuntimeHarness.storedJob(in: store, namespace: Self.namespace)
        #expect(await runner.run(job) == .finished)

        let task = try #require(try await store.task(namespace: Self.namespace, id: "t"))
        #expect(task.state == .failed)
        #expect(task.artifactBytes <= 10_000)
        #expect(task.artifacts.first?.parts.count == 10, "every chunk within the limit was kept")
        let reason = try #require(task.status.message?.parts.first?.text)
        #expect(reason == "The graph's artifacts would grow past 10000 bytes (tasks.maxArtifactBytes); the run was stopped")
        #expect(executor.cancellations.map(\.runID) == ["run-big"])
        let events = try await store.events(namespace: Self.namespace, taskId: "t", afterSequence: 0)
        #expect(events.last?.endsStream() == true, "the failure is the last event")
    }

    @Test func aHistoryPastItsLengthFailsTheTask() async throws {
        let store = InMemoryStore()
        let executor = ScriptedExecutor()
        let statuses = (0..<30).map { index in
            let message = Message(messageId: "s\(index)", role: .agent, parts: [.text("step \(index)")])
            return ScriptedExecutor.Step.event(.update(.status(.working, message: message)))
        }
        executor.enqueue([.event(.runStarted(runID: "run-chatty"))] + statuses)
        let runner = Self.runner(store: store, executor: executor, limits: TaskLimits(maximumHistoryMessages: 10))
        let job = try await RuntimeHarness.storedJob(in: store, namespace: Self.namespace)
        #expect(await runner.run(job) == .finished)

        let task = try #require(try await store.task(namespace: Self.namespace, id: "t"))
        #expect(task.state == .failed)
        let reason = task.status.message?.parts.first?.text
        #expect(reason == "The task's history would grow past 10 messages (tasks.maxHistoryMessages); the run was stopped")
        // The last status within the limit moved into the history with the failure, one past it.
        #expect(task.history.count == 11)
        #expect(task.history.map(\.messageId) == (0...10).map { "s\($0)" })
        #expect(executor.cancellations.map(\.runID) == ["run-chatty"])
    }

    @Test func taskMessagesPastTheirSizeFailTheTask() async throws {
        let store = InMemoryStore()
        let executor = ScriptedExecutor()
        let big = Message(messageId: "big", role: .agent, parts: [.text(String(repeating: "m", count: 5000))])
        executor.enqueue([.event(.runStarted(runID: "run-wordy")), .event(.update(.status(.working, message: big)))])
        let runner = Self.runner(store: store, executor: executor, limits: TaskLimits(maximumHistoryBytes: 4096))
        let job = try await RuntimeHarness.storedJob(in: store, namespace: Self.namespace)
        #expect(await runner.run(job) == .finished)

        let task = try #require(try await store.task(namespace: Self.namespace, id: "t"))
        #expect(task.state == .failed)
        #expect(task.status.message?.parts.first?.text == "The task's messages would grow past 4 KiB (tasks.maxHistoryBytes); the run was stopped")
        #expect(!task.history.contains { $0.messageId == "big" })
    }

    @Test func aRunWithinTheLimitsCompletes() async throws {
        let store = InMemoryStore()
        let executor = ScriptedExecutor()
        executor.enqueue(ScriptedExecutor.completes(with: String(repeating: "y", count: 9_999)))
        let runner = Self.runner(store: store, executor: executor, limits: TaskLimits(maximumArtifactBytes: 10_000 + "response".utf8.count))
        let job = try await RuntimeHarness.storedJob(in: store, namespace: Self.namespace)
        #expect(await runner.run(job) == .finished)
        let task = try #require(try await store.task(namespace: Self.namespace, id: "t"))
        #expect(task.state == .completed)
        #expect(executor.cancellations.isEmpty)
    }

    /// Streams artifact chunks of 1 KiB for as long as it is read (up to 100,000, so that a runner
    /// that does not pace its reading ends rather than fill the memory), counting what was read.
    final class EndlessExecutor: GraphExecutor {
        private let pulled = Mutex(0)

        var pulls: Int { pulled.withLock { $0 } }

        func execute(_ request: GraphRunRequest) -> AsyncThrowingStream<ExecutionEvent, any Error> {
            AsyncThrowingStream(unfolding: { [self] in
                let count = pulled.withLock { count -> Int in
                    count += 1
                    return count
                }
                if count == 1 { return .runStarted(runID: "run-endless") }
                if count > 100_000 { return nil }
                let chunk = Artifact(artifactId: "a", parts: [.text(String(repeating: "z", count: 1024))])
                return .update(.artifact(chunk, append: count > 2, lastChunk: false))
            })
        }

        func cancel(_ run: GraphRunReference) async throws {}
    }

    @Test func whileAWriteIsInFlightTheRunnerReadsOnlyItsBudgetOfEvents() async throws {
        let store = TaskRunnerBatchingTests.GatedStore()
        let executor = EndlessExecutor()
        var logger = Logger(label: "limits-test")
        logger.logLevel = .critical
        let budget = 64 << 10
        let runner = TaskRunner(
            store: store, executor: executor, bus: LocalTaskEventBus(directory: NamespaceDirectory(ports: .inMemory())),
            ids: UUIDv7Generator(), clock: .system, logger: logger, limits: TaskLimits(maximumArtifactBytes: budget)
        )
        let job = try await RuntimeHarness.storedJob(in: store, namespace: Self.namespace)
        let running = Task { await runner.run(job) }
        // The first write waits for the store; the runner reads on until its budget is full, then
        // reads no more (the count stays the same) until the write is done.
        var unchanged = 0
        var last = -1
        for _ in 0..<5000 where unchanged < 50 {
            let pulls = executor.pulls
            unchanged = pulls == last ? unchanged + 1 : 0
            last = pulls
            try await Task.sleep(for: .milliseconds(2))
        }
        #expect(unchanged >= 50, "the runner kept reading: \(executor.pulls) events")
        // At most the batch being written and one budget waiting for the next write (each budget
        // plus the event that filled it, and the run's start).
        #expect(executor.pulls <= 2 * (budget / 1024 + 1) + 1, "read \(executor.pulls) events of about 1 KiB while the write waited")
        store.release()
        #expect(await running.value == .finished)
        let task = try #require(try await store.task(namespace: Self.namespace, id: "t"))
        #expect(task.state == .failed, "the chunks then outgrow the task's artifacts")
    }
}
