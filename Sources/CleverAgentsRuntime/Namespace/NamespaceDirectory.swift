//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsDomain
import Synchronization

/// Finds the actor of a namespace, creating it on first use of a namespace that exists.
///
/// A `Mutex`-protected dictionary rather than an actor: the lookup is synchronous, so there is
/// no suspension between finding nothing and inserting, and the directory is not a
/// serialization point for every request.
///
/// A name that nobody uses here yet is looked up in the store first (``resolve(_:)``):
/// concurrent requests for one name share one lookup, a name found missing is remembered for a
/// second (``RecentlyMissingNames``, bounded in entries), and an actor is made only for a
/// namespace that exists. Requests to made-up names therefore allocate no actor, and cost at most
/// one query per name and second.
public final class NamespaceDirectory: Sendable {
    private struct Entry {
        var actor: NamespaceActor
        /// When a caller last took the actor (every use goes through ``actor(for:)``, ``resolve(_:)`` or ``existingActor(_:)``).
        var lastTaken: ContinuousClock.Instant
    }

    /// What is known of the server root's namespace: an answer and until when it holds, or the
    /// lookup under way that every concurrent caller waits for.
    private enum SoleNamespace {
        case known(NamespaceName?, until: ContinuousClock.Instant)
        case loading(Task<NamespaceName?, any Error>)
    }

    private struct State {
        var actors: [NamespaceName: Entry] = [:]
        /// Lookups of names without an actor, shared by their concurrent requests.
        var lookups: [NamespaceName: Task<NamespaceSnapshot?, any Error>] = [:]
        var missing: RecentlyMissingNames
        /// The namespace the server root describes (the only one, if there is exactly one).
        var soleNamespace: SoleNamespace?
    }

    private let state: Mutex<State>
    /// What every actor made here reads from.
    public let ports: NamespacePorts
    /// What every actor made here is made with.
    public let actorSettings: NamespaceActor.Settings
    /// How long ``soleNamespace(load:)`` keeps its answer.
    public let soleNamespaceTTL: Duration

    /// - Parameters:
    ///   - ports: the stores the actors (and lookups of names without one) read from.
    ///   - actorSettings: the cache lifetimes and caps of every namespace actor.
    ///   - missingNames: how many names found missing are remembered, and for how long.
    ///   - soleNamespaceTTL: how long the answer of ``soleNamespace(load:)`` is kept (5 s, as
    ///     long as a namespace's settings).
    public init(
        ports: NamespacePorts,
        actorSettings: NamespaceActor.Settings = NamespaceActor.Settings(),
        missingNames: RecentlyMissingNames = RecentlyMissingNames(),
        soleNamespaceTTL: Duration = .seconds(5)
    ) {
        self.state = Mutex(State(missing: missingNames))
        self.ports = ports
        self.actorSettings = actorSettings
        self.soleNamespaceTTL = soleNamespaceTTL
    }

    /// The actor of a namespace, with its settings when they were just loaded.
    private func makeActor(_ name: NamespaceName, _ snapshot: NamespaceSnapshot?) -> NamespaceActor {
        NamespaceActor(name: name, ports: ports, settings: actorSettings, snapshot: snapshot)
    }

    /// The only namespace, when there is exactly one (the one the server root's card describes
    /// when none is configured), from `load` (up to two names) at most once per
    /// ``soleNamespaceTTL``: the root card is served without authentication, so a flood of it
    /// must not be a flood of queries. Creating or deleting a namespace here drops the answer
    /// (``invalidate(_:)``); another replica's change shows within the TTL. Concurrent callers
    /// share one lookup, and a failed one is not kept.
    public func soleNamespace(load: @escaping @Sendable () async throws -> [NamespaceName]) async throws -> NamespaceName? {
        enum Step {
            case known(NamespaceName?)
            case wait(Task<NamespaceName?, any Error>, started: Bool)
        }
        let step = state.withLock { state -> Step in
            switch state.soleNamespace {
            case .known(let name, let until) where ContinuousClock.now < until: return .known(name)
            case .loading(let lookup): return .wait(lookup, started: false)
            case .known, nil:
                let lookup = Task { () async throws -> NamespaceName? in
                    let names = try await load()
                    return names.count == 1 ? names[0] : nil
                }
                state.soleNamespace = .loading(lookup)
                return .wait(lookup, started: true)
            }
        }
        switch step {
        case .known(let name):
            return name
        case .wait(let lookup, let started):
            let result = await lookup.result
            if started {
                // Kept only if nothing dropped the lookup meanwhile (a namespace made or deleted);
                // a failure is not kept, so the next caller asks again.
                state.withLock { state in
                    guard case .loading(let current) = state.soleNamespace, current == lookup else { return }
                    switch result {
                    case .success(let name): state.soleNamespace = .known(name, until: .now + soleNamespaceTTL)
                    case .failure: state.soleNamespace = nil
                    }
                }
            }
            return try result.get()
        }
    }

    /// The namespace's actor, activated if needed, whether or not the namespace exists: for
    /// callers that know it does. Requests go through ``resolve(_:)`` or ``existingActor(_:)``.
    public func actor(for name: NamespaceName) -> NamespaceActor {
        state.withLock { state in
            let now = ContinuousClock.now
            if let entry = state.actors[name] {
                state.actors[name]?.lastTaken = now
                return entry.actor
            }
            let actor = makeActor(name, nil)
            state.actors[name] = Entry(actor: actor, lastTaken: now)
            return actor
        }
    }

    /// The actor and settings of the namespace, or `nil` when it does not exist.
    ///
    /// An active actor answers from its settings cache (``NamespaceActor/snapshot()``).
    /// Otherwise the settings are loaded (once for all concurrent callers) unless the name was
    /// found missing within the last second, and an actor is activated only if they exist.
    public func resolve(_ name: NamespaceName) async throws -> (NamespaceActor, NamespaceSnapshot)? {
        switch lookUp(name) {
        case .active(let actor):
            guard let snapshot = try await actor.snapshot() else { return nil }
            return (actor, snapshot)
        case .missing:
            return nil
        case .lookup(let lookup):
            return try await finish(lookup, of: name)
        }
    }

    /// The namespace's actor when it is active here (without asking it anything: the request's
    /// first question to it answers from its cache), else as ``resolve(_:)`` finds it; `nil`
    /// when the namespace does not exist.
    public func existingActor(_ name: NamespaceName) async throws -> NamespaceActor? {
        switch lookUp(name) {
        case .active(let actor): actor
        case .missing: nil
        case .lookup(let lookup): try await finish(lookup, of: name)?.0
        }
    }

    private enum Step {
        case active(NamespaceActor)
        case missing
        case lookup(Task<NamespaceSnapshot?, any Error>)
    }

    /// What the directory knows of `name`: its active actor, that it is missing, or the lookup
    /// of its settings (started here unless one is under way).
    private func lookUp(_ name: NamespaceName) -> Step {
        state.withLock { state in
            let now = ContinuousClock.now
            if let entry = state.actors[name] {
                state.actors[name]?.lastTaken = now
                return .active(entry.actor)
            }
            if state.missing.contains(name, now: now) { return .missing }
            if let lookup = state.lookups[name] { return .lookup(lookup) }
            let ports = self.ports
            let lookup = Task { try await ports.snapshot(of: name) }
            state.lookups[name] = lookup
            return .lookup(lookup)
        }
    }

    /// The outcome of a lookup: the actor it activated (or found activated meanwhile) and the
    /// settings, or `nil` when the namespace does not exist.
    private func finish(_ lookup: Task<NamespaceSnapshot?, any Error>, of name: NamespaceName) async throws -> (NamespaceActor, NamespaceSnapshot)? {
        let result = await lookup.result
        return try state.withLock { state in
            // The first caller back records the outcome; a lookup that an invalidation
            // removed meanwhile records nothing (its answer may be stale).
            let recording = state.lookups[name] == lookup
            if recording { state.lookups[name] = nil }
            guard let snapshot = try result.get() else {
                if recording { state.missing.insert(name, now: .now) }
                return nil
            }
            let now = ContinuousClock.now
            if let entry = state.actors[name] {
                state.actors[name]?.lastTaken = now
                return (entry.actor, snapshot)
            }
            let actor = makeActor(name, snapshot)
            state.actors[name] = Entry(actor: actor, lastTaken: now)
            return (actor, snapshot)
        }
    }

    /// Drops what this replica knows of the namespace's settings: its actor's cache, a lookup
    /// under way, and that it was missing (it was just created, changed or deleted).
    public func invalidate(_ name: NamespaceName) async {
        let actor = state.withLock { state in
            state.missing.remove(name)
            state.lookups[name] = nil
            state.soleNamespace = nil
            return state.actors[name]?.actor
        }
        await actor?.invalidate()
    }

    /// The number of names remembered as missing, for metrics and tests.
    public var missingCount: Int {
        state.withLock { $0.missing.count }
    }

    /// The namespace's actor if it is active on this replica.
    public func activeActor(for name: NamespaceName) -> NamespaceActor? {
        state.withLock { $0.actors[name]?.actor }
    }

    /// The number of active namespace actors.
    public var activeCount: Int {
        state.withLock { $0.actors.count }
    }

    /// Removes the actor if it is still the one given (so a re-activated actor is kept).
    public func evict(_ actor: NamespaceActor) {
        state.withLock { state in
            if state.actors[actor.name]?.actor === actor {
                state.actors[actor.name] = nil
            }
        }
    }

    /// Every active actor.
    public var allActive: [NamespaceActor] {
        state.withLock { $0.actors.values.map(\.actor) }
    }

    /// Deactivates the namespaces nobody took for `idleTime` and that hold nothing (no stream
    /// subscriber, no load under way); their settings are read again on next use. Returns how
    /// many were evicted.
    ///
    /// An actor is evicted only if nobody took it between the idleness check and the eviction.
    @discardableResult
    public func evictIdle(olderThan idleTime: Duration) async -> Int {
        let cutoff = ContinuousClock.now - idleTime
        let candidates = state.withLock { state in state.actors.values.filter { $0.lastTaken < cutoff } }
        var evicted = 0
        for candidate in candidates where await candidate.actor.isIdle {
            let removed = state.withLock { state in
                guard let entry = state.actors[candidate.actor.name], entry.actor === candidate.actor, entry.lastTaken == candidate.lastTaken else {
                    return false
                }
                state.actors[candidate.actor.name] = nil
                return true
            }
            if removed { evicted += 1 }
        }
        return evicted
    }
}
