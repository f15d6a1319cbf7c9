//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
public import CleverAgentsDomain

/// Storage of namespace entities and their sync log. Every call is scoped by namespace.
///
/// Every change of an entity (by sync, or by ``NamespaceStore/putActor(_:in:)``) gets the next
/// sequence of the namespace's sync log in the same transaction, and sequences are handed out
/// in commit order, so a reader that has seen sequence N never later finds a change below N.
public protocol EntityStore: Sendable {
    /// Applies a pushed batch in one transaction, deciding each item with ``SyncRules``.
    ///
    /// A batch whose id was applied before (for the same principal) is not applied again: the
    /// first results come back with `replayed` set. The same id with other items fails with
    /// ``SyncBatchError/batchIdReused``.
    func applySyncBatch(_ batch: SyncBatch, namespace: NamespaceName) async throws -> SyncPushResponse

    /// The entities whose latest change is after `cursor`, in sync log order, at most `limit`.
    func syncChanges(namespace: NamespaceName, after cursor: Int64, limit: Int) async throws -> SyncPullResponse

    /// The head of the sync log and the entity counts.
    func syncStatus(namespace: NamespaceName) async throws -> SyncStatusResponse

    /// One entity, tombstones included.
    func entity(namespace: NamespaceName, key: EntityKey) async throws -> EntityRecord?

    /// Every entity of the namespace by kind and name, tombstones included.
    func entities(namespace: NamespaceName) async throws -> [EntityRecord]
}

/// A push as the store applies it.
public struct SyncBatch: Sendable, Hashable {
    public var batchId: String
    /// Who pushed: batch ids are scoped by principal.
    public var principal: String
    /// Identifies the items, so a reused batch id with other items is caught.
    public var fingerprint: String
    public var items: [SyncPushItem]

    public init(batchId: String, principal: String, fingerprint: String, items: [SyncPushItem]) {
        self.batchId = batchId
        self.principal = principal
        self.fingerprint = fingerprint
        self.items = items
    }
}

/// Why a batch was refused.
public enum SyncBatchError: Error, Sendable, Hashable {
    /// The batch id was used before for other items.
    case batchIdReused(String)
}

/// How long a store remembers applied batch ids for replay.
public enum SyncBatchRetention {
    public static let seconds: Int64 = 7 * 24 * 3600
}

/// The replica side of sync: what a local store remembers about each remote it syncs with.
public protocol SyncReplicaStore: Sendable {
    /// The remote's pull cursor and the revisions at which each entity was last in step.
    func replicaState(remote: String, namespace: NamespaceName) async throws -> SyncReplicaState

    /// Records entities now in step with the remote and, when given, the new pull cursor.
    func recordSynced(remote: String, namespace: NamespaceName, pairs: [EntityKey: SyncedRevisions], pullCursor: Int64?) async throws
}

/// The revisions of one entity on both sides when they were last identical.
public struct SyncedRevisions: Sendable, Hashable, Codable {
    public var remote: Int64
    public var local: Int64

    public init(remote: Int64, local: Int64) {
        self.remote = remote
        self.local = local
    }
}

/// What a replica remembers about one remote.
public struct SyncReplicaState: Sendable, Hashable {
    public var pullCursor: Int64
    public var synced: [EntityKey: SyncedRevisions]

    public init(pullCursor: Int64 = 0, synced: [EntityKey: SyncedRevisions] = [:]) {
        self.pullCursor = pullCursor
        self.synced = synced
    }
}
