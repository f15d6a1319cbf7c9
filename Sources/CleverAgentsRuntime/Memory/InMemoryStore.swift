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
public final class InMemoryStore: TaskStore, NamespaceStore, Sendable {
    private struct State {
        var namespaces: [NamespaceName: Namespace] = [:]
        var actors: [NamespaceName: [String: ActorDefinition]] = [:]
        var tasks: [NamespaceName: [String: TaskRecord]] = [:]
        var events: [NamespaceName: [String: [TaskEventRecord]]] = [:]
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

    // MARK: TaskStore

    public func createTask(_ task: TaskRecord, events: [TaskEventRecord]) async throws {
        try state.withLock { state in
            guard state.tasks[task.namespace]?[task.id] == nil else { throw StoreError.alreadyExists }
            state.tasks[task.namespace, default: [:]][task.id] = task
            state.events[task.namespace, default: [:]][task.id] = events
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
