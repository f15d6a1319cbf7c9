//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
public import CleverAgentsDomain
import Synchronization

/// Principals, teams, role bindings, tokens and the audit log in memory (unit tests, local mode).
public final class InMemoryIdentityStore: IdentityStore, Sendable {
    private struct State {
        var principals: [String: Principal] = [:]
        var tokens: [String: APITokenRecord] = [:]
        var bindings: [NamespaceName: [RoleSubject: NamespaceRole]] = [:]
        var teams: [NamespaceName: [String: Set<String>]] = [:]
        var audit: [AuditEntry] = []
    }

    private let state = Mutex(State())

    public init() {}

    public func credential(tokenID: String) async throws -> Credential? {
        state.withLock { state in
            guard let token = state.tokens[tokenID], let principal = state.principals[token.principal] else { return nil }
            let role = token.namespace.flatMap { Self.role(of: principal.id, in: $0, state: state) }
            return Credential(token: token, principalDisabled: principal.disabled, isSuperadmin: principal.isSuperadmin, role: role)
        }
    }

    public func role(of principal: String, in namespace: NamespaceName) async throws -> NamespaceRole? {
        state.withLock { Self.role(of: principal, in: namespace, state: $0) }
    }

    private static func role(of principal: String, in namespace: NamespaceName, state: State) -> NamespaceRole? {
        let bindings = state.bindings[namespace] ?? [:]
        var roles: [NamespaceRole] = []
        if let direct = bindings[.principal(principal)] { roles.append(direct) }
        for (team, members) in state.teams[namespace] ?? [:] where members.contains(principal) {
            if let role = bindings[.team(team)] { roles.append(role) }
        }
        return roles.max()
    }

    public func ensurePrincipal(_ principal: Principal) async throws -> Principal {
        state.withLock { state in
            if let existing = state.principals[principal.id] { return existing }
            state.principals[principal.id] = principal
            return principal
        }
    }

    public func principal(id: String) async throws -> Principal? {
        state.withLock { $0.principals[id] }
    }

    public func setSuperadmin(_ principal: String, _ isSuperadmin: Bool) async throws {
        state.withLock { $0.principals[principal]?.isSuperadmin = isSuperadmin }
    }

    public func insertToken(_ token: APITokenRecord) async throws {
        try state.withLock { state in
            guard state.tokens[token.id] == nil else { throw StoreError.alreadyExists }
            state.tokens[token.id] = token
        }
    }

    public func revokeToken(id: String, namespace: NamespaceName?, at: A2ATimestamp) async throws -> Bool {
        state.withLock { state in
            guard let token = state.tokens[id], token.namespace == namespace, token.revokedAt == nil else { return false }
            state.tokens[id]?.revokedAt = at
            return true
        }
    }

    public func tokens(namespace: NamespaceName) async throws -> [APITokenRecord] {
        state.withLock { state in
            state.tokens.values.filter { $0.namespace == namespace }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        }
    }

    public func putRoleBinding(_ binding: RoleBinding) async throws {
        state.withLock { $0.bindings[binding.namespace, default: [:]][binding.subject] = binding.role }
    }

    public func deleteRoleBinding(namespace: NamespaceName, subject: RoleSubject) async throws -> Bool {
        state.withLock { $0.bindings[namespace]?.removeValue(forKey: subject) != nil }
    }

    public func roleBindings(namespace: NamespaceName) async throws -> [RoleBinding] {
        state.withLock { state in
            (state.bindings[namespace] ?? [:]).map { RoleBinding(namespace: namespace, subject: $0.key, role: $0.value) }
                .sorted { ($0.subject.kind, $0.subject.name) < ($1.subject.kind, $1.subject.name) }
        }
    }

    public func createTeam(namespace: NamespaceName, name: String) async throws {
        try state.withLock { state in
            guard state.teams[namespace]?[name] == nil else { throw StoreError.alreadyExists }
            state.teams[namespace, default: [:]][name] = []
        }
    }

    public func deleteTeam(namespace: NamespaceName, name: String) async throws -> Bool {
        state.withLock { state in
            state.bindings[namespace]?[.team(name)] = nil
            return state.teams[namespace]?.removeValue(forKey: name) != nil
        }
    }

    public func teams(namespace: NamespaceName) async throws -> [String: [String]] {
        state.withLock { state in (state.teams[namespace] ?? [:]).mapValues { $0.sorted() } }
    }

    public func addTeamMember(namespace: NamespaceName, team: String, principal: String) async throws {
        state.withLock { _ = $0.teams[namespace]?[team]?.insert(principal) }
    }

    public func removeTeamMember(namespace: NamespaceName, team: String, principal: String) async throws -> Bool {
        state.withLock { $0.teams[namespace]?[team]?.remove(principal) != nil }
    }

    public func appendAudit(_ entry: AuditEntry) async throws {
        state.withLock { $0.audit.append(entry) }
    }

    public func audit(namespace: NamespaceName, limit: Int) async throws -> [AuditEntry] {
        state.withLock { state in Array(state.audit.filter { $0.namespace == namespace }.suffix(limit).reversed()) }
    }

    public func namespaces(usingPrincipal principal: String) async throws -> [NamespaceName] {
        state.withLock { state in
            var names = Set(state.tokens.values.filter { $0.principal == principal }.compactMap(\.namespace))
            for (namespace, bindings) in state.bindings where bindings[.principal(principal)] != nil {
                names.insert(namespace)
            }
            for (namespace, teams) in state.teams where teams.values.contains(where: { $0.contains(principal) }) {
                names.insert(namespace)
            }
            return names.sorted { $0.rawValue < $1.rawValue }
        }
    }

    public func removeNamespace(_ namespace: NamespaceName) async throws {
        state.withLock { state in
            state.tokens = state.tokens.filter { $0.value.namespace != namespace }
            state.bindings[namespace] = nil
            state.teams[namespace] = nil
            state.audit.removeAll { $0.namespace == namespace }
        }
    }
}
