//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// A token bucket: `ratePerSecond` tokens refill continuously up to `burst`; each request takes one.
///
/// A pure value, advanced with the caller's clock, so that it is tested without waiting.
public struct TokenBucket: Sendable, Hashable {
    public let ratePerSecond: Double
    public let burst: Double
    private var tokens: Double
    /// When the bucket was last taken from.
    public private(set) var updatedAt: ContinuousClock.Instant

    public init(ratePerSecond: Double, burst: Double, now: ContinuousClock.Instant) {
        self.ratePerSecond = ratePerSecond
        self.burst = burst
        self.tokens = burst
        self.updatedAt = now
    }

    /// Whether the bucket has refilled to its burst by `now` (it is then like a new one).
    public func isFull(at now: ContinuousClock.Instant) -> Bool {
        let elapsed = updatedAt.duration(to: now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return tokens + max(0, seconds) * ratePerSecond >= burst
    }

    /// Takes a token if there is one; otherwise says how long until there is.
    public mutating func take(now: ContinuousClock.Instant) -> RateDecision {
        let elapsed = updatedAt.duration(to: now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(burst, tokens + max(0, seconds) * ratePerSecond)
        updatedAt = now
        if tokens >= 1 {
            tokens -= 1
            return .allowed
        }
        let wait = (1 - tokens) / ratePerSecond
        return .limited(retryAfter: .milliseconds(Int64((wait * 1000).rounded(.up))))
    }
}

/// Whether a request may proceed now.
public enum RateDecision: Sendable, Hashable {
    case allowed
    case limited(retryAfter: Duration)
}

/// Request rates allowed per namespace and per token, on each replica.
public struct RateLimits: Sendable, Hashable {
    /// Requests per second for a whole namespace; `nil` means unlimited.
    public var namespacePerSecond: Double?
    public var namespaceBurst: Double
    /// Requests per second for one token; `nil` means unlimited.
    public var tokenPerSecond: Double?
    public var tokenBurst: Double

    public init(namespacePerSecond: Double? = nil, namespaceBurst: Double = 100, tokenPerSecond: Double? = nil, tokenBurst: Double = 20) {
        self.namespacePerSecond = namespacePerSecond
        self.namespaceBurst = namespaceBurst
        self.tokenPerSecond = tokenPerSecond
        self.tokenBurst = tokenBurst
    }
}
