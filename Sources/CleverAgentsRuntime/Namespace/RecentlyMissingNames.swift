//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsDomain
import DequeModule

/// Namespace names recently found not to exist: a short-lived negative cache, bounded in entries
/// (the oldest go first), so that a flood of made-up names costs neither a query per request
/// for a repeated name nor memory beyond the bound.
///
/// A pure value, advanced with the caller's clock; ``NamespaceDirectory`` keeps it under its lock.
public struct RecentlyMissingNames: Sendable {
    /// The most names kept.
    public let capacity: Int
    /// How long a name is known to be missing.
    public let timeToLive: Duration

    /// When each name was found missing, and the order of insertion (one uniform time to live,
    /// so the oldest entry is the first to expire). An entry of the queue whose name was removed
    /// or found missing again since is stale and skipped.
    private var expiries: [NamespaceName: (expires: ContinuousClock.Instant, generation: UInt64)] = [:]
    private var order: Deque<(name: NamespaceName, generation: UInt64)> = []
    private var nextGeneration: UInt64 = 0

    public init(capacity: Int = 10_000, timeToLive: Duration = .seconds(1)) {
        self.capacity = max(1, capacity)
        self.timeToLive = timeToLive
    }

    /// The names kept now (expired ones may linger until the next insertion drops them).
    public var count: Int { expiries.count }

    /// Whether `name` was found missing less than the time to live ago.
    public func contains(_ name: NamespaceName, now: ContinuousClock.Instant) -> Bool {
        guard let entry = expiries[name] else { return false }
        return now < entry.expires
    }

    /// Records that `name` does not exist, dropping expired names and, at capacity, the oldest.
    public mutating func insert(_ name: NamespaceName, now: ContinuousClock.Instant) {
        dropExpired(now: now)
        if expiries[name] == nil {
            while expiries.count >= capacity, let oldest = order.popFirst() {
                if expiries[oldest.name]?.generation == oldest.generation { expiries[oldest.name] = nil }
            }
        }
        nextGeneration &+= 1
        expiries[name] = (now + timeToLive, nextGeneration)
        order.append((name, nextGeneration))
        // Stale queue entries (names found missing again) are dropped as the queue is walked;
        // compact when they outnumber the live ones, so the queue stays within twice the bound.
        if order.count > 2 * max(capacity, expiries.count) {
            order = Deque(order.filter { expiries[$0.name]?.generation == $0.generation })
        }
    }

    /// Forgets `name` (it was just created).
    public mutating func remove(_ name: NamespaceName) {
        expiries[name] = nil
    }

    private mutating func dropExpired(now: ContinuousClock.Instant) {
        while let oldest = order.first {
            guard let entry = expiries[oldest.name], entry.generation == oldest.generation else {
                order.removeFirst()
                continue
            }
            guard entry.expires <= now else { return }
            expiries[oldest.name] = nil
            order.removeFirst()
        }
    }
}
