//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import CleverAgentsDomain
import CleverAgentsRuntime
import Synchronization

/// A ``TaskQueue`` kept in memory over an ``InMemoryStore``: tasks wait in creation order, leases
/// have an owner and no expiry (a task with nothing left to run frees its lease), and namespace
/// caps hold. The store's own tests prove the real
/// queues; this one lets the worker's and the admin service's tests run without PostgreSQL, and
/// can be told to fail one kind of call to prove how its callers take a failure.
final class MemoryTaskQueue: TaskQueue {
    /// A call the queue can be told to fail.
    enum Call: Hashable, Sendable {
        case claim, leaseNext, renew, releaseAll
    }

    struct QueueFailure: Error, Hashable {}

    private struct State {
        var waiting: [TaskKey] = []
        var leases: [TaskKey: String] = [:]
        var limits: [NamespaceName: Int] = [:]
        var failing: Set<Call> = []
        var released: [TaskKey] = []
        var releasedAll: [String] = []
        var claims = 0
        var handOffs = 0
    }

    let store: InMemoryStore
    private let state = Mutex(State())
    private let beforeHandOff = Mutex<(@Sendable () -> Void)?>(nil)

    init(store: InMemoryStore) {
        self.store = store
    }

    /// Makes every later `call` throw ``QueueFailure``.
    func fail(_ call: Call) {
        _ = state.withLock { $0.failing.insert(call) }
    }

    /// Runs `body` (once) when the next hand-off is asked for, before it is made.
    func beforeNextHandOff(_ body: @escaping @Sendable () -> Void) {
        beforeHandOff.withLock { $0 = body }
    }

    /// The tasks whose lease was given back one by one, in order.
    var released: [TaskKey] { state.withLock { $0.released } }
    /// The owners that gave back all their leases.
    var releasedAll: [String] { state.withLock { $0.releasedAll } }
    /// The tasks leased now, with their owner.
    var leases: [TaskKey: String] { state.withLock { $0.leases } }
    /// How many claims were made.
    var claims: Int { state.withLock { $0.claims } }
    /// How many hand-offs (``leaseNextTask(in:lease:)``) were asked for, failed ones too.
    var handOffs: Int { state.withLock { $0.handOffs } }
    /// A namespace's cap as set through ``setRunningLimit(_:namespace:)``.
    func limit(of namespace: NamespaceName) -> Int? { state.withLock { $0.limits[namespace] } }

    private func check(_ call: Call) throws {
        if state.withLock({ $0.failing.contains(call) }) { throw QueueFailure() }
    }

    /// Adds a stored task to the end of the queue (as a replica that created it without a lease).
    func enqueue(_ key: TaskKey) {
        state.withLock { $0.waiting.append(key) }
    }

    private static func room(in namespace: NamespaceName, _ state: State, defaultLimit: Int) -> Bool {
        state.leases.keys.filter { $0.namespace == namespace }.count < (state.limits[namespace] ?? defaultLimit)
    }

    /// Frees the leases of tasks with nothing left to run, as a task's last write does in the stores.
    private func freeFinishedLeases() async throws {
        for key in state.withLock({ Array($0.leases.keys) }) {
            if try await store.task(namespace: key.namespace, id: key.id)?.runInput == nil {
                _ = state.withLock { $0.leases.removeValue(forKey: key) }
            }
        }
    }

    func claimTasks(owner: String, limit: Int, lease: Duration, defaultNamespaceLimit: Int) async throws -> [TaskRecord] {
        try check(.claim)
        try await freeFinishedLeases()
        let keys = state.withLock { state -> [TaskKey] in
            state.claims += 1
            var taken: [TaskKey] = []
            for key in state.waiting where taken.count < limit && Self.room(in: key.namespace, state, defaultLimit: defaultNamespaceLimit) {
                state.leases[key] = owner
                taken.append(key)
            }
            state.waiting.removeAll { taken.contains($0) }
            return taken
        }
        var records: [TaskRecord] = []
        for key in keys {
            if let record = try await store.task(namespace: key.namespace, id: key.id) { records.append(record) }
        }
        return records
    }

    func createTask(_ task: TaskRecord, events: [TaskEventRecord], pushConfigs: [PushConfigRecord], lease: TaskLeaseRequest) async throws -> Bool {
        try await store.createTask(task, events: events, pushConfigs: pushConfigs)
        try await freeFinishedLeases()
        let key = TaskKey(namespace: task.namespace, id: task.id)
        return state.withLock { state in
            let olderWaits = state.waiting.contains { $0.namespace == task.namespace }
            guard !olderWaits, Self.room(in: task.namespace, state, defaultLimit: lease.defaultNamespaceLimit) else {
                state.waiting.append(key)
                return false
            }
            state.leases[key] = lease.owner
            return true
        }
    }

    func leaseNextTask(in namespace: NamespaceName, lease: TaskLeaseRequest) async throws -> TaskRecord? {
        state.withLock { $0.handOffs += 1 }
        let hook = beforeHandOff.withLock { value -> (@Sendable () -> Void)? in
            defer { value = nil }
            return value
        }
        hook?()
        try check(.leaseNext)
        try await freeFinishedLeases()
        let key = state.withLock { state -> TaskKey? in
            guard Self.room(in: namespace, state, defaultLimit: lease.defaultNamespaceLimit),
                let index = state.waiting.firstIndex(where: { $0.namespace == namespace })
            else { return nil }
            let key = state.waiting.remove(at: index)
            state.leases[key] = lease.owner
            return key
        }
        guard let key else { return nil }
        return try await store.task(namespace: key.namespace, id: key.id)
    }

    func waitingTaskCount() async throws -> Int {
        state.withLock { $0.waiting.count }
    }

    func renewLeases(owner: String, lease: Duration) async throws -> Set<TaskKey> {
        try check(.renew)
        return state.withLock { Set($0.leases.filter { $0.value == owner }.keys) }
    }

    func releaseLease(owner: String, task: TaskKey) async throws {
        state.withLock { state in
            guard state.leases[task] == owner else { return }
            state.leases[task] = nil
            state.released.append(task)
            state.waiting.insert(task, at: 0)
        }
    }

    func releaseLeases(owner: String) async throws {
        try check(.releaseAll)
        state.withLock { state in
            state.releasedAll.append(owner)
            let held = state.leases.filter { $0.value == owner }.keys
            for key in held { state.leases[key] = nil }
            state.waiting.insert(contentsOf: held, at: 0)
        }
    }

    func setRunningLimit(_ limit: Int?, namespace: NamespaceName) async throws {
        // As the stores do: a quota belongs to an existing namespace.
        guard try await store.namespace(named: namespace) != nil else { throw ServiceError.namespaceNotFound(namespace.rawValue) }
        state.withLock { $0.limits[namespace] = limit }
    }
}
