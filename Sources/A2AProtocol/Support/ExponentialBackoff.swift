//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// A wait that doubles after each failed attempt, from ``initial`` up to ``maximum``.
///
/// The one back-off of the package: the client's retries, LangGraph calls, push deliveries and
/// the notification listener's reconnects each wrap it with their own policy (how many attempts,
/// `Retry-After`, jitter). It lives here, at the root of the module graph, because the client
/// library depends on nothing else of ours; `package` keeps it out of the public API.
package struct ExponentialBackoff: Sendable, Hashable {
    /// The wait after the first failed attempt.
    package var initial: Duration
    /// No wait after a later attempt is longer (`initial` itself is not cut to it).
    package var maximum: Duration

    package init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The wait after failed attempt number `attempt` (1-based; less counts as 1): ``initial``,
    /// then twice the wait before, never above ``maximum``.
    package func delay(afterAttempt attempt: Int) -> Duration {
        var delay = initial
        var doublings = max(attempt, 1) - 1
        // Stops once the wait can change no more (at the cap, or zero): a count of failures that
        // keeps growing costs nothing more.
        while doublings > 0, delay != maximum, delay != .zero {
            delay = min(delay * 2, maximum)
            doublings -= 1
        }
        return delay
    }
}
