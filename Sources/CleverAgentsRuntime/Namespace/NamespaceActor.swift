//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
public import CleverAgentsDomain

/// The in-process host of one namespace: who may call it (its settings, its callers' credentials
/// and rate limits), the runs of its tasks on this replica (in order, within a cap), and its
/// local stream subscribers, with the caps on open streams of the namespace and of each
/// principal.
///
/// The actor is this replica's cache of what ``NamespacePorts`` stores: it loads on a miss, once
/// for all concurrent callers, and forgets on invalidation. A request's admission
/// (``admission(presenting:authenticator:anonymousAllowed:)``) is one visit when both its
/// settings and its credential are cached.
///
/// Every decision is synchronous on the actor, so it never interleaves with another request's
/// state change; I/O happens outside, and results come back through another synchronous call.
public actor NamespaceActor {
    /// How long what the actor caches is trusted, and the caps it enforces on this replica.
    public struct Settings: Sendable {
        /// How long the namespace's settings are trusted; changes made here invalidate them sooner.
        public var snapshotTTL: Duration
        /// How long a namespace found missing stays missing.
        public var missingTTL: Duration
        /// How long a token lookup is trusted; revocations arrive sooner through invalidation.
        public var credentialTTL: Duration
        /// The most tokens kept; beyond it the oldest half is dropped.
        public var credentialCacheSize: Int
        public var rateLimits: RateLimits
        public var streamLimits: StreamLimits

        public init(
            snapshotTTL: Duration = .seconds(5),
            missingTTL: Duration = .seconds(1),
            credentialTTL: Duration = .seconds(60),
            credentialCacheSize: Int = 10_000,
            rateLimits: RateLimits = RateLimits(),
            streamLimits: StreamLimits = StreamLimits()
        ) {
            self.snapshotTTL = snapshotTTL
            self.missingTTL = missingTTL
            self.credentialTTL = credentialTTL
            self.credentialCacheSize = credentialCacheSize
            self.rateLimits = rateLimits
            self.streamLimits = streamLimits
        }
    }

    public nonisolated let name: NamespaceName
    /// Where the settings and credentials come from on a miss.
    public nonisolated let ports: NamespacePorts

    private enum CachedSnapshot {
        case present(NamespaceSnapshot, loadedAt: ContinuousClock.Instant)
        case missing(loadedAt: ContinuousClock.Instant)
    }

    private var cached: CachedSnapshot?
    private var loading: Task<NamespaceSnapshot?, any Error>?
    private var subscribers: [String: [UInt64: AsyncStream<TaskEventRecord>.Continuation]] = [:]
    private var nextSubscriberID: UInt64 = 0
    /// The subscribers that are streams answering a client, by id, with their principal.
    private var streamPrincipals: [UInt64: String] = [:]
    /// Open streams per principal (no entry at zero).
    private var streamsPerPrincipal: [String: Int] = [:]
    /// The caps on open streams, on this replica.
    public nonisolated let streamLimits: StreamLimits
    private let snapshotTTL: Duration
    private let missingTTL: Duration

    private struct CachedCredential {
        var credential: Credential?
        var loadedAt: ContinuousClock.Instant
    }

    private var credentials: [String: CachedCredential] = [:]
    private var credentialLoads: [String: Task<Credential?, any Error>] = [:]
    private var credentialGeneration: UInt64 = 0
    /// How long a token lookup is trusted; revocations arrive sooner through invalidation.
    public nonisolated let credentialTTL: Duration
    /// The most tokens kept; beyond it the oldest half is dropped.
    public nonisolated let credentialCacheSize: Int

    private var namespaceBucket: TokenBucket?
    private var tokenBuckets: [String: TokenBucket] = [:]
    private var rateLimits: RateLimits

    /// When the actor was last used, for idle eviction.
    public private(set) var lastUsed: ContinuousClock.Instant

    /// - Parameter snapshot: the namespace's settings, when they were just loaded (they are then
    ///   cached as if this actor had loaded them).
    public init(name: NamespaceName, ports: NamespacePorts, settings: Settings = Settings(), snapshot: NamespaceSnapshot? = nil) {
        self.name = name
        self.ports = ports
        self.snapshotTTL = settings.snapshotTTL
        self.missingTTL = settings.missingTTL
        self.credentialTTL = settings.credentialTTL
        self.credentialCacheSize = settings.credentialCacheSize
        self.rateLimits = settings.rateLimits
        self.streamLimits = settings.streamLimits
        self.lastUsed = .now
        self.cached = snapshot.map { .present($0, loadedAt: .now) }
    }

    // MARK: Admission

    /// The namespace's settings and who presents `credential` (the raw `Bearer` or `X-API-Key`
    /// value), with the rate limits' decision for the caller: one visit to the actor when the
    /// settings and the credential are cached. Returns `nil` when the namespace does not exist.
    ///
    /// - Parameter anonymousAllowed: whether a namespace whose authentication is disabled lets
    ///   every caller in as its anonymous owner (never in production).
    public func admission(presenting credential: String?, authenticator: Authenticator, anonymousAllowed: Bool) async throws -> NamespaceAdmission? {
        guard let snapshot = try await snapshot() else { return nil }
        let caller: Caller
        if snapshot.namespace.authMode == .disabled && anonymousAllowed {
            caller = .anonymous
        } else {
            let token = try Authenticator.token(in: credential)
            let stored = try await self.credential(tokenID: token.id)
            caller = try authenticator.caller(presenting: token, stored: stored, in: name)
        }
        // Taken only for a caller whose secret was checked: nobody drains another's bucket.
        return NamespaceAdmission(snapshot: snapshot, caller: caller, rate: admit(tokenID: caller.tokenID))
    }

    // MARK: Settings

    /// The namespace's settings and actors, from cache or loaded once for all concurrent callers.
    ///
    /// Returns `nil` when the namespace does not exist.
    public func snapshot() async throws -> NamespaceSnapshot? {
        let now = ContinuousClock.now
        lastUsed = now
        switch cached {
        case .present(let snapshot, let loadedAt) where loadedAt.duration(to: now) < snapshotTTL:
            return snapshot
        case .missing(let loadedAt) where loadedAt.duration(to: now) < missingTTL:
            return nil
        default:
            break
        }
        if let loading {
            return try await loading.value
        }
        let (ports, name) = (ports, name)
        let task = Task { try await ports.snapshot(of: name) }
        loading = task
        do {
            let snapshot = try await task.value
            finishLoading(snapshot)
            return snapshot
        } catch {
            loading = nil
            throw error
        }
    }

    private func finishLoading(_ snapshot: NamespaceSnapshot?) {
        loading = nil
        cached = snapshot.map { .present($0, loadedAt: .now) } ?? .missing(loadedAt: .now)
    }

    /// Drops the cached settings so that the next request reloads them.
    public func invalidate() {
        cached = nil
    }

    // MARK: Credentials

    /// The stored credential of a token id, from cache or loaded once for all concurrent callers.
    public func credential(tokenID: String) async throws -> Credential? {
        let now = ContinuousClock.now
        lastUsed = now
        if let cached = credentials[tokenID], cached.loadedAt.duration(to: now) < credentialTTL {
            return cached.credential
        }
        if let loading = credentialLoads[tokenID] {
            return try await loading.value
        }
        let generation = credentialGeneration
        let identities = ports.identities
        let task = Task { try await identities.credential(tokenID: tokenID) }
        credentialLoads[tokenID] = task
        do {
            let credential = try await task.value
            finishCredentialLoad(tokenID, credential, generation: generation)
            return credential
        } catch {
            credentialLoads[tokenID] = nil
            throw error
        }
    }

    private func finishCredentialLoad(_ tokenID: String, _ credential: Credential?, generation: UInt64) {
        credentialLoads[tokenID] = nil
        // A load that started before an invalidation may carry what was just revoked: use it for
        // the requests that waited on it, but do not keep it.
        guard generation == credentialGeneration else { return }
        if credentials.count >= credentialCacheSize {
            let oldest = credentials.sorted { $0.value.loadedAt < $1.value.loadedAt }.prefix(credentialCacheSize / 2)
            for (key, _) in oldest { credentials[key] = nil }
        }
        credentials[tokenID] = CachedCredential(credential: credential, loadedAt: .now)
    }

    /// Forgets every cached credential (a token was revoked or a role changed).
    public func invalidateCredentials() {
        credentials.removeAll()
        credentialGeneration &+= 1
    }

    /// The number of cached credentials, for metrics and tests.
    public var cachedCredentialCount: Int { credentials.count }

    // MARK: Rate limits

    /// Takes one request from the namespace's bucket and the token's (if any).
    public func admit(tokenID: String?) -> RateDecision {
        let now = ContinuousClock.now
        lastUsed = now
        if let rate = rateLimits.namespacePerSecond {
            var bucket = namespaceBucket ?? TokenBucket(ratePerSecond: rate, burst: rateLimits.namespaceBurst, now: now)
            let decision = bucket.take(now: now)
            namespaceBucket = bucket
            if case .limited = decision { return decision }
        }
        if let tokenID, let rate = rateLimits.tokenPerSecond {
            var bucket = tokenBuckets[tokenID] ?? TokenBucket(ratePerSecond: rate, burst: rateLimits.tokenBurst, now: now)
            let decision = bucket.take(now: now)
            if tokenBuckets.count >= credentialCacheSize && tokenBuckets[tokenID] == nil {
                tokenBuckets.removeAll()
            }
            tokenBuckets[tokenID] = bucket
            return decision
        }
        return .allowed
    }

    /// Changes the rate limits (new buckets start full).
    public func setRateLimits(_ limits: RateLimits) {
        rateLimits = limits
        namespaceBucket = nil
        tokenBuckets.removeAll()
    }

    // MARK: Runs on this replica

    /// The namespace's task runs here: running, and waiting for a place in order.
    private var runs = NamespaceRunQueue()
    /// Waiting runs that were cancelled before they started: started at once, cancelled, and
    /// kept until they end so that a shutdown waits for them too.
    private var releasedRuns: [UInt64: Task<Void, Never>] = [:]
    private var nextReleasedRun: UInt64 = 0

    /// Runs `body`, the run of task `id`, while fewer than `limit` of the namespace's tasks run
    /// here: at once, or when a run accepted before it ends and leaves a place, in the order
    /// they were accepted. One run of a task at a time: a run accepted while the task's previous
    /// run ends waits for it, and holds up no other task. The run is registered before it can
    /// end. Returns whether it started at once.
    @discardableResult
    public func run(_ id: String, limit: Int = .max, _ body: @escaping @Sendable () async -> Void) -> Bool {
        lastUsed = .now
        let (startsNow, starting) = runs.accept(id, limit: limit, body: body, now: .now)
        for run in starting { startRun(run.id, run.body) }
        return startsNow
    }

    private func startRun(_ id: String, _ body: @escaping @Sendable () async -> Void) {
        let task = Task {
            await body()
            self.runEnded(id)
        }
        runs.started(id, task: task)
    }

    private func runEnded(_ id: String) {
        lastUsed = .now
        for next in runs.ended(id, now: .now) {
            startRun(next.id, next.body)
        }
    }

    /// The namespace's runs here, running or waiting, with when each started (or was accepted).
    public var acceptedRuns: [String: ContinuousClock.Instant] { runs.acceptedRuns }

    /// How many of the namespace's runs run here now, and how many wait for a place.
    public var runCounts: (running: Int, waiting: Int) { (runs.running.count, runs.waiting.count) }

    /// Stops the runs of the tasks `ids`: the running ones are cancelled, and the waiting ones
    /// start at once, cancelled, so that their bodies still run (and settle what they hold).
    public func cancelRuns(_ ids: Set<String>) {
        let (running, released) = runs.cancel(ids)
        for task in running { task.cancel() }
        for run in released {
            nextReleasedRun &+= 1
            let key = nextReleasedRun
            let task = Task {
                await run.body()
                self.releasedRunEnded(key)
            }
            task.cancel()
            releasedRuns[key] = task
        }
    }

    private func releasedRunEnded(_ key: UInt64) {
        releasedRuns[key] = nil
    }

    /// Stops every run here, as ``cancelRuns(_:)`` does, and returns their tasks to wait for.
    public func stopRuns() -> [Task<Void, Never>] {
        cancelRuns(Set(runs.acceptedRuns.keys))
        return runs.running.values.compactMap(\.task) + Array(releasedRuns.values)
    }

    // MARK: Subscribers

    /// Registers a subscriber for a task's events. Events published after this call are delivered.
    public func subscribe(taskId: String, bufferSize: Int = 256) -> TaskSubscription {
        lastUsed = .now
        nextSubscriberID += 1
        let id = nextSubscriberID
        let (stream, continuation) = AsyncStream<TaskEventRecord>.makeStream(bufferingPolicy: .bufferingNewest(bufferSize))
        subscribers[taskId, default: [:]][id] = continuation
        return TaskSubscription(namespace: self, taskId: taskId, id: id, events: stream)
    }

    /// Registers a stream that answers a client (`SendStreamingMessage`, `SubscribeToTask`) if
    /// neither the namespace nor `principal` holds its cap of open streams on this replica; it
    /// counts until it is unsubscribed.
    ///
    /// The check and the registration are one step: concurrent requests cannot both take the
    /// last slot.
    public func openStream(taskId: String, principal: String, bufferSize: Int = 256) throws(StreamLimitExceeded) -> TaskSubscription {
        if streamPrincipals.count >= streamLimits.perNamespace {
            throw StreamLimitExceeded(scope: .namespace, limit: streamLimits.perNamespace)
        }
        if streamsPerPrincipal[principal, default: 0] >= streamLimits.perPrincipal {
            throw StreamLimitExceeded(scope: .principal, limit: streamLimits.perPrincipal)
        }
        let subscription = subscribe(taskId: taskId, bufferSize: bufferSize)
        streamPrincipals[subscription.id] = principal
        streamsPerPrincipal[principal, default: 0] += 1
        return subscription
    }

    /// The streams open on this replica: in the namespace, or of one principal.
    public func openStreamCount(principal: String? = nil) -> Int {
        guard let principal else { return streamPrincipals.count }
        return streamsPerPrincipal[principal] ?? 0
    }

    /// Removes a subscriber and ends its stream.
    public func unsubscribe(taskId: String, id: UInt64) {
        guard let continuation = subscribers[taskId]?.removeValue(forKey: id) else { return }
        if let principal = streamPrincipals.removeValue(forKey: id) {
            let remaining = (streamsPerPrincipal[principal] ?? 1) - 1
            streamsPerPrincipal[principal] = remaining > 0 ? remaining : nil
        }
        if subscribers[taskId]?.isEmpty == true {
            subscribers[taskId] = nil
        }
        continuation.finish()
    }

    /// Delivers events to this replica's subscribers of their tasks.
    public func publish(_ events: [TaskEventRecord]) {
        for event in events {
            guard let taskSubscribers = subscribers[event.taskId] else { continue }
            for continuation in taskSubscribers.values {
                continuation.yield(event)
            }
        }
    }

    /// The tasks that have subscribers on this replica.
    public var subscribedTaskIDs: [String] {
        Array(subscribers.keys)
    }

    /// Whether a task has subscribers on this replica.
    public func hasSubscribers(taskId: String) -> Bool {
        subscribers[taskId] != nil
    }

    /// The number of open subscriptions, for metrics and tests.
    public var subscriberCount: Int {
        subscribers.values.reduce(0) { $0 + $1.count }
    }

    /// Whether the actor holds nothing that would be lost by evicting it.
    public var isIdle: Bool {
        subscribers.isEmpty && loading == nil && credentialLoads.isEmpty && runs.isEmpty && releasedRuns.isEmpty
    }
}

/// What ``NamespaceActor/admission(presenting:authenticator:anonymousAllowed:)`` found.
public struct NamespaceAdmission: Sendable {
    public var snapshot: NamespaceSnapshot
    public var caller: Caller
    /// Whether the caller's request is within the namespace's and its token's rate limits.
    public var rate: RateDecision
}

/// One subscriber's view of a task's live events.
public struct TaskSubscription: Sendable {
    public let namespace: NamespaceActor
    public let taskId: String
    public let id: UInt64
    public let events: AsyncStream<TaskEventRecord>

    /// Ends the subscription.
    public func cancel() async {
        await namespace.unsubscribe(taskId: taskId, id: id)
    }
}
