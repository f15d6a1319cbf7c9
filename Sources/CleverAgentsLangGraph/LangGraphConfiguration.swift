//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// How the server talks to LangGraph deployments.
public struct LangGraphConfiguration: Sendable, Hashable {
    /// Stream modes requested when an actor names none.
    public var defaultStreamModes: [String]
    /// Longest time one run may take, unless the actor sets its own.
    public var runTimeout: Duration
    /// Timeout of the short calls (get run, cancel).
    public var requestTimeout: Duration
    /// Attempts for a call that failed in a way that is safe to retry (connection refused, 429, 5xx).
    public var maximumAttempts: Int
    /// First retry delay; doubled on every attempt, with jitter, up to ``maximumBackoff``.
    public var initialBackoff: Duration
    public var maximumBackoff: Duration
    /// How many times a dropped run stream is re-joined.
    public var maximumRejoins: Int

    public init(
        defaultStreamModes: [String] = ["values", "updates", "custom"],
        runTimeout: Duration = .seconds(3600),
        requestTimeout: Duration = .seconds(30),
        maximumAttempts: Int = 4,
        initialBackoff: Duration = .milliseconds(250),
        maximumBackoff: Duration = .seconds(5),
        maximumRejoins: Int = 5
    ) {
        self.defaultStreamModes = defaultStreamModes
        self.runTimeout = runTimeout
        self.requestTimeout = requestTimeout
        self.maximumAttempts = maximumAttempts
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.maximumRejoins = maximumRejoins
    }

    /// The delay before retry number `attempt` (1-based), with ±20 % jitter.
    func backoff(attempt: Int) -> Duration {
        var delay = initialBackoff
        for _ in 1..<max(attempt, 1) {
            delay = min(delay * 2, maximumBackoff)
        }
        let jitter = Double.random(in: 0.8...1.2)
        return delay * jitter
    }
}
