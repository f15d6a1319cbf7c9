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
    private struct Entry {
        var actor: NamespaceActor
        /// When a caller last took the actor (every use goes through ``actor(for:)``).
        var lastTaken: ContinuousClock.Instant
    }

    private let actors = Mutex<[NamespaceName: Entry]>([:])
    private let makeActor: @Sendable (NamespaceName) -> NamespaceActor

    public init(makeActor: @escaping @Sendable (NamespaceName) -> NamespaceActor = { NamespaceActor(name: $0) }) {
        self.makeActor = makeActor
    }

    /// The namespace's actor, activated if needed.
    public func actor(for name: NamespaceName) -> NamespaceActor {
        actors.withLock { actors in
            let now = ContinuousClock.now
            if let entry = actors[name] {
                actors[name]?.lastTaken = now
                return entry.actor
            }
            let actor = makeActor(name)
            actors[name] = Entry(actor: actor, lastTaken: now)
            return actor
        }
    }

    /// The namespace's actor if it is active on this replica.
    public func activeActor(for name: NamespaceName) -> NamespaceActor? {
        actors.withLock { $0[name]?.actor }
    }

    /// The number of active namespace actors.
    public var activeCount: Int {
        actors.withLock { $0.count }
    }

    /// Removes the actor if it is still the one given (so a re-activated actor is kept).
    public func evict(_ actor: NamespaceActor) {
        actors.withLock { actors in
            if actors[actor.name]?.actor === actor {
                actors[actor.name] = nil
            }
        }
    }

    /// Every active actor.
    public var allActive: [NamespaceActor] {
        actors.withLock { $0.values.map(\.actor) }
    }

    /// Deactivates the namespaces nobody took for `idleTime` and that hold nothing (no stream
    /// subscriber, no load under way); their settings are read again on next use. Returns how
    /// many were evicted.
    ///
    /// An actor is evicted only if nobody took it between the idleness check and the eviction.
    @discardableResult
    public func evictIdle(olderThan idleTime: Duration) async -> Int {
        let cutoff = ContinuousClock.now - idleTime
        let candidates = actors.withLock { actors in actors.values.filter { $0.lastTaken < cutoff } }
        var evicted = 0
        for candidate in candidates where await candidate.actor.isIdle {
            let removed = actors.withLock { actors in
                guard let entry = actors[candidate.actor.name], entry.actor === candidate.actor, entry.lastTaken == candidate.lastTaken else { return false }
                actors[candidate.actor.name] = nil
                return true
            }
            if removed { evicted += 1 }
        }
        return evicted
    }
}
