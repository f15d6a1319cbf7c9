//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
public import CleverAgentsDomain
import Foundation
public import Logging

/// The administration methods (`_cleveragents/admin/*`): tokens, role bindings, teams, actors,
/// the audit log, and (server level) namespaces and principals. Every change is audited.
public struct AdminService: Sendable {
    public let namespaces: any NamespaceStore
    public let identities: any IdentityStore
    public let authenticator: Authenticator
    public let secrets: any SecretBox
    public let directory: NamespaceDirectory
    public let clock: A2ATimestampSource
    /// Production mode refuses namespaces with authentication disabled.
    public let production: Bool
    /// Which graph URLs actors may name (checked again at every connection).
    public let egress: EgressPolicy
    /// Sets namespace quotas; without it `namespaces/setQuota` is not supported.
    public let queue: (any TaskQueue)?
    public let logger: Logger

    public init(
        namespaces: any NamespaceStore,
        identities: any IdentityStore,
        authenticator: Authenticator,
        secrets: any SecretBox,
        directory: NamespaceDirectory,
        clock: A2ATimestampSource = .system,
        production: Bool,
        egress: EgressPolicy? = nil,
        queue: (any TaskQueue)? = nil,
        logger: Logger
    ) {
        self.namespaces = namespaces
        self.identities = identities
        self.authenticator = authenticator
        self.secrets = secrets
        self.directory = directory
        self.clock = clock
        self.production = production
        self.egress = egress ?? .defaults(production: production)
        self.queue = queue
        self.logger = logger
    }

    /// Handles a namespace-level call on the namespace of `context`, or a server-level call
    /// (`context.namespace` is then ignored).
    public func handle(_ call: AdminCall, context: RequestContext) async throws -> JSONValue {
        try NamespacePolicy.authorize(context.caller, .admin(call))
        let namespace = context.namespace
        let caller = context.caller
        switch call {
        case .createToken(let params):
            return try await createToken(params, namespace: namespace, caller: caller)
        case .listTokens:
            let tokens = try await identities.tokens(namespace: namespace)
            return ["tokens": .array(tokens.map(Self.json))]
        case .revokeToken(let params):
            if let stored = try await identities.credential(tokenID: params.id), stored.token.namespace == namespace,
                !GrantRules.mayRevoke(tokenOf: stored.token.principal, carrying: stored.effectiveRole, by: caller)
            {
                throw PermissionDenied.grant(needing: stored.effectiveRole ?? .viewer)
            }
            let revoked = try await identities.revokeToken(id: params.id, namespace: namespace, at: clock.now())
            if revoked {
                await directory.activeActor(for: namespace)?.invalidateCredentials()
                try await audit(namespace, caller, "tokens.revoke", params.id)
            }
            return ["revoked": .bool(revoked)]
        case .setRoleBinding(let params):
            let subject = try RoleSubjectParams(principal: params.principal, team: params.team).subject()
            try await checkBindingChange(of: subject, to: params.role, namespace: namespace, caller: caller)
            switch subject {
            case .principal(let id): try await requireNamespacePrincipal(id)
            case .team(let name): try await requireTeam(name, namespace: namespace)
            }
            try await identities.putRoleBinding(RoleBinding(namespace: namespace, subject: subject, role: params.role))
            await directory.activeActor(for: namespace)?.invalidateCredentials()
            try await audit(namespace, caller, "roleBindings.set", "\(subject.kind):\(subject.name)", ["role": .string(params.role.rawValue)])
            return ["role": .string(params.role.rawValue), subject.kind == "team" ? "team" : "principal": .string(subject.name)]
        case .deleteRoleBinding(let params):
            let subject = try params.subject()
            try await checkBindingChange(of: subject, to: nil, namespace: namespace, caller: caller)
            let deleted = try await identities.deleteRoleBinding(namespace: namespace, subject: subject)
            await directory.activeActor(for: namespace)?.invalidateCredentials()
            if deleted { try await audit(namespace, caller, "roleBindings.delete", "\(subject.kind):\(subject.name)") }
            return ["deleted": .bool(deleted)]
        case .listRoleBindings:
            let bindings = try await identities.roleBindings(namespace: namespace)
            return ["roleBindings": .array(bindings.map { [$0.subject.kind: .string($0.subject.name), "role": .string($0.role.rawValue)] })]
        case .createTeam(let params):
            try Self.checkName(params.name, field: "name")
            try await identities.createTeam(namespace: namespace, name: params.name)
            try await audit(namespace, caller, "teams.create", params.name)
            return ["name": .string(params.name)]
        case .deleteTeam(let params):
            try await checkMembershipChange(ofTeam: params.name, namespace: namespace, caller: caller)
            let deleted = try await identities.deleteTeam(namespace: namespace, name: params.name)
            await directory.activeActor(for: namespace)?.invalidateCredentials()
            if deleted { try await audit(namespace, caller, "teams.delete", params.name) }
            return ["deleted": .bool(deleted)]
        case .listTeams:
            let teams = try await identities.teams(namespace: namespace)
            return ["teams": .array(teams.keys.sorted().map { ["name": .string($0), "members": .array((teams[$0] ?? []).map { .string($0) })] })]
        case .addTeamMember(let params):
            try await requireNamespacePrincipal(params.principal)
            try await requireTeam(params.team, namespace: namespace)
            try await checkMembershipChange(ofTeam: params.team, namespace: namespace, caller: caller)
            try await identities.addTeamMember(namespace: namespace, team: params.team, principal: params.principal)
            await directory.activeActor(for: namespace)?.invalidateCredentials()
            try await audit(namespace, caller, "teams.addMember", params.team, ["principal": .string(params.principal)])
            return ["team": .string(params.team), "principal": .string(params.principal)]
        case .removeTeamMember(let params):
            try await checkMembershipChange(ofTeam: params.team, namespace: namespace, caller: caller)
            let removed = try await identities.removeTeamMember(namespace: namespace, team: params.team, principal: params.principal)
            await directory.activeActor(for: namespace)?.invalidateCredentials()
            if removed { try await audit(namespace, caller, "teams.removeMember", params.team, ["principal": .string(params.principal)]) }
            return ["removed": .bool(removed)]
        case .putActor(let params):
            let actor = try makeActor(params, in: namespace)
            try await namespaces.putActor(actor, in: namespace)
            await directory.activeActor(for: namespace)?.invalidate()
            try await audit(namespace, caller, "actors.put", actor.name, ["graphUrl": .string(actor.graphURL), "assistantId": .string(actor.assistantID)])
            return Self.json(actor)
        case .deleteActor(let params):
            let deleted = try await namespaces.deleteActor(named: params.name, in: namespace)
            await directory.activeActor(for: namespace)?.invalidate()
            if deleted { try await audit(namespace, caller, "actors.delete", params.name) }
            return ["deleted": .bool(deleted)]
        case .listActors:
            return ["actors": .array(try await namespaces.actors(in: namespace).map(Self.json))]
        case .listAudit(let params):
            let limit = params.limit ?? 100
            guard (1...1000).contains(limit) else { throw JSONRPCError.invalidParams(field: "limit", description: "must be between 1 and 1000") }
            return ["entries": .array(try await identities.audit(namespace: namespace, limit: limit).map(Self.json))]
        case .getNamespace:
            guard let stored = try await namespaces.namespace(named: namespace) else { throw ServiceError.namespaceNotFound(namespace.rawValue) }
            return Self.json(stored)
        case .deleteNamespace:
            let deleted = try await namespaces.deleteNamespace(named: namespace)
            // Its tokens, roles, teams and audit entries go with it: a namespace made later under
            // the same name starts with none of them.
            try await identities.removeNamespace(namespace)
            await directory.invalidate(namespace)
            await directory.activeActor(for: namespace)?.invalidateCredentials()
            try await audit(nil, caller, "namespaces.delete", namespace.rawValue)
            return ["deleted": .bool(deleted)]
        case .createNamespace(let params):
            guard let name = NamespaceName(params.name) else {
                throw JSONRPCError.invalidParams(field: "name", description: "'\(params.name)' is not a namespace name (\(NamespaceName.rule))")
            }
            let mode = params.auth ?? .required
            if mode == .disabled && production {
                throw JSONRPCError.invalidParams(field: "auth", description: "production mode refuses namespaces with authentication disabled")
            }
            let created = Namespace(name: name, displayName: params.displayName, description: params.description ?? "", authMode: mode, createdAt: clock.now())
            do {
                try await namespaces.createNamespace(created)
            } catch StoreError.alreadyExists {
                throw JSONRPCError(code: JSONRPCError.conflictCode, message: "Namespace '\(name)' already exists")
            }
            await directory.invalidate(name)
            try await audit(name, caller, "namespaces.create", name.rawValue, ["auth": .string(mode.rawValue)])
            return Self.json(created)
        case .listNamespaces:
            return ["namespaces": .array(try await namespaces.allNamespaces().map(Self.json))]
        case .setNamespaceQuota(let params):
            guard let name = NamespaceName(params.namespace) else {
                throw JSONRPCError.invalidParams(field: "namespace", description: "'\(params.namespace)' is not a namespace name (\(NamespaceName.rule))")
            }
            if let limit = params.maxRunningTasks, !(1...100_000).contains(limit) {
                throw JSONRPCError.invalidParams(field: "maxRunningTasks", description: "must be between 1 and 100000, or null for the server default")
            }
            guard let queue else { throw JSONRPCError.unsupportedOperation("this server has no shared task queue") }
            do {
                try await queue.setRunningLimit(params.maxRunningTasks, namespace: name)
            } catch ServiceError.namespaceNotFound {
                throw JSONRPCError.namespaceNotFound(name.rawValue)
            }
            try await audit(name, caller, "namespaces.setQuota", name.rawValue, ["maxRunningTasks": params.maxRunningTasks.map { .number(Double($0)) } ?? .null])
            return ["namespace": .string(name.rawValue), "maxRunningTasks": params.maxRunningTasks.map { .number(Double($0)) } ?? .null]
        case .createPrincipal(let params):
            guard Principal.isValidID(params.id) else {
                throw JSONRPCError.invalidParams(field: "id", description: "must be \(Principal.idRule)")
            }
            let principal = try await identities.ensurePrincipal(
                Principal(id: params.id, kind: params.kind ?? .user, displayName: params.displayName, createdAt: clock.now())
            )
            try await audit(nil, caller, "principals.create", principal.id)
            return Self.json(principal)
        case .setSuperadmin(let params):
            guard try await identities.principal(id: params.principal) != nil else {
                throw JSONRPCError.invalidParams(field: "principal", description: "no principal '\(params.principal)'")
            }
            if params.superadmin { try await requireServerPrincipalCandidate(params.principal, field: "principal") }
            try await identities.setSuperadmin(params.principal, params.superadmin)
            for actor in directory.allActive { await actor.invalidateCredentials() }
            try await audit(nil, caller, "principals.setSuperadmin", params.principal, ["superadmin": .bool(params.superadmin)])
            return ["principal": .string(params.principal), "superadmin": .bool(params.superadmin)]
        }
    }

    /// Creates a token for a principal of the namespace (creating the principal, and giving it a
    /// role when asked). The token text is returned once and never stored.
    public func createToken(_ params: CreateTokenParams, namespace: NamespaceName, caller: Caller) async throws -> JSONValue {
        guard Principal.isValidID(params.principal) else {
            throw JSONRPCError.invalidParams(field: "principal", description: "must be \(Principal.idRule)")
        }
        if let expiresAt = params.expiresAt, expiresAt <= clock.now() {
            throw JSONRPCError.invalidParams(field: "expiresAt", description: "must be in the future")
        }
        if let name = params.name, name.utf8.count > 200 {
            throw JSONRPCError.invalidParams(field: "name", description: "must be at most 200 characters")
        }
        try await requireNamespacePrincipal(params.principal, mayBeNew: true)
        // The token acts as its principal: the caller must hold at least what the principal will.
        let held = [try await identities.role(of: params.principal, in: namespace), params.role].compactMap { $0 }.max()
        guard GrantRules.mayMintToken(forPrincipalWith: held, by: caller) else {
            throw PermissionDenied.grant(needing: held ?? .viewer)
        }
        if let role = params.role {
            try await checkBindingChange(of: .principal(params.principal), to: role, namespace: namespace, caller: caller)
        }
        try await identities.ensurePrincipal(Principal(id: params.principal, kind: params.kind ?? .user, createdAt: clock.now()))
        if let role = params.role {
            try await identities.putRoleBinding(RoleBinding(namespace: namespace, subject: .principal(params.principal), role: role))
            await directory.activeActor(for: namespace)?.invalidateCredentials()
        }
        let (text, record) = authenticator.makeToken(
            principal: params.principal,
            namespace: namespace,
            name: params.name ?? "",
            expiresAt: params.expiresAt,
            maxRole: GrantRules.tokenCap(mintedBy: caller)
        )
        try await identities.insertToken(record)
        try await audit(namespace, caller, "tokens.create", record.id, ["principal": .string(params.principal)])
        var result = Self.json(record).objectValue ?? [:]
        result["token"] = .string(text.text)
        return .object(result)
    }

    // MARK: Privilege checks (the rules are GrantRules')

    /// A binding of `subject` may move from what it is to `role` only within the caller's reach.
    private func checkBindingChange(of subject: RoleSubject, to role: NamespaceRole?, namespace: NamespaceName, caller: Caller) async throws {
        let current = try await identities.roleBindings(namespace: namespace).first { $0.subject == subject }?.role
        guard GrantRules.mayChangeBinding(from: current, to: role, by: caller) else {
            throw PermissionDenied.grant(needing: [current, role].compactMap { $0 }.max() ?? .viewer)
        }
    }

    /// A team's members may change (and the team go) only within the reach of the team's role.
    private func checkMembershipChange(ofTeam team: String, namespace: NamespaceName, caller: Caller) async throws {
        let role = try await identities.roleBindings(namespace: namespace).first { $0.subject == .team(team) }?.role
        guard GrantRules.mayChangeMembers(ofTeamBoundTo: role, by: caller) else {
            throw PermissionDenied.grant(needing: role ?? .viewer)
        }
    }

    /// A principal that a namespace may give roles and tokens to: it exists (unless `mayBeNew`)
    /// and is not a server principal (a superadmin), whose power no namespace hands out.
    private func requireNamespacePrincipal(_ id: String, mayBeNew: Bool = false) async throws {
        guard let principal = try await identities.principal(id: id) else {
            if mayBeNew { return }
            throw JSONRPCError.invalidParams(field: "principal", description: "no principal '\(id)'")
        }
        guard !principal.isSuperadmin else {
            throw JSONRPCError.invalidParams(field: "principal", description: "'\(id)' is a server principal; namespaces cannot give it roles or tokens")
        }
    }

    private func requireTeam(_ name: String, namespace: NamespaceName) async throws {
        guard try await identities.teams(namespace: namespace)[name] != nil else {
            throw JSONRPCError.invalidParams(field: "team", description: "no team '\(name)'")
        }
    }

    /// A principal may become a superadmin only while no namespace uses it: otherwise whoever
    /// minted its namespace tokens, or chose its name, would share in server power.
    private func requireServerPrincipalCandidate(_ id: String, field: String) async throws {
        let using = try await identities.namespaces(usingPrincipal: id)
        guard using.isEmpty else {
            let names = using.map(\.rawValue).sorted().prefix(5).joined(separator: ", ")
            throw JSONRPCError.invalidParams(
                field: field,
                description: "'\(id)' has tokens or roles in namespaces (\(names)); a superadmin must be a principal of its own: choose another id"
            )
        }
    }

    private func makeActor(_ params: ActorParams, in namespace: NamespaceName) throws -> ActorDefinition {
        guard ActorDefinition.isValidName(params.name) else {
            throw JSONRPCError.invalidParams(field: "name", description: "must be \(NamespaceName.rule)")
        }
        do {
            _ = try egress.checkSaved(params.graphUrl, purpose: .graph)
        } catch {
            throw JSONRPCError.invalidParams(field: "graphUrl", description: error.description)
        }
        guard !params.assistantId.isEmpty, params.assistantId.utf8.count <= 256 else {
            throw JSONRPCError.invalidParams(field: "assistantId", description: "must be 1-256 characters")
        }
        if let timeout = params.runTimeoutSeconds, !(1...86_400).contains(timeout) {
            throw JSONRPCError.invalidParams(field: "runTimeoutSeconds", description: "must be between 1 and 86400")
        }
        var actor = ActorDefinition(
            name: params.name,
            description: params.description ?? "",
            tags: params.tags ?? [],
            examples: params.examples ?? [],
            graphURL: params.graphUrl,
            assistantID: params.assistantId,
            config: params.config,
            context: params.context,
            streamModes: params.streamModes,
            runTimeoutSeconds: params.runTimeoutSeconds,
            isDefault: params.isDefault ?? false
        )
        if let apiKey = params.apiKey {
            try actor.sealAPIKey(apiKey, in: namespace, with: secrets)
        }
        return actor
    }

    static func checkName(_ name: String, field: String) throws {
        guard NamespaceName.isValid(name) else {
            throw JSONRPCError.invalidParams(field: field, description: "must be \(NamespaceName.rule)")
        }
    }

    private func audit(_ namespace: NamespaceName?, _ caller: Caller, _ action: String, _ target: String, _ details: JSONObject = [:]) async throws {
        try await identities.appendAudit(AuditEntry(namespace: namespace, actor: caller.principalID, action: action, target: target, details: details, at: clock.now()))
    }

    // MARK: JSON forms (never with secrets)

    static func json(_ token: APITokenRecord) -> JSONValue {
        var object: JSONObject = ["id": .string(token.id), "principal": .string(token.principal), "name": .string(token.name), "createdAt": .string(token.createdAt.rfc3339)]
        if let expiresAt = token.expiresAt { object["expiresAt"] = .string(expiresAt.rfc3339) }
        if let revokedAt = token.revokedAt { object["revokedAt"] = .string(revokedAt.rfc3339) }
        return .object(object)
    }

    static func json(_ actor: ActorDefinition) -> JSONValue {
        var object: JSONObject = [
            "name": .string(actor.name), "description": .string(actor.description), "graphUrl": .string(actor.graphURL),
            "assistantId": .string(actor.assistantID), "isDefault": .bool(actor.isDefault), "hasApiKey": .bool(actor.apiKey != nil),
            "tags": .array(actor.tags.map { .string($0) }), "examples": .array(actor.examples.map { .string($0) }),
        ]
        if let config = actor.config { object["config"] = .object(config) }
        if let context = actor.context { object["context"] = .object(context) }
        if let modes = actor.streamModes { object["streamModes"] = .array(modes.map { .string($0) }) }
        if let timeout = actor.runTimeoutSeconds { object["runTimeoutSeconds"] = .number(Double(timeout)) }
        return .object(object)
    }

    static func json(_ namespace: Namespace) -> JSONValue {
        [
            "name": .string(namespace.name.rawValue), "displayName": .string(namespace.displayName), "description": .string(namespace.description),
            "auth": .string(namespace.authMode.rawValue), "createdAt": .string(namespace.createdAt.rfc3339),
        ]
    }

    static func json(_ principal: Principal) -> JSONValue {
        ["id": .string(principal.id), "kind": .string(principal.kind.rawValue), "displayName": .string(principal.displayName), "superadmin": .bool(principal.isSuperadmin)]
    }

    static func json(_ entry: AuditEntry) -> JSONValue {
        [
            "at": .string(entry.at.rfc3339), "actor": .string(entry.actor), "action": .string(entry.action), "target": .string(entry.target),
            "details": .object(entry.details),
        ]
    }
}
