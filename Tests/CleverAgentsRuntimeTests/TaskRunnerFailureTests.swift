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
import Synchronization
import Testing

/// A run stopped at a size limit when what follows fails too: the failure cannot be written,
/// or the graph server refuses to stop the run; and how run failures are worded.
@Suite(.timeLimit(.minutes(2))) struct TaskRunnerFailureTests {
    static let namespace = NamespaceName("test-runner")!

    /// An in-memory store that refuses to write a failed task.
    struct NoFailureWrites: WrappingTaskStore {
        let base = InMemoryStore()
        struct Refused: Error {}

        func updateTask(_ task: TaskRecord, expectedVersion: Int64, appending events: [TaskEventRecord]) async throws {
            if task.state == .failed { throw Refused() }
            try await base.updateTask(task, expectedVersion: expectedVersion, appending: events)
        }
    }

    /// A scripted executor whose graph server refuses every cancel.
    final class UncancelableExecutor: GraphExecutor {
        let base: ScriptedExecutor
        let cancels = Mutex(0)
        struct Refused: Error {}

        init(base: ScriptedExecutor) {
            self.base = base
        }

        func execute(_ request: GraphRunRequest) -> AsyncThrowingStream<ExecutionEvent, any Error> {
            base.execute(request)
        }

        func cancel(_ run: GraphRunReference) async throws {
            cancels.withLock { $0 += 1 }
            throw Refused()
        }
    }

    static func runner(store: any TaskStore, executor: any GraphExecutor) -> TaskRunner {
        var logger = Logger(label: "test-runner")
        logger.logLevel = .critical
        return TaskRunner(
            store: store, executor: executor, bus: LocalTaskEventBus(directory: NamespaceDirectory(ports: .inMemory())), ids: UUIDv7Generator(), clock: .system,
            logger: logger, limits: TaskLimits(maximumArtifactBytes: 100)
        )
    }

    /// A run that starts, works, and sends an artifact bigger than the runner's 100-byte limit.
    static let oversized: [ScriptedExecutor.Step] = [
        .event(.runStarted(runID: "run-big")), .event(.update(.status(.working, message: nil))),
        .event(.update(.artifact(Artifact(artifactId: "a", parts: [.text(String(repeating: "x", count: 1_000))]), append: false, lastChunk: true))),
        .event(.update(.status(.completed, message: nil))),
    ]

    @Test func aRunStoppedAtALimitWhoseFailureCannotBeWrittenIsInterrupted() async throws {
        let store = NoFailureWrites()
        let executor = ScriptedExecutor(defaultScript: Self.oversized)
        let job = try await RuntimeHarness.storedJob(in: store, namespace: Self.namespace)
        let outcome = await Self.runner(store: store, executor: executor).run(job)
        #expect(outcome == .interrupted, "the task still needs an ending: the queue gives it to a runner again")
        let task = try #require(try await store.task(namespace: Self.namespace, id: job.task.id))
        #expect(task.state == .working, "as last written")
        #expect(task.artifacts.isEmpty, "the oversized artifact was never stored")
        #expect(executor.cancellations.map(\.runID) == ["run-big"], "the run was stopped all the same")
    }

    @Test func aRunStoppedAtALimitFailsItsTaskEvenWhenTheGraphServerRefusesTheCancel() async throws {
        let store = InMemoryStore()
        let executor = UncancelableExecutor(base: ScriptedExecutor(defaultScript: Self.oversized))
        let job = try await RuntimeHarness.storedJob(in: store, namespace: Self.namespace)
        let outcome = await Self.runner(store: store, executor: executor).run(job)
        #expect(outcome == .finished)
        #expect(executor.cancels.withLock { $0 } == 1)
        let task = try #require(try await store.task(namespace: Self.namespace, id: job.task.id))
        #expect(task.state == .failed)
        #expect(task.status.message?.parts.first?.text == "The graph's artifacts would grow past 100 bytes (tasks.maxArtifactBytes); the run was stopped")
    }

    @Test func aGraphFailureShowsItsUpstreamDetailOnlyInItsDescription() {
        let ours = GraphExecutionError("The run timed out")
        #expect(ours.description == "The run timed out")
        #expect(TaskRunner.loggable(ours) == "The run timed out")
        let upstream = GraphExecutionError(upstream: "502 from graphs.internal")
        #expect(upstream.message == "The graph server could not run the task")
        #expect(upstream.description == "The graph server could not run the task: 502 from graphs.internal")
        #expect(TaskRunner.loggable(upstream) == "502 from graphs.internal", "the log keeps what the upstream said")
    }

    @Test func anUpdateErrorThatIsNotALimitIsDescribedOnlyByAnErrorID() throws {
        for error in [TaskUpdateError.unknownArtifact("a"), .taskIsTerminal(.completed)] {
            let described = TaskRunner.describe(error, ids: UUIDv7Generator())
            let id = try #require(described.errorID, "the details go to the log under an id")
            #expect(described.message == "The graph server could not run the task (error \(id)); the server's log has the details")
        }
    }
}
