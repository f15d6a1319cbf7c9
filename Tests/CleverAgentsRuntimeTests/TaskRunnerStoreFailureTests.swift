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

/// A run whose writes fail leaves its task as stored and reports an interruption, so that the
/// queue gives the task to a runner again; nothing the run did is taken as written.
@Suite struct TaskRunnerStoreFailureTests {
    /// An in-memory store whose task updates fail with `error`.
    struct RefusingStore: TaskStore {
        let base = InMemoryStore()
        let error: any Error & Sendable

        func updateTask(_ task: TaskRecord, expectedVersion: Int64, appending events: [TaskEventRecord]) async throws {
            throw error
        }

        func createTask(_ task: TaskRecord, events: [TaskEventRecord], pushConfigs: [PushConfigRecord]) async throws {
            try await base.createTask(task, events: events, pushConfigs: pushConfigs)
        }

        func task(namespace: NamespaceName, id: String) async throws -> TaskRecord? {
            try await base.task(namespace: namespace, id: id)
        }

        func events(namespace: NamespaceName, taskId: String, afterSequence: Int64) async throws -> [TaskEventRecord] {
            try await base.events(namespace: namespace, taskId: taskId, afterSequence: afterSequence)
        }

        func listTasks(namespace: NamespaceName, query: TaskQuery) async throws -> TaskPage {
            try await base.listTasks(namespace: namespace, query: query)
        }
    }

    /// Emits `events`, then fails with `failure` when one is given.
    struct ScriptedExecutor: GraphExecutor {
        let events: [ExecutionEvent]
        let failure: (any Error & Sendable)?

        func execute(_ request: GraphRunRequest) -> AsyncThrowingStream<ExecutionEvent, any Error> {
            AsyncThrowingStream { continuation in
                for event in events { continuation.yield(event) }
                continuation.finish(throwing: failure)
            }
        }

        func cancel(_ run: GraphRunReference) async throws {}
    }

    struct DiskFull: Error {}

    static func run(store: RefusingStore, executor: ScriptedExecutor) async throws -> (TaskRunner.Outcome, TaskRecord?) {
        var logger = Logger(label: "store-failure-test")
        logger.logLevel = .critical
        let runner = TaskRunner(
            store: store, executor: executor, bus: LocalTaskEventBus(directory: NamespaceDirectory()),
            ids: UUIDv7Generator(), clock: .system, logger: logger
        )
        let namespace = NamespaceName("refused")!
        let job = try await RuntimeHarness.storedJob(in: store, namespace: namespace)
        let outcome = await runner.run(job)
        return (outcome, try await store.task(namespace: namespace, id: job.task.id))
    }

    @Test func anUnavailableStoreInterruptsTheRunAndLeavesTheTaskToBeTakenUpAgain() async throws {
        let store = RefusingStore(error: StoreError.unavailable("the database restarts"))
        let executor = ScriptedExecutor(events: [.runStarted(runID: "r"), .update(.status(.working, message: nil))], failure: nil)
        let (outcome, task) = try await Self.run(store: store, executor: executor)
        #expect(outcome == .interrupted)
        #expect(task?.state == .submitted)
        #expect(task?.runID == nil)
    }

    @Test func aFailedRunWhoseFailureCannotBeRecordedIsInterrupted() async throws {
        let store = RefusingStore(error: DiskFull())
        let executor = ScriptedExecutor(events: [], failure: GraphExecutionError(upstream: "connection refused"))
        let (outcome, task) = try await Self.run(store: store, executor: executor)
        #expect(outcome == .interrupted)
        #expect(task?.state == .submitted)
    }
}
