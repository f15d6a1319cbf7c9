//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol

/// Someone or something that calls the server: a user or a service account.
public struct Principal: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case user
        case service
    }

    /// Unique on the server: lowercase letters, digits and `.`, `-`, `_`, `@`, 1–128 characters.
    public var id: String
    public var kind: Kind
    public var displayName: String
    public var isSuperadmin: Bool
    public var disabled: Bool
    public var createdAt: A2ATimestamp

    public init(id: String, kind: Kind = .user, displayName: String? = nil, isSuperadmin: Bool = false, disabled: Bool = false, createdAt: A2ATimestamp) {
        self.id = id
        self.kind = kind
        self.displayName = displayName ?? id
        self.isSuperadmin = isSuperadmin
        self.disabled = disabled
        self.createdAt = createdAt
    }

    public static let idRule = "1-128 characters of a-z, 0-9, '.', '-', '_' and '@'"

    public static func isValidID(_ id: String) -> Bool {
        let utf8 = id.utf8
        guard (1...128).contains(utf8.count) else { return false }
        return utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "@")
        }
    }
}

/// Who a role binding gives a role to.
public enum RoleSubject: Sendable, Hashable {
    case principal(String)
    case team(String)

    public var kind: String {
        switch self {
        case .principal: "principal"
        case .team: "team"
        }
    }

    public var name: String {
        switch self {
        case .principal(let id), .team(let id): id
        }
    }

    public init?(kind: String, name: String) {
        switch kind {
        case "principal": self = .principal(name)
        case "team": self = .team(name)
        default: return nil
        }
    }
}

/// A role given to a principal or a team in a namespace.
public struct RoleBinding: Sendable, Hashable {
    public var namespace: NamespaceName
    public var subject: RoleSubject
    public var role: NamespaceRole

    public init(namespace: NamespaceName, subject: RoleSubject, role: NamespaceRole) {
        self.namespace = namespace
        self.subject = subject
        self.role = role
    }
}

/// An administrative action, as the audit log keeps it.
public struct AuditEntry: Sendable, Hashable {
    public var namespace: NamespaceName?
    /// The principal that acted (`cli` for the command line).
    public var actor: String
    /// What was done, e.g. `tokens.create`.
    public var action: String
    /// What it was done to, e.g. a token id or a principal.
    public var target: String
    public var details: JSONObject
    public var at: A2ATimestamp

    public init(namespace: NamespaceName?, actor: String, action: String, target: String, details: JSONObject = [:], at: A2ATimestamp) {
        self.namespace = namespace
        self.actor = actor
        self.action = action
        self.target = target
        self.details = details
        self.at = at
    }
}
