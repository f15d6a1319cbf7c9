//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
public import CleverAgentsDomain
import Synchronization

/// Namespaces, actors and tasks in memory: the stores of unit tests and of throwaway runs.
///
/// It keeps the same contracts as the durable stores (versions, sequence numbers, ordering),
/// so that code tested against it behaves the same on Postgres.
public final class InMemoryStore: TaskStore, NamespaceStore, PushConfigStore, PushOutbox, Sendable {
    private struct State {
        var namespaces: [NamespaceName: Namespace] = [:]
        var actors: [NamespaceName: [String: ActorDefinition]] = [:]
        var tasks: [NamespaceName: [String: TaskRecord]] = [:]
        var events: [NamespaceName: [String: [TaskEventRecord]]] = [:]
        var pushConfigs: [NamespaceName: [String: [PushConfigRecord]]] = [:]
        var deliveries: [Int64: QueuedDelivery] = [:]
        var nextDeliveryID: Int64 = 1
    }

    private struct QueuedDelivery {
        var delivery: PushDelivery
        var due: ContinuousClock.Instant
        var failed: Bool = false
        var lastError: String?
    }

    private let state = Mutex(State())

    public init() {}

    // MARK: NamespaceStore

    public func namespace(named name: NamespaceName) async throws -> Namespace? {
        state.withLock { $0.namespaces[name] }
    }

    public func createNamespace(_ namespace: Namespace) async throws {
        try state.withLock { state in
            guard state.namespaces[namespace.name] == nil else { throw StoreError.alreadyExists }
            state.namespaces[namespace.name] = namespace
        }
    }

    public func actors(in namespace: NamespaceName) async throws -> [ActorDefinition] {
        state.withLock { state in
            (state.actors[namespace] ?? [:]).values.sorted { $0.name < $1.name }
        }
    }

    public func putActor(_ actor: ActorDefinition, in namespace: NamespaceName) async throws {
        state.withLock { state in
            if actor.isDefault {
                for name in (state.actors[namespace] ?? [:]).keys {
                    state.actors[namespace]?[name]?.isDefault = false
                }
            }
            state.actors[namespace, default: [:]][actor.name] = actor
        }
    }

    public func deleteActor(named name: String, in namespace: NamespaceName) async throws -> Bool {
        state.withLock { $0.actors[namespace]?.removeValue(forKey: name) != nil }
    }

    public func allNamespaces() async throws -> [Namespace] {
        state.withLock { $0.namespaces.values.sorted { $0.name < $1.name } }
    }

    public func deleteNamespace(named name: NamespaceName) async throws -> Bool {
        state.withLock { state in
            guard state.namespaces.removeValue(forKey: name) != nil else { return false }
            state.actors[name] = nil
            state.tasks[name] = nil
            state.events[name] = nil
            state.pushConfigs[name] = nil
            state.deliveries = state.deliveries.filter { $0.value.delivery.namespace != name }
            return true
        }
    }

    // MARK: TaskStore

    public func createTask(_ task: TaskRecord, events: [TaskEventRecord], pushConfigs: [PushConfigRecord]) async throws {
        try state.withLock { state in
            guard state.tasks[task.namespace]?[task.id] == nil else { throw StoreError.alreadyExists }
            state.tasks[task.namespace, default: [:]][task.id] = task
            state.events[task.namespace, default: [:]][task.id] = events
            state.pushConfigs[task.namespace, default: [:]][task.id] = pushConfigs
            Self.queue(events, in: &state)
        }
    }

    public func updateTask(_ task: TaskRecord, expectedVersion: Int64, appending events: [TaskEventRecord]) async throws {
        try state.withLock { state in
            guard let stored = state.tasks[task.namespace]?[task.id], stored.version == expectedVersion else {
                throw StoreError.conflict
            }
            let lastSequence = state.events[task.namespace]?[task.id]?.last?.sequence ?? 0
            for (offset, event) in events.enumerated() where event.sequence != lastSequence + Int64(offset) + 1 {
                throw StoreError.conflict
            }
            state.tasks[task.namespace]?[task.id] = task
            state.events[task.namespace]?[task.id, default: []].append(contentsOf: events)
            Self.queue(events, in: &state)
        }
    }

    private static func queue(_ events: [TaskEventRecord], in state: inout State) {
        for event in events {
            for config in state.pushConfigs[event.namespace]?[event.taskId] ?? [] {
                let id = state.nextDeliveryID
                state.nextDeliveryID += 1
                state.deliveries[id] = QueuedDelivery(
                    delivery: PushDelivery(
                        id: id, namespace: event.namespace, taskId: event.taskId, configId: config.id,
                        eventSequence: event.sequence, event: event.event, attempts: 0
                    ),
                    due: .now
                )
            }
        }
    }

    // MARK: PushConfigStore

    public func putPushConfig(_ config: PushConfigRecord) async throws {
        state.withLock { state in
            var configs = state.pushConfigs[config.namespace]?[config.taskId] ?? []
            if let index = configs.firstIndex(where: { $0.id == config.id }) {
                configs[index] = config
            } else {
                configs.append(config)
            }
            state.pushConfigs[config.namespace, default: [:]][config.taskId] = configs
        }
    }

    public func pushConfig(namespace: NamespaceName, taskId: String, id: String) async throws -> PushConfigRecord? {
        state.withLock { $0.pushConfigs[namespace]?[taskId]?.first { $0.id == id } }
    }

    public func pushConfigs(namespace: NamespaceName, taskId: String) async throws -> [PushConfigRecord] {
        state.withLock { $0.pushConfigs[namespace]?[taskId] ?? [] }
    }

    public func deletePushConfig(namespace: NamespaceName, taskId: String, id: String) async throws {
        state.withLock { state in
            state.pushConfigs[namespace]?[taskId]?.removeAll { $0.id == id }
            state.deliveries = state.deliveries.filter { _, queued in
                !(queued.delivery.namespace == namespace && queued.delivery.taskId == taskId && queued.delivery.configId == id)
            }
        }
    }

    // MARK: PushOutbox

    public func claimDueDeliveries(limit: Int, lease: Duration) async throws -> [PushDelivery] {
        state.withLock { state in
            let now = ContinuousClock.now
            let pending = state.deliveries.values.filter { !$0.failed }
            // The oldest undelivered notification of each task and webhook, if it is due.
            var oldest: [String: QueuedDelivery] = [:]
            for queued in pending {
                let key = "\(queued.delivery.namespace)/\(queued.delivery.taskId)/\(queued.delivery.configId)"
                if let current = oldest[key], current.delivery.eventSequence < queued.delivery.eventSequence { continue }
                oldest[key] = queued
            }
            let due = oldest.values.filter { $0.due <= now }.sorted { $0.delivery.id < $1.delivery.id }.prefix(limit)
            return due.map { queued in
                state.deliveries[queued.delivery.id]?.delivery.attempts += 1
                state.deliveries[queued.delivery.id]?.due = now + lease
                return state.deliveries[queued.delivery.id]!.delivery
            }
        }
    }

    public func completeDelivery(id: Int64) async throws {
        _ = state.withLock { $0.deliveries.removeValue(forKey: id) }
    }

    public func retryDelivery(id: Int64, after delay: Duration, error: String) async throws {
        state.withLock { state in
            state.deliveries[id]?.due = .now + delay
            state.deliveries[id]?.lastError = error
        }
    }

    public func abandonDelivery(id: Int64, error: String) async throws {
        state.withLock { state in
            state.deliveries[id]?.failed = true
            state.deliveries[id]?.lastError = error
        }
    }

    /// Undelivered notifications (for tests): delivery id, task, configuration, event sequence, failed.
    public var queuedDeliveries: [(id: Int64, taskId: String, configId: String, sequence: Int64, failed: Bool)] {
        state.withLock { state in
            state.deliveries.values.sorted { $0.delivery.id < $1.delivery.id }.map {
                ($0.delivery.id, $0.delivery.taskId, $0.delivery.configId, $0.delivery.eventSequence, $0.failed)
            }
        }
    }

    public func task(namespace: NamespaceName, id: String) async throws -> TaskRecord? {
        state.withLock { $0.tasks[namespace]?[id] }
    }

    public func events(namespace: NamespaceName, taskId: String, afterSequence: Int64) async throws -> [TaskEventRecord] {
        state.withLock { state in
            (state.events[namespace]?[taskId] ?? []).filter { $0.sequence > afterSequence }
        }
    }

    public func listTasks(namespace: NamespaceName, query: TaskQuery) async throws -> TaskPage {
        state.withLock { state in
            let matching = (state.tasks[namespace] ?? [:]).values.filter { task in
                if let owner = query.owner, task.owner != owner { return false }
                if let contextId = query.contextId, task.contextId != contextId { return false }
                if let wanted = query.state, task.state != wanted { return false }
                if let after = query.statusTimestampAfter, Self.sortTimestamp(task) <= after { return false }
                return true
            }
            .sorted(by: Self.isOrderedBefore)
            let remaining = matching.drop { task in
                guard let cursor = query.after else { return false }
                let timestamp = Self.sortTimestamp(task)
                return timestamp > cursor.statusTimestamp || (timestamp == cursor.statusTimestamp && task.id >= cursor.id)
            }
            let page = Array(remaining.prefix(query.pageSize))
            return TaskPage(tasks: page, totalSize: matching.count, hasMore: remaining.count > page.count)
        }
    }

    /// Newest status first, then id descending: the order every store uses.
    static func isOrderedBefore(_ lhs: TaskRecord, _ rhs: TaskRecord) -> Bool {
        let left = sortTimestamp(lhs)
        let right = sortTimestamp(rhs)
        return left != right ? left > right : lhs.id > rhs.id
    }

    static func sortTimestamp(_ task: TaskRecord) -> A2ATimestamp {
        task.status.timestamp ?? task.updatedAt
    }
}
