//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import CleverAgentsPostgres
@testable import CleverAgentsRuntime
import CleverAgentsTestSupport
import Synchronization
import Testing

/// PostgreSQL tells the push worker when a write queued deliveries, and only then: most tasks
/// have no webhook, and a look at the outbox per committed event would be a query for nothing.
@Suite(.enabled(if: TestEnvironment.hasPostgres), .timeLimit(.minutes(5))) struct PushWakeSignalTests {
    @Test func theStoreSignalsExactlyTheWritesThatQueueDeliveries() async throws {
        try await PostgresTestDatabase.withStore { store, _ in
            let signals = Mutex(0)
            store.pushWake.onSignal { signals.withLock { $0 += 1 } }
            let name = try await StoreContractTests.makeNamespace(store)

            // Without a webhook: no signal, neither on creation nor on an event.
            var plain = StoreContractTests.task(name, id: "plain", at: 1_700_000_000_000)
            try await store.createTask(plain, events: StoreContractTests.created(plain), pushConfigs: [])
            try await Self.complete(&plain, in: store)
            #expect(signals.withLock { $0 } == 0)

            // With one: the first event and every later one queue a delivery.
            var hooked = StoreContractTests.task(name, id: "hooked", at: 1_700_000_000_000)
            let config = PushConfigRecord(namespace: name, taskId: "hooked", id: "a", url: "https://a.example", owner: "alice", createdAt: .init(millisecondsSinceEpoch: 1))
            try await store.createTask(hooked, events: StoreContractTests.created(hooked), pushConfigs: [config])
            #expect(signals.withLock { $0 } == 1)
            try await Self.complete(&hooked, in: store)
            #expect(signals.withLock { $0 } == 2)

            // A write without events queues nothing.
            let version = hooked.version
            hooked.version += 1
            try await store.updateTask(hooked, expectedVersion: version, appending: [])
            #expect(signals.withLock { $0 } == 2)

            // A write that loses a version race writes no event and queues nothing.
            await #expect(throws: StoreError.conflict) {
                try await store.updateTask(hooked, expectedVersion: version, appending: [
                    TaskEventRecord(namespace: name, taskId: "hooked", sequence: hooked.lastEventSequence + 1, event: .task(hooked.a2aTask()))
                ])
            }
            #expect(signals.withLock { $0 } == 2)
            #expect(try await store.events(namespace: name, taskId: "hooked", afterSequence: 0).count == 2)
        }
    }

    static func complete(_ record: inout TaskRecord, in store: PostgresStore) async throws {
        let expected = record.version
        let event = try record.apply(.status(.completed, message: nil), at: .init(millisecondsSinceEpoch: 2))
        record.lastEventSequence += 1
        try await store.updateTask(record, expectedVersion: expected, appending: [
            TaskEventRecord(namespace: record.namespace, taskId: record.id, sequence: record.lastEventSequence, event: event)
        ])
    }
}
