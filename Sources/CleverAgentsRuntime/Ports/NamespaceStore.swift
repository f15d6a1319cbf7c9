//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsDomain

/// Storage of namespaces and their actors.
public protocol NamespaceStore: Sendable {
    /// The namespace, or `nil` if it does not exist.
    func namespace(named name: NamespaceName) async throws -> Namespace?

    /// Creates a namespace; fails with ``StoreError/alreadyExists`` if the name is taken.
    func createNamespace(_ namespace: Namespace) async throws

    /// The namespace's actors, by name.
    func actors(in namespace: NamespaceName) async throws -> [ActorDefinition]

    /// Creates or replaces an actor. Making it the default clears the flag on the others.
    func putActor(_ actor: ActorDefinition, in namespace: NamespaceName) async throws

    /// Deletes an actor; returns whether it existed.
    func deleteActor(named name: String, in namespace: NamespaceName) async throws -> Bool

    /// Every namespace, by name.
    func allNamespaces() async throws -> [Namespace]

    /// The first `limit` namespace names, in order: whether there are none, one or more, at
    /// the cost of `limit` rows.
    func namespaceNames(limit: Int) async throws -> [NamespaceName]

    /// Deletes a namespace and everything in it; returns whether it existed.
    func deleteNamespace(named name: NamespaceName) async throws -> Bool
}

extension NamespaceStore {
    /// Reads every namespace; a store whose namespaces may be many reads only `limit`.
    public func namespaceNames(limit: Int) async throws -> [NamespaceName] {
        try await allNamespaces().prefix(limit).map(\.name)
    }
}
