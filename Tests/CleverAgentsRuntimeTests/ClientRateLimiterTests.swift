//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

@testable import CleverAgentsRuntime
import Testing

/// The rate limit per client address, applied before any other work.
@Suite(.timeLimit(.minutes(2))) struct ClientRateLimiterTests {
    let start = ContinuousClock.now

    @Test func eachClientHasItsOwnBucket() {
        let limiter = ClientRateLimiter(ClientRateLimit(requestsPerSecond: 1, burst: 3))
        for _ in 0..<3 { #expect(limiter.admit("10.0.0.1", now: start) == .allowed) }
        #expect(limiter.admit("10.0.0.1", now: start) == .limited(retryAfter: .milliseconds(1000)))
        #expect(limiter.admit("10.0.0.2", now: start) == .allowed, "another client is not held back")
        #expect(limiter.admit("10.0.0.1", now: start + .seconds(1)) == .allowed, "a token refilled after a second")
    }

    @Test func theTableOfClientsIsBounded() {
        let limiter = ClientRateLimiter(ClientRateLimit(requestsPerSecond: 1, burst: 2, trackedClients: 100))
        for client in 0..<10_000 {
            _ = limiter.admit("client-\(client)", now: start)
            #expect(limiter.trackedCount <= 100)
        }
    }

    @Test func refilledBucketsMakeRoomBeforeLimitedOnes() {
        let limiter = ClientRateLimiter(ClientRateLimit(requestsPerSecond: 1, burst: 2, trackedClients: 4))
        // The flooder uses its burst up; three others take one token each, then rest.
        #expect(limiter.admit("flooder", now: start + .seconds(5)) == .allowed)
        #expect(limiter.admit("flooder", now: start + .seconds(5)) == .allowed)
        for client in ["a", "b", "c"] { _ = limiter.admit(client, now: start) }
        // A fifth client arrives: the rested ones (full again) go, the flooder's empty bucket stays.
        #expect(limiter.admit("new", now: start + .seconds(5)) == .allowed)
        #expect(limiter.trackedCount == 2)
        #expect(limiter.admit("flooder", now: start + .seconds(5)) != .allowed, "the flooder got no fresh burst")
    }
}
