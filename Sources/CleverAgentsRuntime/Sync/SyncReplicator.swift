//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
public import CleverAgentsDomain

/// The remote side of a sync: a namespace reached through the sync methods (over HTTPS, say).
public protocol SyncRemote: Sendable {
    /// Identifies the remote namespace among the replica's remotes (its endpoint URL).
    var identity: String { get }
    func push(_ request: SyncPushRequest) async throws -> SyncPushResponse
    func pull(_ request: SyncPullRequest) async throws -> SyncPullResponse
    func status() async throws -> SyncStatusResponse
}

/// Which copy wins when both sides changed an entity since they were last in step.
public enum SyncPreference: String, Sendable, Hashable, CaseIterable {
    /// Report the conflict and change nothing (the default).
    case none
    /// This store's copy wins: it is pushed over the remote's.
    case local
    /// The remote's copy wins: it replaces this store's.
    case remote
}

/// Progress of a long sync, for a progress line.
public struct SyncProgress: Sendable, Hashable {
    public var done: Int
    /// The total when known (a push knows it; a pull learns it from the remote's head).
    public var total: Int?
}

/// What a push or pull did.
public struct SyncReport: Sendable, Hashable {
    /// Entities changed on the receiving side.
    public var applied: [EntityKey] = []
    /// Entities that were already in step.
    public var unchanged: Int = 0
    /// Entities changed on both sides, left as they are.
    public var conflicts: [SyncConflict] = []

    public init() {}
}

/// An entity changed on both sides since they were last in step.
public struct SyncConflict: Sendable, Hashable {
    public var key: EntityKey
    /// This store's revision (0 when it has no copy).
    public var localRevision: Int64
    /// The remote's revision (0 when it has no copy).
    public var remoteRevision: Int64
}

/// Keeps a local store's entities in step with a remote namespace, as a replica of it.
///
/// The replica remembers, per remote, the pull cursor and, per entity, the revisions of both
/// copies when they were last identical. An entity whose local revision moved since is a local
/// change to push (with the remote revision as its base); a remote change to an entity whose
/// local copy did not move is applied here. When both moved, and the copies differ, it is a
/// conflict, settled by a ``SyncPreference``.
public struct SyncReplicator: Sendable {
    public let store: any EntityStore & SyncReplicaStore
    public let namespace: NamespaceName
    public let remote: any SyncRemote
    public let ids: any IdentifierGenerator
    public var batchSize: Int
    public var pageSize: Int

    public init(
        store: any EntityStore & SyncReplicaStore,
        namespace: NamespaceName,
        remote: any SyncRemote,
        ids: any IdentifierGenerator = UUIDv7Generator(),
        batchSize: Int = 200,
        pageSize: Int = 500
    ) {
        self.store = store
        self.namespace = namespace
        self.remote = remote
        self.ids = ids
        self.batchSize = batchSize
        self.pageSize = pageSize
    }

    /// The principal recorded for changes a replica applies to its own store.
    static let principal = "sync"

    // MARK: Push

    /// Sends the local changes to the remote.
    public func push(prefer preference: SyncPreference = .none, progress: @Sendable (SyncProgress) -> Void = { _ in }) async throws -> SyncReport {
        let state = try await store.replicaState(remote: remote.identity, namespace: namespace)
        let pending = try await pendingChanges(state)
        var report = SyncReport()
        var done = 0
        progress(SyncProgress(done: 0, total: pending.count))
        for start in stride(from: 0, to: pending.count, by: batchSize) {
            let chunk = Array(pending[start..<min(start + batchSize, pending.count)])
            let items = chunk.map { record in
                SyncPushItem(
                    op: record.deleted ? .delete : .upsert,
                    kind: record.kind,
                    name: record.name,
                    baseRevision: state.synced[record.key]?.remote ?? 0,
                    body: record.deleted ? nil : EntityKinds.syncedBody(kind: record.kind, record.body),
                    force: preference == .local ? true : nil
                )
            }
            let response = try await remote.push(SyncPushRequest(batchId: ids.makeID(), items: items))
            var pairs: [EntityKey: SyncedRevisions] = [:]
            var takeRemote: [(EntityRecord, SyncEntity?)] = []
            for (record, result) in zip(chunk, response.results) {
                switch result.status {
                case .applied:
                    report.applied.append(record.key)
                    pairs[record.key] = SyncedRevisions(remote: result.revision, local: record.revision)
                case .unchanged:
                    report.unchanged += 1
                    pairs[record.key] = SyncedRevisions(remote: result.revision, local: record.revision)
                case .conflict:
                    if preference == .remote {
                        takeRemote.append((record, result.current))
                    } else {
                        report.conflicts.append(SyncConflict(key: record.key, localRevision: record.revision, remoteRevision: result.revision))
                    }
                }
            }
            if !takeRemote.isEmpty {
                let adopted = try await adopt(takeRemote.map { ($0.0.key, $0.0, $0.1) })
                pairs.merge(adopted.pairs) { _, new in new }
                report.conflicts.append(contentsOf: adopted.conflicts)
            }
            try await store.recordSynced(remote: remote.identity, namespace: namespace, pairs: pairs, pullCursor: nil)
            done += chunk.count
            progress(SyncProgress(done: done, total: pending.count))
        }
        return report
    }

    /// Local entities changed since they were last in step with the remote.
    func pendingChanges(_ state: SyncReplicaState) async throws -> [EntityRecord] {
        try await store.entities(namespace: namespace).filter { record in
            guard let synced = state.synced[record.key] else { return !record.deleted }
            return synced.local != record.revision
        }
    }

    // MARK: Pull

    /// Applies the remote's changes here.
    public func pull(prefer preference: SyncPreference = .none, progress: @Sendable (SyncProgress) -> Void = { _ in }) async throws -> SyncReport {
        var state = try await store.replicaState(remote: remote.identity, namespace: namespace)
        var report = SyncReport()
        var cursor = state.pullCursor
        var done = 0
        var blocked = false
        // One read of the local entities; adopting a change updates this view as it goes.
        var locals = Dictionary(uniqueKeysWithValues: try await store.entities(namespace: namespace).map { ($0.key, $0) })
        while true {
            let page = try await remote.pull(SyncPullRequest(cursor: cursor, pageSize: pageSize))
            var pairs: [EntityKey: SyncedRevisions] = [:]
            var toAdopt: [(EntityKey, EntityRecord?, SyncEntity?)] = []
            var sequences: [EntityKey: Int64] = [:]
            // The cursor advances over changes that are settled, and stops before the first conflict,
            // so that a later pull (preferring one side) sees the conflicting change again.
            var firstUnsettled: Int64?
            for change in page.changes {
                let key = EntityKey(kind: change.kind, name: change.name)
                sequences[key] = change.sequence
                let synced = state.synced[key]
                if synced?.remote == change.revision {
                    report.unchanged += 1
                    continue
                }
                let local = locals[key]
                let localMoved = local.map { $0.revision != synced?.local && !($0.deleted && synced == nil) } ?? false
                if let local, Self.sameContent(local, change) {
                    pairs[key] = SyncedRevisions(remote: change.revision, local: local.revision)
                    report.unchanged += 1
                } else if !localMoved || preference == .remote {
                    toAdopt.append((key, local, change))
                } else if preference == .local {
                    // Keep ours: the next push goes out on top of the remote's revision.
                    pairs[key] = SyncedRevisions(remote: change.revision, local: synced?.local ?? 0)
                } else {
                    report.conflicts.append(SyncConflict(key: key, localRevision: local?.revision ?? 0, remoteRevision: change.revision))
                    firstUnsettled = min(firstUnsettled ?? change.sequence, change.sequence)
                }
            }
            let adopted = try await adopt(toAdopt)
            for (key, _, change) in toAdopt {
                guard let change, let revision = adopted.pairs[key]?.local else { continue }
                locals[key] = EntityRecord(
                    namespace: namespace, kind: key.kind, name: key.name, body: change.body ?? locals[key]?.body ?? [:],
                    revision: revision, deleted: change.deleted, syncSequence: 0, updatedAt: .now
                )
            }
            pairs.merge(adopted.pairs) { _, new in new }
            report.applied.append(contentsOf: adopted.applied)
            report.conflicts.append(contentsOf: adopted.conflicts)
            for conflict in adopted.conflicts {
                let sequence = sequences[conflict.key] ?? page.nextCursor
                firstUnsettled = min(firstUnsettled ?? sequence, sequence)
            }
            var newCursor: Int64?
            if !blocked {
                if let firstUnsettled {
                    newCursor = max(state.pullCursor, firstUnsettled - 1)
                    blocked = true
                } else {
                    newCursor = page.nextCursor
                }
            }
            try await store.recordSynced(remote: remote.identity, namespace: namespace, pairs: pairs, pullCursor: newCursor)
            state.synced.merge(pairs) { _, new in new }
            if let newCursor { state.pullCursor = newCursor }
            done += page.changes.count
            progress(SyncProgress(done: done, total: done + Int(max(0, page.head - page.nextCursor))))
            cursor = page.nextCursor
            if !page.hasMore { break }
        }
        return report
    }

    /// Makes the local copies equal to the remote's (a `nil` remote copy means none exists there),
    /// with a compare-and-set on the local revision, so a local edit made meanwhile is kept.
    private func adopt(_ entries: [(EntityKey, EntityRecord?, SyncEntity?)]) async throws -> (pairs: [EntityKey: SyncedRevisions], applied: [EntityKey], conflicts: [SyncConflict]) {
        var items: [SyncPushItem] = []
        var remoteRevisions: [EntityKey: Int64] = [:]
        for (key, local, remoteCopy) in entries {
            let base = local?.revision ?? 0
            remoteRevisions[key] = remoteCopy?.revision ?? 0
            if let remoteCopy, !remoteCopy.deleted {
                items.append(SyncPushItem(op: .upsert, kind: key.kind, name: key.name, baseRevision: base, body: remoteCopy.body ?? [:]))
            } else {
                items.append(SyncPushItem(op: .delete, kind: key.kind, name: key.name, baseRevision: base))
            }
        }
        guard !items.isEmpty else { return ([:], [], []) }
        let response = try await store.applySyncBatch(
            SyncBatch(batchId: ids.makeID(), principal: Self.principal, fingerprint: ids.makeID(), items: items),
            namespace: namespace
        )
        var pairs: [EntityKey: SyncedRevisions] = [:]
        var applied: [EntityKey] = []
        var conflicts: [SyncConflict] = []
        for result in response.results {
            let key = EntityKey(kind: result.kind, name: result.name)
            let remoteRevision = remoteRevisions[key] ?? 0
            switch result.status {
            case .applied, .unchanged:
                if result.status == .applied { applied.append(key) }
                pairs[key] = SyncedRevisions(remote: remoteRevision, local: result.revision)
            case .conflict:
                conflicts.append(SyncConflict(key: key, localRevision: result.revision, remoteRevision: remoteRevision))
            }
        }
        return (pairs, applied, conflicts)
    }

    /// Whether the local copy already equals the remote's.
    static func sameContent(_ local: EntityRecord, _ change: SyncEntity) -> Bool {
        if local.deleted || change.deleted { return local.deleted == change.deleted }
        return EntityKinds.syncedBody(kind: local.kind, local.body) == change.body
    }

    // MARK: Status

    /// How far apart the two sides are.
    public func status() async throws -> SyncReplicaStatus {
        let state = try await store.replicaState(remote: remote.identity, namespace: namespace)
        let pending = try await pendingChanges(state)
        let local = try await store.syncStatus(namespace: namespace)
        let remoteStatus = try await remote.status()
        return SyncReplicaStatus(
            remote: remote.identity,
            localChanges: pending.count,
            remoteHead: remoteStatus.head,
            pullCursor: state.pullCursor,
            local: local,
            remoteCounts: remoteStatus
        )
    }
}

/// Where a replica stands with one remote.
public struct SyncReplicaStatus: Sendable, Hashable, Codable {
    public var remote: String
    /// Local entities changed since they were last in step (to push).
    public var localChanges: Int
    public var remoteHead: Int64
    /// The remote sync log position pulled so far; `remoteHead - pullCursor` changes may wait.
    public var pullCursor: Int64
    public var local: SyncStatusResponse
    public var remoteCounts: SyncStatusResponse
}
