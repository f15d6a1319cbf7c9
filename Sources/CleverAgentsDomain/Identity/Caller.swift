//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// Who is calling, as far as authorization is concerned.
public struct Caller: Sendable, Hashable {
    /// The principal's stable id (`user:alice`, `service:ci`, or `anonymous`).
    public var principalID: String
    /// The caller's role in the namespace, if any.
    public var role: NamespaceRole?
    /// A server-level superadmin.
    public var isSuperadmin: Bool
    /// The token that authenticated the call (for per-token rate limits and the audit log).
    public var tokenID: String?

    public init(principalID: String, role: NamespaceRole?, isSuperadmin: Bool = false, tokenID: String? = nil) {
        self.principalID = principalID
        self.role = role
        self.isSuperadmin = isSuperadmin
        self.tokenID = tokenID
    }

    /// The caller of a namespace whose authentication is disabled: one shared anonymous owner.
    public static let anonymous = Caller(principalID: "anonymous", role: .owner)

    /// Whether the caller may read the tasks of other principals: viewers (auditors), admins,
    /// owners and superadmins. Members read their own tasks only.
    public var seesAllTasks: Bool {
        isSuperadmin || role == .viewer || (role.map { $0 >= .admin } ?? false)
    }

    /// Whether the caller may act on (message, cancel, configure) the tasks of other principals.
    public var actsOnAllTasks: Bool {
        isSuperadmin || (role.map { $0 >= .admin } ?? false)
    }

    /// Whether the caller holds `permission` in the namespace.
    public func has(_ permission: Permission) -> Bool {
        if isSuperadmin { return true }
        guard let role else { return false }
        return role.permissions.contains(permission)
    }
}

/// A role within one namespace. Roles are ordered: each includes the ones before it.
public enum NamespaceRole: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case viewer
    case member
    case admin
    case owner

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .member: 1
        case .admin: 2
        case .owner: 3
        }
    }

    public static func < (lhs: NamespaceRole, rhs: NamespaceRole) -> Bool {
        lhs.rank < rhs.rank
    }
}
