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

    public init(principalID: String, role: NamespaceRole?, isSuperadmin: Bool = false) {
        self.principalID = principalID
        self.role = role
        self.isSuperadmin = isSuperadmin
    }

    /// The caller of a namespace whose authentication is disabled: one shared anonymous owner.
    public static let anonymous = Caller(principalID: "anonymous", role: .owner)

    /// Whether the caller may see and act on tasks of other principals.
    public var seesAllTasks: Bool {
        isSuperadmin || (role.map { $0 >= .admin } ?? false)
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
