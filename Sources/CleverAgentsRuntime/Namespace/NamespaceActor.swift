//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
public import CleverAgentsDomain

/// The in-process host of one namespace: its cached settings and its local stream subscribers.
///
/// Every method is synchronous on the actor, so a decision and the state change it leads to
/// never interleave with another request; I/O happens outside, and results come back through
/// another synchronous call.
public actor NamespaceActor {
    public nonisolated let name: NamespaceName

    private enum CachedSnapshot {
        case present(NamespaceSnapshot, loadedAt: ContinuousClock.Instant)
        case missing(loadedAt: ContinuousClock.Instant)
    }

    private var cached: CachedSnapshot?
    private var loading: Task<NamespaceSnapshot?, any Error>?
    private var subscribers: [String: [UInt64: AsyncStream<TaskEventRecord>.Continuation]] = [:]
    private var nextSubscriberID: UInt64 = 0
    private let snapshotTTL: Duration
    private let missingTTL: Duration

    /// When the actor was last used, for idle eviction.
    public private(set) var lastUsed: ContinuousClock.Instant

    public init(name: NamespaceName, snapshotTTL: Duration = .seconds(5), missingTTL: Duration = .seconds(1)) {
        self.name = name
        self.snapshotTTL = snapshotTTL
        self.missingTTL = missingTTL
        self.lastUsed = .now
    }

    // MARK: Settings

    /// The namespace's settings and actors, from cache or loaded once for all concurrent callers.
    ///
    /// Returns `nil` when the namespace does not exist.
    public func snapshot(loading load: @escaping @Sendable () async throws -> NamespaceSnapshot?) async throws -> NamespaceSnapshot? {
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
        let task = Task { try await load() }
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

    /// Removes a subscriber and ends its stream.
    public func unsubscribe(taskId: String, id: UInt64) {
        guard let continuation = subscribers[taskId]?.removeValue(forKey: id) else { return }
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

    /// The number of open subscriptions, for metrics and tests.
    public var subscriberCount: Int {
        subscribers.values.reduce(0) { $0 + $1.count }
    }

    /// Whether the actor holds nothing that would be lost by evicting it.
    public var isIdle: Bool {
        subscribers.isEmpty && loading == nil
    }
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
