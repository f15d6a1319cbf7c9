//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
public import CleverAgentsDomain

/// Who may call what in a namespace: one permission table (each call states what it needs,
/// ``JSONRPCCall/permission``) and one refusal (``PermissionDenied``), for every method family.
///
/// The caller's role comes from its credential, as the namespace's actor caches it (role
/// bindings and team memberships, dropped when they change); the decision is made here, by every
/// service before it acts, whichever front end the call came through. Grants are checked
/// further against the caller's own power (``GrantRules``).
public enum NamespacePolicy {
    /// Refuses a call the caller's role (or superadmin flag) does not allow.
    public static func authorize(_ caller: Caller, _ call: JSONRPCCall) throws(PermissionDenied) {
        let permission = call.permission
        guard caller.has(permission) else { throw PermissionDenied(permission) }
    }
}

extension JSONRPCCall {
    /// What the call needs (see `docs/security.md`, "Permissions").
    public var permission: Permission {
        switch self {
        case .a2a(let call): call.method.permission
        case .admin(let call): call.permission
        case .sync(let call): call.method.permission
        }
    }
}

extension A2AMethod {
    /// What an A2A method needs.
    public var permission: Permission {
        switch self {
        case .sendMessage, .sendStreamingMessage: .sendMessages
        case .getTask, .listTasks, .subscribeToTask: .readTasks
        case .cancelTask: .cancelTasks
        case .createTaskPushNotificationConfig, .getTaskPushNotificationConfig, .listTaskPushNotificationConfigs,
            .deleteTaskPushNotificationConfig:
            .managePushConfigs
        case .getExtendedAgentCard: .readExtendedCard
        }
    }
}

extension SyncMethod {
    /// What a sync method needs: pulling reads the namespace's entities, pushing changes them.
    public var permission: Permission {
        switch self {
        case .pull, .status: .pullEntities
        case .push: .pushEntities
        }
    }
}
