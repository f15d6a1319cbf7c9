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
import CleverAgentsRuntime
import CleverAgentsTestSupport
import Synchronization
import Testing

/// Concurrent task creations share transactions, and lose nothing by it.
@Suite(.enabled(if: TestEnvironment.hasServices)) struct GroupCommitTests {
    @Test func concurrentCreationsAreAllStoredAndABadOneFailsAlone() async throws {
        try await PostgresTestDatabase.withStore { store, _ in
            let namespace = try await StoreContractTests.makeNamespace(store)
            let existing = StoreContractTests.task(namespace, id: "taken", at: 1_700_000_000_000)
            try await store.createTask(existing, events: StoreContractTests.created(existing), pushConfigs: [])
            // Fifty at once, one of them a duplicate id.
            let ids = (0..<50).map { $0 == 17 ? "taken" : "t\($0)" }
            let outcomes = await withTaskGroup(of: (String, Bool).self) { group in
                for id in ids {
                    group.addTask {
                        let record = StoreContractTests.task(namespace, id: id, owner: "bob", at: 1_700_000_000_001)
                        do {
                            try await store.createTask(record, events: StoreContractTests.created(record), pushConfigs: [])
                            return (id, true)
                        } catch {
                            return (id, false)
                        }
                    }
                }
                var outcomes: [String: Bool] = [:]
                for await (id, stored) in group { outcomes[id] = stored }
                return outcomes
            }
            #expect(outcomes.filter { !$0.value }.map(\.key) == ["taken"], "only the duplicate failed")
            for id in ids where id != "taken" {
                let stored = try await store.task(namespace: namespace, id: id)
                #expect(stored?.owner == "bob", "\(id) was stored")
                #expect(try await store.events(namespace: namespace, taskId: id, afterSequence: 0).count == 1)
            }
            #expect(try await store.task(namespace: namespace, id: "taken")?.owner == "alice", "the existing task is unchanged")
        }
    }

    @Test func itemsArrivingDuringAWriteShareTheNextOne() async throws {
        let batches = Mutex<[[Int]]>([])
        let gate = AsyncStream<Void>.makeStream()
        let firstWriteStarted = AsyncStream<Void>.makeStream()
        let commit = GroupCommit<Int> { items in
            batches.withLock { $0.append(items) }
            if items == [0] {
                firstWriteStarted.continuation.yield()
                for await _ in gate.stream { break }
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await commit.submit(0) }
            for await _ in firstWriteStarted.stream { break }
            for item in 1...5 { group.addTask { try await commit.submit(item) } }
            // Let the five queue up behind the first write, then release it.
            while batches.withLock({ $0.count }) == 1, await Self.queued(commit) < 5 { await Task.yield() }
            gate.continuation.yield()
            try await group.waitForAll()
        }
        let written = batches.withLock { $0 }
        #expect(written.first == [0])
        #expect(written.count == 2, "the five waiting items were written together: \(written)")
        #expect(Set(written.dropFirst().flatMap { $0 }) == Set(1...5))
    }

    static func queued(_ commit: GroupCommit<Int>) async -> Int { commit.queuedCount }

    @Test func aDeadlineDoesNotWaitForWorkThatIgnoresCancellation() async throws {
        let finished = Mutex(false)
        let release = AsyncStream<Void>.makeStream()
        let error = await #expect(throws: StoreError.self) {
            try await PostgresStore.withDeadline(.milliseconds(50)) {
                // Waits for the test, whatever cancellation says.
                for await _ in release.stream { break }
                finished.withLock { $0 = true }
                return 1
            }
        }
        #expect(error == .unavailable("the database did not answer within 0.05 seconds"))
        #expect(finished.withLock { $0 } == false, "the caller did not wait for the work")
        release.continuation.yield()
        #expect(try await PostgresStore.withDeadline(.seconds(30)) { 7 } == 7)
    }
}
