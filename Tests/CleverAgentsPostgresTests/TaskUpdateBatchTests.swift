//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
@testable import CleverAgentsPostgres
@testable import CleverAgentsRuntime
import CleverAgentsTestSupport
import Foundation
import PostgresNIO
import Synchronization
import Testing

/// Concurrent updates of different tasks share one statement (``UpdateTasksStatement``): each
/// task ends up as a lone update would leave it, and a stale one fails alone.
@Suite(.enabled(if: TestEnvironment.hasPostgres), .timeLimit(.minutes(5))) struct TaskUpdateBatchTests {
    /// A store with a queue group of its own, writing batches only when a test asks for one.
    static func withStore(_ body: @Sendable (PostgresStore, PostgresClient) async throws -> Void) async throws {
        try await PostgresTestDatabase.withStore { shared, client in
            try await body(PostgresStore(client: client, logger: shared.logger, queueGroup: TestEnvironment.uniqueName("queue"), groupCommit: false), client)
        }
    }

    /// `record` with `update` applied at `millis`, as the task committer writes it.
    static func updated(_ record: TaskRecord, _ update: TaskUpdate, at millis: Int64, unchanged: TaskDocumentParts = []) throws -> TaskUpdateWrite {
        var next = record
        let event = try next.apply(update, at: .init(millisecondsSinceEpoch: millis))
        next.lastEventSequence += 1
        next.version += 1
        return TaskUpdateWrite(
            task: next,
            expectedVersion: record.version,
            unchanged: unchanged,
            events: [TaskEventRecord(namespace: next.namespace, taskId: next.id, sequence: next.lastEventSequence, event: event)]
        )
    }

    static func artifact(_ id: String) -> Artifact {
        Artifact(artifactId: id, parts: [.text("output of \(id)")])
    }

    @Test func aBatchStoresEachTaskAsALoneUpdateWouldAndAppendsItsEvents() async throws {
        try await Self.withStore { store, _ in
            let namespace = try await StoreContractTests.makeNamespace(store)
            var records: [TaskRecord] = []
            for index in 0..<3 {
                let record = StoreContractTests.task(namespace, id: "b\(index)", at: 1_700_000_000_000)
                try await store.createTask(record, events: StoreContractTests.created(record), pushConfigs: [])
                records.append(record)
            }
            // Different parts change: a status only (history and artifacts left as they are), an
            // artifact, and metadata dropped with a run id set.
            let working = try Self.updated(records[0], .status(.working, message: nil), at: 1_700_000_000_010, unchanged: [.artifacts, .history, .metadata])
            let withArtifact = try Self.updated(records[1], .artifact(Self.artifact("a1"), append: false, lastChunk: true), at: 1_700_000_000_020, unchanged: [.history, .metadata])
            var dropped = try Self.updated(records[2], .status(.completed, message: nil), at: 1_700_000_000_030)
            dropped.task.metadata = nil
            dropped.task.runID = "run-2"
            let outcome = try await store.updateTasks([working, withArtifact, dropped])
            #expect(outcome == [true, true, true])
            for update in [working, withArtifact, dropped] {
                let stored = try #require(try await store.task(namespace: namespace, id: update.task.id))
                #expect(stored == update.task, "\(update.task.id) is stored as written")
                let events = try await store.events(namespace: namespace, taskId: update.task.id, afterSequence: 1)
                #expect(events.map(\.sequence) == [2])
                #expect(events.first?.event == update.events.first?.event)
            }
            let stored = try #require(try await store.task(namespace: namespace, id: "b2"))
            #expect(stored.metadata == nil)
            #expect(stored.runID == "run-2")
            #expect(try await store.task(namespace: namespace, id: "b1")?.artifacts.map(\.artifactId) == ["a1"])
        }
    }

    @Test func aStaleUpdateInABatchFailsAloneAndWritesNoEvent() async throws {
        try await Self.withStore { store, _ in
            let namespace = try await StoreContractTests.makeNamespace(store)
            var updates: [TaskUpdateWrite] = []
            for index in 0..<3 {
                let record = StoreContractTests.task(namespace, id: "s\(index)", at: 1_700_000_000_000)
                try await store.createTask(record, events: StoreContractTests.created(record), pushConfigs: [])
                updates.append(try Self.updated(record, .status(.working, message: nil), at: 1_700_000_000_100))
            }
            // Another writer moved the middle task on first.
            updates[1].expectedVersion += 7
            #expect(try await store.updateTasks(updates) == [true, false, true])
            let stale = try #require(try await store.task(namespace: namespace, id: "s1"))
            #expect(stale.state == .submitted)
            #expect(try await store.events(namespace: namespace, taskId: "s1", afterSequence: 0).count == 1)
            #expect(try await store.task(namespace: namespace, id: "s0")?.state == .working)
            #expect(try await store.events(namespace: namespace, taskId: "s2", afterSequence: 0).count == 2)
        }
    }

    @Test func twoUpdatesOfOneTaskInABatchApplyOnlyOne() async throws {
        try await Self.withStore { store, _ in
            let namespace = try await StoreContractTests.makeNamespace(store)
            let record = StoreContractTests.task(namespace, id: "twice", at: 1_700_000_000_000)
            try await store.createTask(record, events: StoreContractTests.created(record), pushConfigs: [])
            // A run's update and a cancel, both against the same version.
            let working = try Self.updated(record, .status(.working, message: nil), at: 1_700_000_000_100)
            let canceled = try Self.updated(record, .status(.canceled, message: nil), at: 1_700_000_000_100)
            let outcome = try await store.updateTasks([working, canceled])
            #expect(outcome.filter { $0 }.count == 1, "\(outcome)")
            let winner = outcome[0] ? working : canceled
            #expect(try await store.task(namespace: namespace, id: "twice") == winner.task)
            let events = try await store.events(namespace: namespace, taskId: "twice", afterSequence: 1)
            #expect(events.map(\.event) == winner.events.map(\.event), "only the applied update's event is stored")
        }
    }

    @Test func aBatchThatEndsRunsFreesTheirLeasesAndPlacesAndOneThatQueuesARunQueuesIt() async throws {
        try await Self.withStore { store, _ in
            let namespace = try await StoreContractTests.makeNamespace(store)
            let owner = TestEnvironment.uniqueName("replica")
            var leased: [TaskRecord] = []
            for index in 0..<2 {
                let record = TaskQueueTests.runnable(namespace, "l\(index)", at: Int64(index))
                #expect(try await store.createTask(record, events: StoreContractTests.created(record), pushConfigs: [], lease: TaskQueueTests.lease(owner, limit: 2)))
                leased.append(record)
            }
            let waiting = TaskQueueTests.runnable(namespace, "waiting", at: 5)
            #expect(try await !store.createTask(waiting, events: StoreContractTests.created(waiting), pushConfigs: [], lease: TaskQueueTests.lease(owner, limit: 2)))
            // A finished task gets a follow-up run in the same batch as the two runs end.
            var finished = StoreContractTests.task(namespace, id: "again", at: 1_700_000_000_000)
            finished.status = TaskStatus(state: .inputRequired, timestamp: .init(millisecondsSinceEpoch: 1_700_000_000_001))
            try await store.createTask(finished, events: StoreContractTests.created(finished), pushConfigs: [])
            var ends = try leased.map { record -> TaskUpdateWrite in
                var update = try Self.updated(record, .status(.completed, message: nil), at: 1_700_000_000_200)
                update.task.runInput = nil
                return update
            }
            var followUp = try Self.updated(finished, .status(.submitted, message: nil), at: 1_700_000_000_200)
            followUp.task.runInput = TaskRunInput(message: RuntimeHarness.message("more"))
            ends.append(followUp)
            #expect(try await store.updateTasks(ends) == [true, true, true])
            #expect(try await store.renewLeases(owner: owner, lease: .seconds(60)).isEmpty, "the ended runs hold no lease")
            // Both places are free: the waiting task and the follow-up are claimed within the cap of 2.
            let claimed = try await store.claimTasks(owner: owner, limit: 10, lease: .seconds(60), defaultNamespaceLimit: 2)
            #expect(Set(claimed.map(\.id)) == ["waiting", "again"])
            #expect(claimed.first { $0.id == "again" }?.runInput == followUp.task.runInput)
        }
    }

    @Test func aBatchQueuesADeliveryForEachEventOfEachTaskWithWebhooks() async throws {
        try await Self.withStore { store, client in
            let namespace = try await StoreContractTests.makeNamespace(store)
            let signals = Mutex(0)
            store.pushWake.onSignal { signals.withLock { $0 += 1 } }
            var updates: [TaskUpdateWrite] = []
            for (index, hooks) in [2, 0, 1].enumerated() {
                let record = StoreContractTests.task(namespace, id: "p\(index)", at: 1_700_000_000_000)
                let configs = (0..<hooks).map {
                    PushConfigRecord(namespace: namespace, taskId: record.id, id: "c\($0)", url: "https://\($0).example", owner: "alice", createdAt: .init(millisecondsSinceEpoch: 1))
                }
                try await store.createTask(record, events: StoreContractTests.created(record), pushConfigs: configs)
                updates.append(try Self.updated(record, .status(.working, message: nil), at: 1_700_000_000_300))
            }
            let before = signals.withLock { $0 }
            #expect(try await store.updateTasks(updates) == [true, true, true])
            #expect(signals.withLock { $0 } == before + 1, "one signal for the batch's deliveries")
            let rows = try await client.query(
                "SELECT task_id, count(*) FROM push_deliveries WHERE namespace = \(namespace.rawValue) AND event_seq = 2 GROUP BY task_id ORDER BY task_id",
                logger: store.logger
            ).collect()
            let counts = try rows.map { try $0.decode((String, Int).self) }
            #expect(counts.map(\.0) == ["p0", "p2"])
            #expect(counts.map(\.1) == [2, 1])
        }
    }

    /// After a shared write that may have committed, an item counts as written only when it is
    /// stored exactly as submitted.
    @Test func aWriteCountsAsCommittedOnlyWhenItsItemIsStoredAsSubmitted() async throws {
        try await Self.withStore { store, _ in
            let namespace = try await StoreContractTests.makeNamespace(store)
            let owner = TestEnvironment.uniqueName("replica")
            let record = TaskQueueTests.runnable(namespace, "kept", at: 0)
            let new = NewTask(task: record, events: StoreContractTests.created(record), pushConfigs: [], lease: TaskQueueTests.lease(owner))
            #expect(await store.storedLease(of: new) == nil, "not stored yet")
            #expect(try await store.createTask(record, events: new.events, pushConfigs: [], lease: TaskQueueTests.lease(owner)))
            #expect(await store.storedLease(of: new) == true, "stored, and leased as asked")
            var unleased = new
            unleased.lease = nil
            #expect(await store.storedLease(of: unleased) == false, "stored, no lease asked")
            var other = new
            other.task.owner = "mallory"
            #expect(await store.storedLease(of: other) == nil, "a different task under the same id is not this one")

            let update = try Self.updated(record, .status(.working, message: nil), at: 1_700_000_000_500)
            #expect(await store.isStored(update) == nil, "not written yet")
            #expect(try await store.updateTasks([update]) == [true])
            #expect(await store.isStored(update) == true)
            var later = try Self.updated(update.task, .status(.completed, message: nil), at: 1_700_000_000_600)
            #expect(await store.isStored(later) == nil, "a later state was not written")
            later.task.id = "missing"
            #expect(await store.isStored(later) == nil)
        }
    }

    @Test func concurrentUpdatesThroughTheGroupCommitEachHearOfTheirOwnOutcome() async throws {
        try await PostgresTestDatabase.withStore { shared, client in
            let store = PostgresStore(client: client, logger: shared.logger, queueGroup: TestEnvironment.uniqueName("queue"), groupCommit: true)
            let namespace = try await StoreContractTests.makeNamespace(store)
            var updates: [TaskUpdateWrite] = []
            for index in 0..<40 {
                let record = StoreContractTests.task(namespace, id: "g\(index)", at: 1_700_000_000_000)
                try await store.createTask(record, events: StoreContractTests.created(record), pushConfigs: [])
                var update = try Self.updated(record, .status(.working, message: nil), at: 1_700_000_000_400)
                if index == 13 { update.expectedVersion += 1 }
                updates.append(update)
            }
            let outcomes = await withTaskGroup(of: (String, Bool).self) { group in
                for update in updates {
                    group.addTask {
                        do {
                            try await store.updateTask(update.task, expectedVersion: update.expectedVersion, appending: update.events, unchanged: update.unchanged)
                            return (update.task.id, true)
                        } catch {
                            return (update.task.id, false)
                        }
                    }
                }
                var outcomes: [String: Bool] = [:]
                for await (id, updated) in group { outcomes[id] = updated }
                return outcomes
            }
            #expect(outcomes.filter { !$0.value }.map(\.key) == ["g13"], "only the stale update failed")
            for update in updates where update.task.id != "g13" {
                #expect(try await store.task(namespace: namespace, id: update.task.id) == update.task)
            }
            await #expect(throws: StoreError.conflict) {
                try await store.updateTask(updates[13].task, expectedVersion: updates[13].expectedVersion, appending: [], unchanged: [])
            }
        }
    }
}
