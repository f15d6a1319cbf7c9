//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol

/// What a store does with one pushed item.
public enum SyncDecision: Sendable, Hashable {
    /// Store the entity with this body (ignored for deletes), deletion flag and revision.
    case write(body: JSONObject, deleted: Bool, revision: Int64)
    /// The entity already is as pushed.
    case unchanged
    /// The item's base revision is stale; nothing changes.
    case conflict
}

/// The sync rules every store applies inside its transaction, so that they agree exactly.
public enum SyncRules {
    /// Decides a pushed item against what is stored.
    ///
    /// - An upsert needs `baseRevision` to equal the stored revision (0 when nothing is stored; 0
    ///   also recreates over a tombstone). A delete needs the same, and deleting what is absent or
    ///   already deleted changes nothing.
    /// - An item that would leave the entity exactly as stored is `unchanged`, whatever its base:
    ///   both sides already agree.
    /// - `force` skips the revision check: the sender's copy wins.
    public static func decide(_ item: SyncPushItem, current: EntityRecord?) -> SyncDecision {
        let storedRevision = current?.revision ?? 0
        switch item.op {
        case .upsert:
            let body = EntityKinds.merged(kind: item.kind, incoming: item.body ?? [:], stored: current?.body)
            if let current, !current.deleted, current.body == body {
                return .unchanged
            }
            let baseMatches: Bool
            if let current, current.deleted {
                baseMatches = item.baseRevision == 0 || item.baseRevision == current.revision
            } else {
                baseMatches = item.baseRevision == storedRevision
            }
            guard baseMatches || item.force == true else { return .conflict }
            return .write(body: body, deleted: false, revision: storedRevision + 1)
        case .delete:
            guard let current, !current.deleted else { return .unchanged }
            guard item.baseRevision == current.revision || item.force == true else { return .conflict }
            return .write(body: current.body, deleted: true, revision: current.revision + 1)
        }
    }
}
