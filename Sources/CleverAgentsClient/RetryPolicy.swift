//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol

/// When an HTTP call is tried again.
///
/// The reference is the A2A Python SDK (a2a-sdk 1.3.0): it makes exactly one attempt per call
/// (httpx without retries; a network failure raises `A2AClientError`, a timeout
/// `A2AClientTimeoutError`), which is ``none``. The default here keeps that for calls that are
/// not idempotent (`SendMessage`, `CancelTask`, creating push configurations), and tries
/// idempotent ones (reads, deletes, sync pushes with their batch id) again when the agent could
/// not be reached or answered 502, 503 or 504, with a doubling back-off, honouring `Retry-After`.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts of an idempotent call, the first included (1 means no retry).
    public var maximumAttempts: Int
    public var initialBackoff: Duration
    public var maximumBackoff: Duration

    public init(maximumAttempts: Int = 3, initialBackoff: Duration = .milliseconds(200), maximumBackoff: Duration = .seconds(2)) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
    }

    /// One attempt per call, as the A2A Python SDK does.
    public static let none = RetryPolicy(maximumAttempts: 1)

    /// The wait before attempt `attempt + 1` (attempts count from 1).
    public func backoff(after attempt: Int, retryAfter: Duration? = nil) -> Duration {
        var delay = ExponentialBackoff(initial: initialBackoff, maximum: maximumBackoff).delay(afterAttempt: attempt)
        if let retryAfter { delay = max(delay, min(retryAfter, maximumBackoff * 5)) }
        return min(delay, maximumBackoff * 5)
    }

    /// HTTP statuses worth another attempt of an idempotent call.
    static func isRetriable(status: Int) -> Bool {
        status == 502 || status == 503 || status == 504
    }
}
