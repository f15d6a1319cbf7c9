//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
public import CleverAgentsDomain
import Synchronization

/// Namespaces, actors and tasks in memory: the stores of unit tests and of throwaway runs.
///
/// It keeps the same contracts as the durable stores (versions, sequence numbers, ordering),
/// so that code tested against it behaves the same on Postgres.
public final class InMemoryStore: TaskStore, NamespaceStore, PushConfigStore, PushOutbox, EntityStore, SyncReplicaStore, Sendable {
    private struct State {
        var namespaces: [NamespaceName: Namespace] = [:]
        var entities: [NamespaceName: [EntityKey: EntityRecord]] = [:]
        var syncHeads: [NamespaceName: Int64] = [:]
        var syncBatches: [NamespaceName: [String: (fingerprint: String, response: SyncPushResponse, at: A2ATimestamp)]] = [:]
        var replicas: [String: SyncReplicaState] = [:]
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
        let records = state.withLock { state in
            (state.entities[namespace] ?? [:]).values.filter { $0.kind == EntityKinds.actor && !$0.deleted }.sorted { $0.name < $1.name }
        }
        return try records.map { record in
            var actor = try ActorDefinition(entityBody: record.body)
            actor.updatedAt = record.updatedAt
            return actor
        }
    }

    public func putActor(_ actor: ActorDefinition, in namespace: NamespaceName) async throws {
        let body = try actor.entityBody()
        let now = A2ATimestamp.now
        state.withLock { state in
            if actor.isDefault {
                let others = (state.entities[namespace] ?? [:]).values.filter {
                    $0.kind == EntityKinds.actor && $0.name != actor.name && !$0.deleted && $0.body["isDefault"] == .bool(true)
                }
                for var other in others.sorted(by: { $0.name < $1.name }) {
                    other.body["isDefault"] = .bool(false)
                    Self.write(&other, revision: other.revision + 1, deleted: false, at: now, in: &state)
                }
            }
            let key = EntityKey(kind: EntityKinds.actor, name: actor.name)
            var record = state.entities[namespace]?[key]
                ?? EntityRecord(namespace: namespace, kind: key.kind, name: key.name, body: body, revision: 0, deleted: false, syncSequence: 0, updatedAt: now)
            record.body = body
            Self.write(&record, revision: record.revision + 1, deleted: false, at: now, in: &state)
        }
    }

    /// Stores a changed entity with the next sequence of its namespace's sync log.
    private static func write(_ record: inout EntityRecord, revision: Int64, deleted: Bool, at now: A2ATimestamp, in state: inout State) {
        let sequence = (state.syncHeads[record.namespace] ?? 0) + 1
        state.syncHeads[record.namespace] = sequence
        record.revision = revision
        record.deleted = deleted
        record.syncSequence = sequence
        record.updatedAt = now
        state.entities[record.namespace, default: [:]][record.key] = record
    }

    // MARK: EntityStore

    public func applySyncBatch(_ batch: SyncBatch, namespace: NamespaceName) async throws -> SyncPushResponse {
        let now = A2ATimestamp.now
        return try state.withLock { state in
            let replayKey = "\(batch.principal)\u{0}\(batch.batchId)"
            let horizon = now.millisecondsSinceEpoch - SyncBatchRetention.seconds * 1000
            state.syncBatches[namespace] = state.syncBatches[namespace]?.filter { $0.value.at.millisecondsSinceEpoch >= horizon }
            if let previous = state.syncBatches[namespace]?[replayKey] {
                guard previous.fingerprint == batch.fingerprint else { throw SyncBatchError.batchIdReused(batch.batchId) }
                var response = previous.response
                response.replayed = true
                return response
            }
            var results: [SyncItemResult] = []
            for item in batch.items {
                let key = EntityKey(kind: item.kind, name: item.name)
                let current = state.entities[namespace]?[key]
                switch SyncRules.decide(item, current: current) {
                case .write(let body, let deleted, let revision):
                    var record = current
                        ?? EntityRecord(namespace: namespace, kind: key.kind, name: key.name, body: body, revision: 0, deleted: false, syncSequence: 0, updatedAt: now)
                    record.body = body
                    Self.write(&record, revision: revision, deleted: deleted, at: now, in: &state)
                    results.append(SyncItemResult(kind: key.kind, name: key.name, status: .applied, revision: revision))
                case .unchanged:
                    results.append(SyncItemResult(kind: key.kind, name: key.name, status: .unchanged, revision: current?.revision ?? 0))
                case .conflict:
                    results.append(
                        SyncItemResult(kind: key.kind, name: key.name, status: .conflict, revision: current?.revision ?? 0, current: current?.syncEntity)
                    )
                }
            }
            let response = SyncPushResponse(batchId: batch.batchId, replayed: false, results: results, head: state.syncHeads[namespace] ?? 0)
            state.syncBatches[namespace, default: [:]][replayKey] = (batch.fingerprint, response, now)
            return response
        }
    }

    public func syncChanges(namespace: NamespaceName, after cursor: Int64, limit: Int) async throws -> SyncPullResponse {
        state.withLock { state in
            let changed = (state.entities[namespace] ?? [:]).values.filter { $0.syncSequence > cursor }.sorted { $0.syncSequence < $1.syncSequence }
            let page = changed.prefix(limit)
            return SyncPullResponse(
                changes: page.map(\.syncEntity),
                nextCursor: page.last?.syncSequence ?? cursor,
                hasMore: changed.count > page.count,
                head: state.syncHeads[namespace] ?? 0
            )
        }
    }

    public func syncStatus(namespace: NamespaceName) async throws -> SyncStatusResponse {
        state.withLock { state in
            let all = (state.entities[namespace] ?? [:]).values
            var kinds: [String: Int] = [:]
            for record in all where !record.deleted { kinds[record.kind, default: 0] += 1 }
            return SyncStatusResponse(
                head: state.syncHeads[namespace] ?? 0,
                entities: all.filter { !$0.deleted }.count,
                tombstones: all.filter(\.deleted).count,
                kinds: kinds
            )
        }
    }

    public func entity(namespace: NamespaceName, key: EntityKey) async throws -> EntityRecord? {
        state.withLock { $0.entities[namespace]?[key] }
    }

    public func entities(namespace: NamespaceName) async throws -> [EntityRecord] {
        state.withLock { state in (state.entities[namespace] ?? [:]).values.sorted { $0.key < $1.key } }
    }

    // MARK: SyncReplicaStore

    public func replicaState(remote: String, namespace: NamespaceName) async throws -> SyncReplicaState {
        state.withLock { $0.replicas["\(namespace)\u{0}\(remote)"] ?? SyncReplicaState() }
    }

    public func recordSynced(remote: String, namespace: NamespaceName, pairs: [EntityKey: SyncedRevisions], pullCursor: Int64?) async throws {
        state.withLock { state in
            let key = "\(namespace)\u{0}\(remote)"
            var replica = state.replicas[key] ?? SyncReplicaState()
            replica.synced.merge(pairs) { _, new in new }
            if let pullCursor { replica.pullCursor = pullCursor }
            state.replicas[key] = replica
        }
    }

    public func deleteActor(named name: String, in namespace: NamespaceName) async throws -> Bool {
        let now = A2ATimestamp.now
        return state.withLock { state in
            guard var record = state.entities[namespace]?[EntityKey(kind: EntityKinds.actor, name: name)], !record.deleted else { return false }
            // A tombstone, so that sync replicas learn of the deletion.
            Self.write(&record, revision: record.revision + 1, deleted: true, at: now, in: &state)
            return true
        }
    }

    public func allNamespaces() async throws -> [Namespace] {
        state.withLock { $0.namespaces.values.sorted { $0.name < $1.name } }
    }

    public func deleteNamespace(named name: NamespaceName) async throws -> Bool {
        state.withLock { state in
            guard state.namespaces.removeValue(forKey: name) != nil else { return false }
            state.entities[name] = nil
            state.syncHeads[name] = nil
            state.syncBatches[name] = nil
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

    public func putPushConfig(_ config: PushConfigRecord, limit: Int) async throws {
        try state.withLock { state throws(PushConfigLimitExceeded) in
            var configs = state.pushConfigs[config.namespace]?[config.taskId] ?? []
            if let index = configs.firstIndex(where: { $0.id == config.id }) {
                configs[index] = config
            } else {
                guard configs.count < limit else { throw PushConfigLimitExceeded(limit: limit) }
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

    public func releaseDeliveries(ids: [Int64]) async throws {
        state.withLock { state in
            for id in ids {
                guard var queued = state.deliveries[id], !queued.failed else { continue }
                queued.due = .now
                queued.delivery.attempts = max(queued.delivery.attempts - 1, 0)
                state.deliveries[id] = queued
            }
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
