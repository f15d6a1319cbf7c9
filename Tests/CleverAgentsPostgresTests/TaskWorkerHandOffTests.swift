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
import Foundation
import Logging
import Synchronization
import Testing

/// The worker on PostgreSQL's queue: a run that ends where tasks of its namespace wait hands its
/// place to the next of them, and the claim takes none of them.
@Suite(.enabled(if: TestEnvironment.hasPostgres), .timeLimit(.minutes(1))) struct TaskWorkerHandOffTests {
    /// PostgreSQL's queue, counting what claims and hand-offs gave.
    final class CountingQueue: TaskQueue {
        let store: PostgresStore
        let counts = Mutex((claimed: 0, handedOver: 0))

        init(_ store: PostgresStore) {
            self.store = store
        }

        func claimTasks(owner: String, limit: Int, lease: Duration, defaultNamespaceLimit: Int) async throws -> [TaskRecord] {
            let claimed = try await store.claimTasks(owner: owner, limit: limit, lease: lease, defaultNamespaceLimit: defaultNamespaceLimit)
            counts.withLock { $0.claimed += claimed.count }
            return claimed
        }

        func leaseNextTask(in namespace: NamespaceName, lease: TaskLeaseRequest) async throws -> TaskRecord? {
            let next = try await store.leaseNextTask(in: namespace, lease: lease)
            if next != nil { counts.withLock { $0.handedOver += 1 } }
            return next
        }

        func createTask(_ task: TaskRecord, events: [TaskEventRecord], pushConfigs: [PushConfigRecord], lease: TaskLeaseRequest) async throws -> Bool {
            try await store.createTask(task, events: events, pushConfigs: pushConfigs, lease: lease)
        }

        func waitingTaskCount() async throws -> Int { try await store.waitingTaskCount() }
        func renewLeases(owner: String, lease: Duration) async throws -> Set<TaskKey> { try await store.renewLeases(owner: owner, lease: lease) }
        func releaseLease(owner: String, task: TaskKey) async throws { try await store.releaseLease(owner: owner, task: task) }
        func releaseLeases(owner: String) async throws { try await store.releaseLeases(owner: owner) }
        func setRunningLimit(_ limit: Int?, namespace: NamespaceName) async throws { try await store.setRunningLimit(limit, namespace: namespace) }
    }

    @Test func runsThatEndHandTheirPlacesToTheTasksThatWaitWithoutAClaim() async throws {
        try await TaskQueueTests.withQueue { store, _ in
            let namespace = try await StoreContractTests.makeNamespace(store)
            let actor = ActorDefinition(name: "echo", graphURL: "http://graphs.invalid", assistantID: "echo", isDefault: true)
            try await store.putActor(actor, in: namespace)
            try await store.setRunningLimit(2, namespace: namespace)
            // Every run waits for the gate: the first two hold the namespace's places while the rest are created.
            let executor = ScriptedExecutor(defaultScript: [.wait("go")] + ScriptedExecutor.completes(with: "done"))
            let queue = CountingQueue(store)
            let runner = TaskRunner(
                store: store, executor: executor, bus: CompositeTaskEventBus([]), ids: UUIDv7Generator(), clock: .system, logger: store.logger
            )
            let directory = NamespaceDirectory(ports: NamespacePorts(namespaces: store, identities: store), actorSettings: NamespaceActor.Settings(snapshotTTL: .zero))
            let secrets = try AESGCMSecretBox(keyMaterial: Array(repeating: 7, count: 32))
            // No poll while the test runs: only hand-offs and wake-ups move the queue.
            let worker = TaskWorker(
                runner: runner,
                directory: directory,
                queue: .init(
                    queue: queue, jobs: TaskJobFactory(directory: directory, secrets: secrets),
                    owner: TestEnvironment.uniqueName("worker"), maximumRuns: 16, pollInterval: .seconds(600)
                )
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await worker.run() }
                defer { group.cancelAll() }
                var leased: [Bool] = []
                for index in 0..<6 {
                    let record = TaskQueueTests.runnable(namespace, "w\(index)", at: Int64(index))
                    let created = try await worker.create(record, events: StoreContractTests.created(record), pushConfigs: [], in: store)
                    let request = GraphRunRequest(task: record, input: try #require(record.runInput), actor: actor, apiKey: nil)
                    #expect(await worker.submit(TaskJob(task: record, request: request), leased: created))
                    leased.append(created)
                }
                #expect(leased == [true, true, false, false, false, false])
                executor.open("go")
                let ended = await waitUntil(.seconds(30)) {
                    for index in 0..<6 {
                        guard (try? await store.task(namespace: namespace, id: "w\(index)"))?.state == .completed else { return false }
                    }
                    return true
                }
                #expect(ended)
                #expect(queue.counts.withLock { $0 } == (claimed: 0, handedOver: 4), "each waiting task took an ended run's place")
            }
        }
    }
}
