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
@Suite(.timeLimit(.minutes(2))) struct TaskRunnerStoreFailureTests {
    /// An in-memory store whose task updates fail with `error`.
    struct RefusingStore: WrappingTaskStore {
        let base = InMemoryStore()
        let error: any Error & Sendable

        func updateTask(_ task: TaskRecord, expectedVersion: Int64, appending events: [TaskEventRecord]) async throws {
            throw error
        }
    }

    struct DiskFull: Error {}

    static func run(store: RefusingStore, executor: ScriptedExecutor) async throws -> (TaskRunner.Outcome, TaskRecord?) {
        var logger = Logger(label: "store-failure-test")
        logger.logLevel = .critical
        let runner = TaskRunner(
            store: store, executor: executor, bus: LocalTaskEventBus(directory: NamespaceDirectory(ports: .inMemory())),
            ids: UUIDv7Generator(), clock: .system, logger: logger
        )
        let namespace = NamespaceName("refused")!
        let job = try await RuntimeHarness.storedJob(in: store, namespace: namespace)
        let outcome = await runner.run(job)
        return (outcome, try await store.task(namespace: namespace, id: job.task.id))
    }

    @Test func anUnavailableStoreInterruptsTheRunAndLeavesTheTaskToBeTakenUpAgain() async throws {
        let store = RefusingStore(error: StoreError.unavailable("the database restarts"))
        let executor = ScriptedExecutor(defaultScript: [.event(.runStarted(runID: "r")), .event(.update(.status(.working, message: nil)))])
        let (outcome, task) = try await Self.run(store: store, executor: executor)
        #expect(outcome == .interrupted)
        #expect(task?.state == .submitted)
        #expect(task?.runID == nil)
    }

    @Test func aFailedRunWhoseFailureCannotBeRecordedIsInterrupted() async throws {
        let store = RefusingStore(error: DiskFull())
        let executor = ScriptedExecutor(defaultScript: [.fail("connection refused")])
        let (outcome, task) = try await Self.run(store: store, executor: executor)
        #expect(outcome == .interrupted)
        #expect(task?.state == .submitted)
    }
}
