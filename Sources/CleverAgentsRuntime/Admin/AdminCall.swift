//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
public import CleverAgentsDomain

/// The administration methods, `_cleveragents/admin/*`, with their typed params.
///
/// Namespace methods are called on the namespace's endpoint (`POST /ns/{namespace}`); server
/// methods (namespaces, principals) on the server endpoint (`POST /`).
public enum AdminCall: Sendable, Hashable {
    case createToken(CreateTokenParams)
    case listTokens
    case revokeToken(IDParams)
    case setRoleBinding(RoleBindingParams)
    case deleteRoleBinding(RoleSubjectParams)
    case listRoleBindings
    case createTeam(NameParams)
    case deleteTeam(NameParams)
    case listTeams
    case addTeamMember(TeamMemberParams)
    case removeTeamMember(TeamMemberParams)
    case putActor(ActorParams)
    case deleteActor(NameParams)
    case listActors
    case listAudit(AuditParams)
    case getNamespace
    case deleteNamespace
    // Server level.
    case createNamespace(CreateNamespaceParams)
    case listNamespaces
    case setNamespaceQuota(NamespaceQuotaParams)
    case createPrincipal(CreatePrincipalParams)
    case setSuperadmin(SuperadminParams)

    public static let prefix = "_cleveragents/admin/"

    /// The method name of each call, without the prefix.
    static let names: [String: @Sendable (JSONRPCParams) throws -> AdminCall] = [
        "tokens/create": { .createToken(try $0.decode(CreateTokenParams.self)) },
        "tokens/list": { _ in .listTokens },
        "tokens/revoke": { .revokeToken(try $0.decode(IDParams.self)) },
        "roleBindings/set": { .setRoleBinding(try $0.decode(RoleBindingParams.self)) },
        "roleBindings/delete": { .deleteRoleBinding(try $0.decode(RoleSubjectParams.self)) },
        "roleBindings/list": { _ in .listRoleBindings },
        "teams/create": { .createTeam(try $0.decode(NameParams.self)) },
        "teams/delete": { .deleteTeam(try $0.decode(NameParams.self)) },
        "teams/list": { _ in .listTeams },
        "teams/addMember": { .addTeamMember(try $0.decode(TeamMemberParams.self)) },
        "teams/removeMember": { .removeTeamMember(try $0.decode(TeamMemberParams.self)) },
        "actors/put": { .putActor(try $0.decode(ActorParams.self)) },
        "actors/delete": { .deleteActor(try $0.decode(NameParams.self)) },
        "actors/list": { _ in .listActors },
        "audit/list": { .listAudit(try $0.decode(AuditParams.self, default: AuditParams())) },
        "namespace/get": { _ in .getNamespace },
        "namespace/delete": { _ in .deleteNamespace },
        "namespaces/create": { .createNamespace(try $0.decode(CreateNamespaceParams.self)) },
        "namespaces/list": { _ in .listNamespaces },
        "namespaces/setQuota": { .setNamespaceQuota(try $0.decode(NamespaceQuotaParams.self)) },
        "principals/create": { .createPrincipal(try $0.decode(CreatePrincipalParams.self)) },
        "principals/setSuperadmin": { .setSuperadmin(try $0.decode(SuperadminParams.self)) },
    ]

    /// Every operation's name, without the prefix, in order.
    public static var operationNames: [String] { names.keys.sorted() }

    /// The full method name of the call, `_cleveragents/admin/…`.
    public var methodName: String { Self.prefix + name }

    private var name: String {
        switch self {
        case .createToken: "tokens/create"
        case .listTokens: "tokens/list"
        case .revokeToken: "tokens/revoke"
        case .setRoleBinding: "roleBindings/set"
        case .deleteRoleBinding: "roleBindings/delete"
        case .listRoleBindings: "roleBindings/list"
        case .createTeam: "teams/create"
        case .deleteTeam: "teams/delete"
        case .listTeams: "teams/list"
        case .addTeamMember: "teams/addMember"
        case .removeTeamMember: "teams/removeMember"
        case .putActor: "actors/put"
        case .deleteActor: "actors/delete"
        case .listActors: "actors/list"
        case .listAudit: "audit/list"
        case .getNamespace: "namespace/get"
        case .deleteNamespace: "namespace/delete"
        case .createNamespace: "namespaces/create"
        case .listNamespaces: "namespaces/list"
        case .setNamespaceQuota: "namespaces/setQuota"
        case .createPrincipal: "principals/create"
        case .setSuperadmin: "principals/setSuperadmin"
        }
    }

    /// Whether the call administers the server rather than one namespace.
    public var isServerLevel: Bool {
        switch self {
        case .createNamespace, .listNamespaces, .setNamespaceQuota, .createPrincipal, .setSuperadmin: true
        default: false
        }
    }

    /// The permission the call needs in its namespace (server calls need ``Permission/manageServer``).
    public var permission: Permission {
        switch self {
        case .createToken, .listTokens, .revokeToken: .manageTokens
        case .setRoleBinding, .deleteRoleBinding, .listRoleBindings, .createTeam, .deleteTeam, .listTeams, .addTeamMember, .removeTeamMember:
            .manageAccess
        case .putActor, .deleteActor: .manageActors
        case .listActors, .getNamespace: .readExtendedCard
        case .listAudit: .readAudit
        case .deleteNamespace: .deleteNamespace
        case .createNamespace, .listNamespaces, .setNamespaceQuota, .createPrincipal, .setSuperadmin: .manageServer
        }
    }
}

extension AdminCall: JSONRPCMethodCall {
    public init?(method: String, params: JSONRPCParams) throws {
        guard method.hasPrefix(Self.prefix), let make = Self.names[String(method.dropFirst(Self.prefix.count))] else { return nil }
        self = try make(params)
    }
}

// MARK: Params

public struct CreateTokenParams: Sendable, Hashable, Codable {
    /// The principal the token acts as; created (as a user) if it does not exist.
    public var principal: String
    public var name: String?
    /// Also gives the principal this role in the namespace.
    public var role: NamespaceRole?
    public var expiresAt: A2ATimestamp?
    public var kind: Principal.Kind?

    public init(principal: String, name: String? = nil, role: NamespaceRole? = nil, expiresAt: A2ATimestamp? = nil, kind: Principal.Kind? = nil) {
        self.principal = principal
        self.name = name
        self.role = role
        self.expiresAt = expiresAt
        self.kind = kind
    }
}

public struct IDParams: Sendable, Hashable, Codable {
    public var id: String
    public init(id: String) { self.id = id }
}

public struct NameParams: Sendable, Hashable, Codable {
    public var name: String
    public init(name: String) { self.name = name }
}

/// A principal or a team (exactly one).
public struct RoleSubjectParams: Sendable, Hashable, Codable {
    public var principal: String?
    public var team: String?

    public init(principal: String? = nil, team: String? = nil) {
        self.principal = principal
        self.team = team
    }

    func subject() throws -> RoleSubject {
        switch (principal, team) {
        case (.some(let principal), nil): return .principal(principal)
        case (nil, .some(let team)): return .team(team)
        default: throw JSONRPCError.invalidParams(field: "principal", description: "give exactly one of principal and team")
        }
    }
}

public struct RoleBindingParams: Sendable, Hashable, Codable {
    public var principal: String?
    public var team: String?
    public var role: NamespaceRole

    public init(principal: String? = nil, team: String? = nil, role: NamespaceRole) {
        self.principal = principal
        self.team = team
        self.role = role
    }
}

public struct TeamMemberParams: Sendable, Hashable, Codable {
    public var team: String
    public var principal: String

    public init(team: String, principal: String) {
        self.team = team
        self.principal = principal
    }
}

public struct ActorParams: Sendable, Hashable, Codable {
    public var name: String
    public var description: String?
    public var tags: [String]?
    public var examples: [String]?
    public var graphUrl: String
    public var assistantId: String
    public var config: JSONObject?
    public var context: JSONObject?
    /// The `x-api-key` to send; sealed before it is stored, never returned.
    public var apiKey: String?
    public var streamModes: [String]?
    public var runTimeoutSeconds: Int?
    public var isDefault: Bool?

    public init(name: String, graphUrl: String, assistantId: String, isDefault: Bool? = nil) {
        self.name = name
        self.graphUrl = graphUrl
        self.assistantId = assistantId
        self.isDefault = isDefault
    }
}

public struct AuditParams: Sendable, Hashable, Codable {
    public var limit: Int?
    public init(limit: Int? = nil) { self.limit = limit }
}

public struct CreateNamespaceParams: Sendable, Hashable, Codable {
    public var name: String
    public var displayName: String?
    public var description: String?
    public var auth: Namespace.AuthMode?

    public init(name: String, displayName: String? = nil, description: String? = nil, auth: Namespace.AuthMode? = nil) {
        self.name = name
        self.displayName = displayName
        self.description = description
        self.auth = auth
    }
}

public struct CreatePrincipalParams: Sendable, Hashable, Codable {
    public var id: String
    public var kind: Principal.Kind?
    public var displayName: String?

    public init(id: String, kind: Principal.Kind? = nil, displayName: String? = nil) {
        self.id = id
        self.kind = kind
        self.displayName = displayName
    }
}

public struct SuperadminParams: Sendable, Hashable, Codable {
    public var principal: String
    public var superadmin: Bool

    public init(principal: String, superadmin: Bool) {
        self.principal = principal
        self.superadmin = superadmin
    }
}

/// `_cleveragents/admin/namespaces/setQuota`: a namespace's cap of running tasks across all
/// replicas; `null` returns it to the server default (`tasks.maxRunningPerNamespace`).
public struct NamespaceQuotaParams: Sendable, Hashable, Codable {
    public var namespace: String
    public var maxRunningTasks: Int?

    public init(namespace: String, maxRunningTasks: Int?) {
        self.namespace = namespace
        self.maxRunningTasks = maxRunningTasks
    }
}
