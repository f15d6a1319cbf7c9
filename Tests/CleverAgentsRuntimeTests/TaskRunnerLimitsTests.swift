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
import Testing

/// The runner keeps a task within its ``TaskLimits``: the update that would pass one is not
/// applied, the run is canceled and the task fails saying which limit.
@Suite struct TaskRunnerLimitsTests {
    static let namespace = NamespaceName("limits")!

    static func runner(store: InMemoryStore, executor: ScriptedExecutor, limits: TaskLimits) -> TaskRunner {
        var logger = Logger(label: "limits-test")
        logger.logLevel = .critical
        return TaskRunner(
            store: store, executor: executor, bus: LocalTaskEventBus(directory: NamespaceDirectory()),
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
}
