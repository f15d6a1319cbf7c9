//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
public import CleverAgentsDomain

/// What a namespace actor caches about its namespace: settings and actors.
public struct NamespaceSnapshot: Sendable, Hashable {
    public var namespace: Namespace
    public var actors: [ActorDefinition]

    public init(namespace: Namespace, actors: [ActorDefinition]) {
        self.namespace = namespace
        self.actors = actors.sorted { $0.name < $1.name }
    }

    /// When the namespace or any of its actors last changed (the agent card's `Last-Modified`).
    public var lastModified: A2ATimestamp {
        actors.compactMap(\.updatedAt).reduce(namespace.updatedAt, max)
    }

    /// The actor a message runs on: the one named in its metadata, else the default actor.
    public func actor(named name: String?) -> ActorDefinition? {
        if let name {
            return actors.first { $0.name == name }
        }
        return actors.first { $0.isDefault } ?? (actors.count == 1 ? actors.first : nil)
    }
}
