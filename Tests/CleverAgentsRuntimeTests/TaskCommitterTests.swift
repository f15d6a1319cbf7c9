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

@Suite(.timeLimit(.minutes(2))) struct TaskCommitterTests {
    /// Keeps what is published.
    final class RecordingBus: TaskEventBus {
        let published = Mutex<[[TaskEventRecord]]>([])

        func publish(_ events: [TaskEventRecord]) async {
            published.withLock { $0.append(events) }
        }
    }

    @Test func theLastEventOfAWriteCarriesTheTaskAsWritten() async throws {
        let store = InMemoryStore()
        let bus = RecordingBus()
        let namespace = NamespaceName("committer")!
        var record = try await RuntimeHarness.storedJob(in: store, namespace: namespace).task

        let committer = TaskCommitter(store: store, bus: bus, clock: .system)
        let events = try await committer.commit(&record, updates: [
            .status(.working, message: nil),
            .artifact(Artifact(artifactId: "a", parts: [.text("x")]), append: false, lastChunk: true),
            .status(.completed, message: nil),
        ])
        let published = try #require(bus.published.withLock { $0 }.first)
        #expect(published == events, "the same events (the task is not part of an event)")
        #expect(published.dropLast().allSatisfy { $0.committedTask == nil })
        let committed = try #require(published.last?.committedTask)
        #expect(committed == record)
        #expect(committed.lastEventSequence == published.last?.sequence)
        #expect(try await store.task(namespace: namespace, id: "t") == committed, "what was stored")
        #expect(events.allSatisfy { $0.committedTask == nil }, "the returned events are the stored ones")
    }

    /// Tells which document parts each update left alone.
    final class PartsRecordingStore: WrappingTaskStore {
        let base = InMemoryStore()
        let unchanged = Mutex<[TaskDocumentParts]>([])

        func updateTask(_ task: TaskRecord, expectedVersion: Int64, appending events: [TaskEventRecord]) async throws {
            Issue.record("the committer names the unchanged parts")
        }
        func updateTask(_ task: TaskRecord, expectedVersion: Int64, appending events: [TaskEventRecord], unchanged parts: TaskDocumentParts) async throws {
            unchanged.withLock { $0.append(parts) }
            try await base.updateTask(task, expectedVersion: expectedVersion, appending: events)
        }
    }

    @Test func theStoreIsToldWhichPartsOfTheDocumentAnUpdateLeavesAlone() async throws {
        let store = PartsRecordingStore()
        let namespace = NamespaceName("committer")!
        var record = try await RuntimeHarness.storedJob(in: store.base, namespace: namespace).task
        let committer = TaskCommitter(store: store, bus: RecordingBus(), clock: .system)
        try await committer.commit(&record, updates: [.status(.working, message: nil)])
        try await committer.commit(&record, updates: [.artifact(Artifact(artifactId: "a", parts: [.text("x")]), append: false, lastChunk: false)])
        try await committer.commit(&record, updates: [.status(.inputRequired, message: nil)], userMessage: nil)
        try await committer.commit(&record, updates: [.status(.working, message: nil)], userMessage: RuntimeHarness.message("more"))
        #expect(store.unchanged.withLock { $0 } == [[.artifacts, .history, .metadata], [.history, .metadata], [.artifacts, .history, .metadata], [.artifacts, .metadata]])
        #expect(try await store.base.task(namespace: namespace, id: record.id) == record)
    }

    @Test func equalityAndHashingIgnoreTheCommittedTask() {
        let namespace = NamespaceName("committer")!
        let event = TaskEventRecord(namespace: namespace, taskId: "t", sequence: 2, event: .statusUpdate(TaskStatusUpdateEvent(taskId: "t", contextId: "c", status: TaskStatus(state: .working))))
        var carrying = event
        carrying.committedTask = TaskRecord(
            namespace: namespace, id: "t", contextId: "c", owner: "o", actorName: "a", status: TaskStatus(state: .working), threadID: "th",
            createdAt: .init(millisecondsSinceEpoch: 1)
        )
        #expect(carrying == event)
        #expect(Set([carrying, event]).count == 1)
        var other = event
        other.sequence = 3
        #expect(other != event)
    }
}
