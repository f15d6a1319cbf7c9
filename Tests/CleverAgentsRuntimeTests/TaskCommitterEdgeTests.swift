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
import Synchronization
import Testing

/// The committer's handling of updates that cannot apply as sent: an append to an artifact that
/// never started, and updates to a task that is already over.
@Suite(.timeLimit(.minutes(2))) struct TaskCommitterEdgeTests {
    let store = InMemoryStore()
    let bus = TaskCommitterTests.RecordingBus()
    let namespace = NamespaceName("committer")!

    var committer: TaskCommitter { TaskCommitter(store: store, bus: bus, clock: .system) }

    @Test func anAppendToAnArtifactThatNeverStartedStartsIt() async throws {
        var record = try await RuntimeHarness.storedJob(in: store, namespace: namespace).task
        let chunk = Artifact(artifactId: "late", name: "late", parts: [.text("second half")])
        let events = try await committer.commit(&record, updates: [.artifact(chunk, append: true, lastChunk: true)])
        #expect(events.count == 1)
        guard case .artifactUpdate(let update) = events.first?.event else {
            Issue.record("expected an artifact update, got \(String(describing: events.first?.event))")
            return
        }
        #expect(update.append == false, "announced as a new artifact, so subscribers do not look for a start they never saw")
        #expect(update.lastChunk == true)
        #expect(update.artifact == chunk)
        let stored = try #require(try await store.task(namespace: namespace, id: record.id))
        #expect(stored.artifacts == [chunk], "the chunk is kept, not lost")
        #expect(stored.lastEventSequence == 2)
    }

    @Test func anAppendThatStartsAnArtifactStillKeepsToTheLimits() async throws {
        var record = try await RuntimeHarness.storedJob(in: store, namespace: namespace).task
        let limits = TaskLimits(maximumArtifactBytes: 64)
        let big = Artifact(artifactId: "big", parts: [.text(String(repeating: "x", count: 500))])
        await #expect(throws: TaskUpdateError.artifactsTooLarge(limit: 64)) {
            try await committer.commit(&record, updates: [.status(.working, message: nil), .artifact(big, append: true, lastChunk: false)], limits: limits)
        }
        // The updates before the refused one are committed; the artifact is not.
        let stored = try #require(try await store.task(namespace: namespace, id: record.id))
        #expect(stored.state == .working)
        #expect(stored.artifacts.isEmpty)
        #expect(bus.published.withLock { $0.flatMap { $0 } }.count == 1, "only the status change was announced")
    }

    @Test func updatesToAFinishedTaskAreDroppedAndItsLeftoverRunInputCleared() async throws {
        // A finished task still holding a run input (its last write came from an older replica):
        // the queue must not pick it up again.
        var record = TaskRecord(
            namespace: namespace, id: "done", contextId: "c", owner: "o", actorName: "a",
            status: TaskStatus(state: .completed), threadID: "th", createdAt: .init(millisecondsSinceEpoch: 1)
        )
        record.runInput = TaskRunInput(message: RuntimeHarness.message("again"))
        record.lastEventSequence = 1
        try await store.createTask(record, events: [TaskEventRecord(namespace: namespace, taskId: "done", sequence: 1, event: .task(record.a2aTask()))])
        let version = record.version

        let events = try await committer.commit(
            &record,
            updates: [
                .status(.working, message: nil),
                .artifact(Artifact(artifactId: "a", parts: [.text("late")]), append: false, lastChunk: true),
            ])
        #expect(events.isEmpty, "a terminal task takes no updates")
        #expect(bus.published.withLock { $0 }.isEmpty)
        let stored = try #require(try await store.task(namespace: namespace, id: "done"))
        #expect(stored.state == .completed)
        #expect(stored.artifacts.isEmpty)
        #expect(stored.runInput == nil)
        #expect(stored.version == version + 1, "the cleared run input is a write of its own")
        #expect(record == stored)
        #expect(try await store.events(namespace: namespace, taskId: "done", afterSequence: 0).count == 1, "no event was appended")

        // Once cleared there is nothing left to write.
        #expect(try await committer.commit(&record, updates: [.status(.failed, message: nil)]).isEmpty)
        #expect(try await store.task(namespace: namespace, id: "done")?.version == version + 1)
    }
}
