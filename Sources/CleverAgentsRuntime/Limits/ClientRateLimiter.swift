//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Synchronization

/// Requests allowed per client address, before any namespace lookup or authentication
/// (`limits.clientRequestsPerSecond`, `limits.clientBurst`): the work a client can make a replica
/// do without a valid credential.
public struct ClientRateLimit: Sendable, Hashable {
    public var requestsPerSecond: Double
    public var burst: Double
    /// The most clients tracked at once.
    public var trackedClients: Int

    public init(requestsPerSecond: Double, burst: Double = 50, trackedClients: Int = 100_000) {
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
        self.trackedClients = trackedClients
    }
}

/// One token bucket per client key (an address), in a table bounded in size.
///
/// When the table is full, the buckets that have refilled are dropped first: a full bucket holds
/// nothing a new one would not. Only if every tracked client is still limited (a flood from more
/// addresses than the table holds) is the half least recently used dropped, which hands those
/// clients a fresh burst; the bound on memory comes first.
public final class ClientRateLimiter: Sendable {
    public let limit: ClientRateLimit
    private let buckets = Mutex<[String: TokenBucket]>([:])

    public init(_ limit: ClientRateLimit) {
        self.limit = limit
    }

    /// Takes one request from `client`'s bucket.
    public func admit(_ client: String, now: ContinuousClock.Instant = .now) -> RateDecision {
        buckets.withLock { buckets in
            if var bucket = buckets[client] {
                let decision = bucket.take(now: now)
                buckets[client] = bucket
                return decision
            }
            if buckets.count >= limit.trackedClients {
                Self.makeRoom(in: &buckets, capacity: limit.trackedClients, now: now)
            }
            var bucket = TokenBucket(ratePerSecond: limit.requestsPerSecond, burst: limit.burst, now: now)
            let decision = bucket.take(now: now)
            buckets[client] = bucket
            return decision
        }
    }

    /// The clients tracked now, for metrics and tests.
    public var trackedCount: Int {
        buckets.withLock { $0.count }
    }

    private static func makeRoom(in buckets: inout [String: TokenBucket], capacity: Int, now: ContinuousClock.Instant) {
        buckets = buckets.filter { !$0.value.isFull(at: now) }
        if buckets.count >= capacity {
            let newest = buckets.sorted { $0.value.updatedAt > $1.value.updatedAt }.prefix(capacity / 2)
            buckets = Dictionary(uniqueKeysWithValues: newest.map { ($0.key, $0.value) })
        }
    }
}
