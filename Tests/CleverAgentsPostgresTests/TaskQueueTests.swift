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
import CleverAgentsRuntime
import CleverAgentsTestSupport
import Testing

/// The queue's claim: one statement claims tasks in turn across namespaces, within each
/// namespace's cap, and counts what still waits (the worker claims again at once while tasks wait).
@Suite(.enabled(if: TestEnvironment.hasPostgres)) struct TaskQueueTests {
    @Test func aClaimTakesTasksInTurnWithinCapsAndCountsWhatStillWaits() async throws {
        try await PostgresTestDatabase.withStore { shared, client in
            // A queue group of its own: no other test's tasks, and no other worker, in this queue.
            let store = PostgresStore(client: client, logger: shared.logger, queueGroup: TestEnvironment.uniqueName("queue"), groupCommit: false)
            let busy = try await StoreContractTests.makeNamespace(store)
            let quiet = try await StoreContractTests.makeNamespace(store)
            for (namespace, count) in [(busy, 3), (quiet, 1)] {
                for index in 0..<count {
                    var record = StoreContractTests.task(namespace, id: "t\(index)", at: 1_700_000_000_000 + Int64(index))
                    record.runInput = TaskRunInput(message: RuntimeHarness.message("run \(index)"))
                    try await store.createTask(record, events: StoreContractTests.created(record))
                }
            }

            let first = try await store.claimTasks(owner: "a", limit: 2, lease: .seconds(60), defaultNamespaceLimit: 2)
            // Each namespace's first task before any namespace's second.
            #expect(Set(first.tasks.map { "\($0.namespace)/\($0.id)" }) == ["\(busy)/t0", "\(quiet)/t0"])
            #expect(first.waiting == 2)

            let second = try await store.claimTasks(owner: "b", limit: 5, lease: .seconds(60), defaultNamespaceLimit: 2)
            // The busy namespace reaches its cap of 2 leased tasks: its third waits.
            #expect(second.tasks.map(\.id) == ["t1"])
            #expect(second.waiting == 1)

            let third = try await store.claimTasks(owner: "c", limit: 5, lease: .seconds(60), defaultNamespaceLimit: 2)
            #expect(third.tasks.isEmpty)
            #expect(third.waiting == 1)
        }
    }
}
