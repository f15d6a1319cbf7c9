//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import Testing

/// The package's one back-off: doubling from the first wait, capped.
@Suite(.timeLimit(.minutes(2))) struct ExponentialBackoffTests {
    @Test func theWaitDoublesAfterEachAttemptUpToTheMaximum() {
        let backoff = ExponentialBackoff(initial: .milliseconds(100), maximum: .seconds(1))
        let waits = (1...7).map { backoff.delay(afterAttempt: $0) }
        #expect(waits == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1), .seconds(1)])
    }

    @Test func attemptsBelowOneCountAsTheFirst() {
        let backoff = ExponentialBackoff(initial: .milliseconds(100), maximum: .seconds(1))
        #expect(backoff.delay(afterAttempt: 0) == .milliseconds(100))
        #expect(backoff.delay(afterAttempt: -5) == .milliseconds(100))
    }

    @Test func aFirstWaitAboveTheMaximumIsKeptOnceThenCapped() {
        let backoff = ExponentialBackoff(initial: .seconds(10), maximum: .seconds(2))
        #expect(backoff.delay(afterAttempt: 1) == .seconds(10))
        #expect(backoff.delay(afterAttempt: 2) == .seconds(2))
        #expect(backoff.delay(afterAttempt: 3) == .seconds(2))
    }

    @Test func aLongStreakOfFailuresStaysAtTheMaximum() {
        // A reconnect loop counts failures without end: no overflow, the cap holds.
        let backoff = ExponentialBackoff(initial: .milliseconds(100), maximum: .seconds(5))
        #expect(backoff.delay(afterAttempt: 1_000_000) == .seconds(5))
        #expect(backoff.delay(afterAttempt: .max) == .seconds(5))
        #expect(ExponentialBackoff(initial: .zero, maximum: .seconds(5)).delay(afterAttempt: .max) == .zero, "no wait to double")
    }
}
