//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import CleverAgentsRuntime
import Synchronization

/// The stores behind a namespace actor and its directory, for tests of the caches in front of
/// them: they answer the one namespace and the credentials a test sets, count the loads, fail
/// when told to, and hold every load at a gate while it is closed. Everything else is refused.
public final class ProbedStores: NamespaceStore, IdentityStore, Sendable {
    public struct State: Sendable {
        /// The namespace the store holds, if any.
        public var namespace: Namespace?
        public var credentials: [String: Credential] = [:]
        public var failing = false
        public var namespaceLoads = 0
        public var credentialLoads = 0
    }

    public let state = Mutex(State())
    private let gate = Mutex<(closed: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    public init(namespace: Namespace? = nil) {
        state.withLock { $0.namespace = namespace }
    }

    /// Ports over these stores.
    public var ports: NamespacePorts { NamespacePorts(namespaces: self, identities: self) }

    public var namespaceLoads: Int { state.withLock { $0.namespaceLoads } }
    public var credentialLoads: Int { state.withLock { $0.credentialLoads } }

    /// Holds every load from now on until ``open()``.
    public func close() {
        gate.withLock { $0.closed = true }
    }

    /// Lets the held loads and every later one go.
    public func open() {
        let waiting = gate.withLock { gate in
            gate.closed = false
            defer { gate.waiting = [] }
            return gate.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    private func pass() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let goes = gate.withLock { gate in
                guard gate.closed else { return true }
                gate.waiting.append(continuation)
                return false
            }
            if goes { continuation.resume() }
        }
    }

    // MARK: Loads

    public func namespace(named name: NamespaceName) async throws -> Namespace? {
        let (namespace, failing) = state.withLock { state in
            state.namespaceLoads += 1
            return (state.namespace, state.failing)
        }
        await pass()
        if failing { throw StoreError.unavailable("probed failure") }
        return namespace?.name == name ? namespace : nil
    }

    public func actors(in namespace: NamespaceName) async throws -> [ActorDefinition] { [] }

    public func credential(tokenID: String) async throws -> Credential? {
        let (credential, failing) = state.withLock { state in
            state.credentialLoads += 1
            return (state.credentials[tokenID], state.failing)
        }
        await pass()
        if failing { throw StoreError.unavailable("probed failure") }
        return credential
    }

    // MARK: Refused

    private static var refused: StoreError { StoreError.unavailable("not part of the probe") }

    public func createNamespace(_ namespace: Namespace) async throws { throw Self.refused }
    public func putActor(_ actor: ActorDefinition, in namespace: NamespaceName) async throws { throw Self.refused }
    public func deleteActor(named name: String, in namespace: NamespaceName) async throws -> Bool { throw Self.refused }
    public func allNamespaces() async throws -> [Namespace] { throw Self.refused }
    public func namespaceNames(limit: Int) async throws -> [NamespaceName] { throw Self.refused }
    public func deleteNamespace(named name: NamespaceName) async throws -> Bool { throw Self.refused }
    public func role(of principal: String, in namespace: NamespaceName) async throws -> NamespaceRole? { throw Self.refused }
    public func ensurePrincipal(_ principal: Principal) async throws -> Principal { throw Self.refused }
    public func principal(id: String) async throws -> Principal? { throw Self.refused }
    public func setSuperadmin(_ principal: String, _ isSuperadmin: Bool) async throws { throw Self.refused }
    public func insertToken(_ token: APITokenRecord) async throws { throw Self.refused }
    public func revokeToken(id: String, namespace: NamespaceName?, at: A2ATimestamp) async throws -> Bool { throw Self.refused }
    public func tokens(namespace: NamespaceName) async throws -> [APITokenRecord] { throw Self.refused }
    public func putRoleBinding(_ binding: RoleBinding) async throws { throw Self.refused }
    public func deleteRoleBinding(namespace: NamespaceName, subject: RoleSubject) async throws -> Bool { throw Self.refused }
    public func roleBindings(namespace: NamespaceName) async throws -> [RoleBinding] { throw Self.refused }
    public func createTeam(namespace: NamespaceName, name: String) async throws { throw Self.refused }
    public func deleteTeam(namespace: NamespaceName, name: String) async throws -> Bool { throw Self.refused }
    public func teams(namespace: NamespaceName) async throws -> [String: [String]] { throw Self.refused }
    public func addTeamMember(namespace: NamespaceName, team: String, principal: String) async throws { throw Self.refused }
    public func removeTeamMember(namespace: NamespaceName, team: String, principal: String) async throws -> Bool { throw Self.refused }
    public func appendAudit(_ entry: AuditEntry) async throws { throw Self.refused }
    public func namespaces(usingPrincipal principal: String) async throws -> [NamespaceName] { throw Self.refused }
    public func removeNamespace(_ namespace: NamespaceName) async throws { throw Self.refused }
    public func audit(namespace: NamespaceName, limit: Int) async throws -> [AuditEntry] { throw Self.refused }
}
