//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// One entity as sync carries it: its identity, revision, and body (absent for a tombstone).
public struct SyncEntity: Sendable, Hashable, Codable {
    public var kind: String
    public var name: String
    /// Increases by one with every change on the side that sent it.
    public var revision: Int64
    /// A tombstone: the entity was deleted.
    public var deleted: Bool
    /// The entity's JSON body; `nil` for tombstones. Secrets (an actor's sealed `apiKey`) never travel.
    public var body: JSONObject?
    /// The position of the entity's latest change in the namespace's sync log.
    public var sequence: Int64
    public var updatedAt: A2ATimestamp?

    public init(kind: String, name: String, revision: Int64, deleted: Bool, body: JSONObject?, sequence: Int64, updatedAt: A2ATimestamp? = nil) {
        self.kind = kind
        self.name = name
        self.revision = revision
        self.deleted = deleted
        self.body = body
        self.sequence = sequence
        self.updatedAt = updatedAt
    }
}

/// What a pushed item does.
public enum SyncOperation: String, Sendable, Hashable, Codable, CaseIterable {
    case upsert
    case delete
}

/// One change in a push: an upsert or a delete, made on top of `baseRevision`.
public struct SyncPushItem: Sendable, Hashable, Codable {
    public var op: SyncOperation
    public var kind: String
    public var name: String
    /// The revision the change was made on; 0 for an entity the sender never saw.
    /// A different stored revision makes the item a conflict, unless `force` is set.
    public var baseRevision: Int64
    /// The new body of an upsert.
    public var body: JSONObject?
    /// Apply even when `baseRevision` is stale (the sender's copy wins).
    public var force: Bool?

    public init(op: SyncOperation, kind: String, name: String, baseRevision: Int64, body: JSONObject? = nil, force: Bool? = nil) {
        self.op = op
        self.kind = kind
        self.name = name
        self.baseRevision = baseRevision
        self.body = body
        self.force = force
    }

    enum CodingKeys: String, CodingKey {
        case op, kind, name, baseRevision, body, force
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.op = try container.decode(SyncOperation.self, forKey: .op)
        self.kind = try container.decode(String.self, forKey: .kind)
        self.name = try container.decode(String.self, forKey: .name)
        self.baseRevision = try container.decodeIfPresent(Int64.self, forKey: .baseRevision) ?? 0
        self.body = try container.decodeIfPresent(JSONObject.self, forKey: .body)
        self.force = try container.decodeIfPresent(Bool.self, forKey: .force)
    }
}

/// Params of `_cleveragents/sync/push`.
public struct SyncPushRequest: Sendable, Hashable, Codable {
    public var tenant: String?
    /// Chosen by the client, unique per batch: a retried push with the same id is applied once.
    public var batchId: String
    public var items: [SyncPushItem]

    public init(tenant: String? = nil, batchId: String, items: [SyncPushItem]) {
        self.tenant = tenant
        self.batchId = batchId
        self.items = items
    }
}

/// What happened to one pushed item.
public enum SyncItemStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// The change was stored; `revision` is the new revision.
    case applied
    /// The entity already was as pushed; nothing changed.
    case unchanged
    /// The stored revision is not the item's base revision; nothing changed, `current` is what is stored.
    case conflict
}

/// The outcome of one pushed item, in the order of the request.
public struct SyncItemResult: Sendable, Hashable, Codable {
    public var kind: String
    public var name: String
    public var status: SyncItemStatus
    /// The stored revision after the push (0 when nothing is stored).
    public var revision: Int64
    /// For a conflict: the stored entity (`nil` when none is stored).
    public var current: SyncEntity?

    public init(kind: String, name: String, status: SyncItemStatus, revision: Int64, current: SyncEntity? = nil) {
        self.kind = kind
        self.name = name
        self.status = status
        self.revision = revision
        self.current = current
    }
}

/// Result of `_cleveragents/sync/push`.
public struct SyncPushResponse: Sendable, Hashable, Codable {
    public var batchId: String
    /// This batch had been applied before; these are the results of that first time.
    public var replayed: Bool
    public var results: [SyncItemResult]
    /// The namespace's sync log head after the push.
    public var head: Int64

    public init(batchId: String, replayed: Bool, results: [SyncItemResult], head: Int64) {
        self.batchId = batchId
        self.replayed = replayed
        self.results = results
        self.head = head
    }
}

/// Params of `_cleveragents/sync/pull`.
public struct SyncPullRequest: Sendable, Hashable, Codable {
    public var tenant: String?
    /// Changes after this sync log position; 0 (the default) for everything.
    public var cursor: Int64?
    public var pageSize: Int?

    public init(tenant: String? = nil, cursor: Int64? = nil, pageSize: Int? = nil) {
        self.tenant = tenant
        self.cursor = cursor
        self.pageSize = pageSize
    }
}

/// Result of `_cleveragents/sync/pull`: the latest state of every entity changed after the
/// cursor (tombstones included), in sync log order.
public struct SyncPullResponse: Sendable, Hashable, Codable {
    public var changes: [SyncEntity]
    /// Pass as `cursor` to continue; the request's cursor when nothing changed.
    public var nextCursor: Int64
    /// Whether more changes follow this page.
    public var hasMore: Bool
    public var head: Int64

    public init(changes: [SyncEntity], nextCursor: Int64, hasMore: Bool, head: Int64) {
        self.changes = changes
        self.nextCursor = nextCursor
        self.hasMore = hasMore
        self.head = head
    }
}

/// Params of `_cleveragents/sync/status`.
public struct SyncStatusRequest: Sendable, Hashable, Codable {
    public var tenant: String?

    public init(tenant: String? = nil) {
        self.tenant = tenant
    }
}

/// Result of `_cleveragents/sync/status`.
public struct SyncStatusResponse: Sendable, Hashable, Codable {
    /// The sequence of the namespace's latest change (0 before the first).
    public var head: Int64
    /// Live entities.
    public var entities: Int
    /// Deleted entities kept as tombstones.
    public var tombstones: Int
    /// Live entities per kind.
    public var kinds: [String: Int]

    public init(head: Int64, entities: Int, tombstones: Int, kinds: [String: Int]) {
        self.head = head
        self.entities = entities
        self.tombstones = tombstones
        self.kinds = kinds
    }
}
