//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// What a role allows in a namespace. The table is in `docs/security.md`.
public enum Permission: String, Sendable, Hashable, CaseIterable {
    /// `GetExtendedAgentCard`.
    case readExtendedCard
    /// `GetTask`, `ListTasks`, `SubscribeToTask` — own tasks, or all for roles that see all.
    case readTasks
    /// `SendMessage`, `SendStreamingMessage` (new tasks, and follow-ups to tasks one may act on).
    case sendMessages
    /// `CancelTask`.
    case cancelTasks
    /// The push notification config methods.
    case managePushConfigs
    /// Actors: `_cleveragents/admin/actors/*`.
    case manageActors
    /// API tokens of the namespace: `_cleveragents/admin/tokens/*`.
    case manageTokens
    /// Role bindings and teams: `_cleveragents/admin/roleBindings/*`, `_cleveragents/admin/teams/*`.
    case manageAccess
    /// The namespace's audit log.
    case readAudit
    /// `_cleveragents/sync/pull`, `_cleveragents/sync/status`.
    case pullEntities
    /// `_cleveragents/sync/push`.
    case pushEntities
    /// Deleting the namespace.
    case deleteNamespace
    /// Creating, listing and changing namespaces and principals: superadmins only.
    case manageServer
}

extension NamespaceRole {
    /// The permissions of the role; each role includes those of the roles below it.
    public var permissions: Set<Permission> {
        switch self {
        case .viewer: Self.viewerPermissions
        case .member: Self.memberPermissions
        case .admin: Self.adminPermissions
        case .owner: Self.ownerPermissions
        }
    }

    // Built once: every request asks.
    private static let viewerPermissions: Set<Permission> = [.readExtendedCard, .readTasks, .pullEntities]
    private static let memberPermissions = viewerPermissions.union([.sendMessages, .cancelTasks, .managePushConfigs])
    private static let adminPermissions = memberPermissions.union([.manageActors, .manageTokens, .manageAccess, .readAudit, .pushEntities])
    private static let ownerPermissions = adminPermissions.union([.deleteNamespace])
}
