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
@Suite(.enabled(if: TestEnvironment.hasServices), .timeLimit(.minutes(5))) struct GroupCommitTests {
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

    /// A store of items where a shared write (more than one item) commits but then throws
    /// `sharedError`, as a write does that a deadline gave up on during its commit.
    final class CommittingThenFailingStore: Sendable {
        let stored = Mutex<[Int: Int]>([:])
        let sharedError: StoreError
        let gate = AsyncStream<Void>.makeStream()
        let firstWriteStarted = AsyncStream<Void>.makeStream()

        init(sharedError: StoreError) { self.sharedError = sharedError }

        func write(_ items: [Int]) async throws -> [Bool] {
            if items == [0] {
                firstWriteStarted.continuation.yield()
                for await _ in gate.stream { break }
            }
            try stored.withLock { stored in
                if items.contains(where: { stored[$0] != nil }) { throw StoreError.alreadyExists }
                for item in items { stored[item, default: 0] += 1 }
            }
            if items.count > 1 { throw sharedError }
            return items.map { _ in true }
        }

        /// Submits 0, then 1...5 while 0 is being written (so that they share a write); returns
        /// each item's outcome.
        func submitAll(to commit: GroupCommit<Int, Bool>) async -> [Int: Bool] {
            await withTaskGroup(of: (Int, Bool).self) { group in
                group.addTask { await Self.outcome(0, commit) }
                for await _ in firstWriteStarted.stream { break }
                for item in 1...5 { group.addTask { await Self.outcome(item, commit) } }
                while await GroupCommitTests.queued(commit) < 5 { await Task.yield() }
                gate.continuation.yield()
                var outcomes: [Int: Bool] = [:]
                for await (item, succeeded) in group { outcomes[item] = succeeded }
                return outcomes
            }
        }

        static func outcome(_ item: Int, _ commit: GroupCommit<Int, Bool>) async -> (Int, Bool) {
            do {
                return (item, try await commit.submit(item))
            } catch {
                return (item, false)
            }
        }
    }

    @Test func aSharedWriteThatCommittedDespiteItsErrorLosesNoItemAndWritesNoneTwice() async throws {
        let store = CommittingThenFailingStore(sharedError: .unavailable("timed out"))
        let commit = GroupCommit<Int, Bool>(
            mayHaveCommitted: { ($0 as? StoreError) == .unavailable("timed out") },
            isWritten: { item in store.stored.withLock { $0[item] } == 1 ? true : nil },
            write: { try await store.write($0) }
        )
        let outcomes = await store.submitAll(to: commit)
        #expect(outcomes == Dictionary(uniqueKeysWithValues: (0...5).map { ($0, true) }), "every caller hears of its commit")
        #expect(store.stored.withLock { $0 } == Dictionary(uniqueKeysWithValues: (0...5).map { ($0, 1) }), "each item written once")
    }

    @Test func aSharedWriteThatSurelyFailedDoesNotTakeAnExistingItemForItsOwn() async throws {
        // A constraint error rolls the shared write back: an item found stored is someone else's.
        let store = CommittingThenFailingStore(sharedError: .conflict)
        let commit = GroupCommit<Int, Bool>(
            mayHaveCommitted: { ($0 as? StoreError) == .unavailable("timed out") },
            isWritten: { _ in true },
            write: { try await store.write($0) }
        )
        let outcomes = await store.submitAll(to: commit)
        #expect(outcomes[0] == true)
        #expect((1...5).allSatisfy { outcomes[$0] == false }, "\(outcomes)")
    }

    /// Writes that record their batches and hold the write of one batch until released.
    final class HeldWrites: Sendable {
        let batches = Mutex<[[Int]]>([])
        let held: [Int]
        private let gate = AsyncStream<Void>.makeStream()
        private let started = AsyncStream<Void>.makeStream()

        init(holding held: [Int]) { self.held = held }

        /// Records `items`; holds them when they are the held batch.
        func write(_ items: [Int]) async {
            batches.withLock { $0.append(items) }
            if items == held {
                started.continuation.yield()
                for await _ in gate.stream { break }
            }
        }

        func waitUntilHeld() async {
            for await _ in started.stream { break }
        }

        func release() { gate.continuation.yield() }
    }

    @Test func itemsArrivingDuringAWriteShareTheNextOne() async throws {
        let writes = HeldWrites(holding: [0])
        let commit = GroupCommit<Int, Bool>(mayHaveCommitted: { _ in false }, isWritten: { _ in nil }) { items in
            await writes.write(items)
            return items.map { _ in true }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { _ = try await commit.submit(0) }
            await writes.waitUntilHeld()
            for item in 1...5 { group.addTask { _ = try await commit.submit(item) } }
            // Let the five queue up behind the first write, then release it.
            while writes.batches.withLock({ $0.count }) == 1, await Self.queued(commit) < 5 { await Task.yield() }
            writes.release()
            try await group.waitForAll()
        }
        let written = writes.batches.withLock { $0 }
        #expect(written.first == [0])
        #expect(written.count == 2, "the five waiting items were written together: \(written)")
        #expect(Set(written.dropFirst().flatMap { $0 }) == Set(1...5))
    }

    /// An item that waited and is then written alone, and fails, fails its own caller; a shared
    /// write that surely failed is retried item by item.
    @Test func aWaitingItemWrittenAloneFailsItsCallerAndASharedFailureIsRetriedItemByItem() async throws {
        let writes = HeldWrites(holding: [0])
        let commit = GroupCommit<Int, Bool>(mayHaveCommitted: { _ in false }, isWritten: { _ in nil }) { items in
            await writes.write(items)
            if items.contains(13) { throw StoreError.conflict }
            return items.map { _ in true }
        }
        // One item waits behind the first write, and is then written alone.
        async let first = commit.submit(0)
        await writes.waitUntilHeld()
        async let lone = Self.outcome(13, commit)
        while await Self.queued(commit) < 1 { await Task.yield() }
        writes.release()
        #expect(try await first)
        #expect(await lone == false, "the lone item's caller hears its failure")
        #expect(writes.batches.withLock { $0 } == [[0], [13]])
        // Two items wait behind another write and fail together: each is written again alone.
        let shared = HeldWrites(holding: [100])
        let gated = GroupCommit<Int, Bool>(mayHaveCommitted: { _ in false }, isWritten: { _ in true }) { items in
            await shared.write(items)
            if items.count > 1 { throw StoreError.conflict }
            return items.map { $0 != 13 }
        }
        async let head = gated.submit(100)
        await shared.waitUntilHeld()
        async let seven = Self.outcome(7, gated)
        async let thirteen = Self.outcome(13, gated)
        while await Self.queued(gated) < 2 { await Task.yield() }
        shared.release()
        #expect(try await head)
        #expect(await seven == true, "written again alone (isWritten is not asked: the failure was sure)")
        #expect(await thirteen == false)
        #expect(shared.batches.withLock { $0 }.count == 4, "the held write, the shared one, then one each")
    }

    static func outcome(_ item: Int, _ commit: GroupCommit<Int, Bool>) async -> Bool {
        do {
            return try await commit.submit(item)
        } catch {
            return false
        }
    }

    static func queued(_ commit: GroupCommit<Int, Bool>) async -> Int { commit.queuedCount }

    @Test func aDeadlineDoesNotWaitForWorkThatIgnoresCancellation() async throws {
        let finished = Mutex(false)
        let release = Mutex<CheckedContinuation<Void, Never>?>(nil)
        let error = await #expect(throws: StoreError.self) {
            try await PostgresStore.withDeadline(.milliseconds(50)) {
                // Waits for the test, whatever cancellation says (a continuation ignores it).
                await withCheckedContinuation { continuation in release.withLock { $0 = continuation } }
                finished.withLock { $0 = true }
                return 1
            }
        }
        #expect(error == .unavailable("the database did not answer within 0.05 seconds"))
        #expect(finished.withLock { $0 } == false, "the caller did not wait for the work")
        while release.withLock({ $0 == nil }) { await Task.yield() }
        release.withLock { $0?.resume() }
        #expect(try await PostgresStore.withDeadline(.seconds(30)) { 7 } == 7)
    }
}
