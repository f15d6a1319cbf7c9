//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsDomain

/// The stores a namespace actor reads what it caches from: the namespace's settings and actors,
/// and its callers' credentials. PostgreSQL (or the local store) is their truth; the actor is
/// this replica's cache of them.
public struct NamespacePorts: Sendable {
    public var namespaces: any NamespaceStore
    public var identities: any IdentityStore

    public init(namespaces: any NamespaceStore, identities: any IdentityStore) {
        self.namespaces = namespaces
        self.identities = identities
    }

    /// The settings and actors of `name`, or `nil` when the namespace does not exist.
    public func snapshot(of name: NamespaceName) async throws -> NamespaceSnapshot? {
        guard let namespace = try await namespaces.namespace(named: name) else { return nil }
        return NamespaceSnapshot(namespace: namespace, actors: try await namespaces.actors(in: name))
    }
}
