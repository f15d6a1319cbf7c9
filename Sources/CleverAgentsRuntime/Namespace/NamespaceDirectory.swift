//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsDomain
import Synchronization

/// Finds the actor of a namespace, creating it on first use.
///
/// A `Mutex`-protected dictionary rather than an actor: the lookup is synchronous, so there is
/// no suspension between finding nothing and inserting, and the directory is not a
/// serialization point for every request.
public final class NamespaceDirectory: Sendable {
    private let actors = Mutex<[NamespaceName: NamespaceActor]>([:])
    private let makeActor: @Sendable (NamespaceName) -> NamespaceActor

    public init(makeActor: @escaping @Sendable (NamespaceName) -> NamespaceActor = { NamespaceActor(name: $0) }) {
        self.makeActor = makeActor
    }

    /// The namespace's actor, activated if needed.
    public func actor(for name: NamespaceName) -> NamespaceActor {
        actors.withLock { actors in
            if let actor = actors[name] { return actor }
            let actor = makeActor(name)
            actors[name] = actor
            return actor
        }
    }

    /// The namespace's actor if it is active on this replica.
    public func activeActor(for name: NamespaceName) -> NamespaceActor? {
        actors.withLock { $0[name] }
    }

    /// The number of active namespace actors.
    public var activeCount: Int {
        actors.withLock { $0.count }
    }

    /// Removes the actor if it is still the one given (so a re-activated actor is kept).
    public func evict(_ actor: NamespaceActor) {
        actors.withLock { actors in
            if actors[actor.name] === actor {
                actors[actor.name] = nil
            }
        }
    }

    /// Every active actor.
    public var allActive: [NamespaceActor] {
        actors.withLock { Array($0.values) }
    }
}
