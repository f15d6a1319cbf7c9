//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import CleverAgentsDomain
import CleverAgentsRuntime
import CleverAgentsTestSupport
import Synchronization
import Testing

/// The namespace actor's credential cache when a load fails, and the bound on its per-token
/// rate buckets.
@Suite(.timeLimit(.minutes(2))) struct NamespaceActorCacheTests {
    @Test func aFailedCredentialLoadIsNotCachedAndTheNextRequestLoadsAgain() async throws {
        let probe = ProbedStores()
        let actor = NamespaceActor(name: NamespaceName("creds")!, ports: probe.ports, settings: NamespaceActor.Settings(credentialTTL: .seconds(3600)))
        probe.state.withLock { $0.failing = true }
        await #expect(throws: StoreError.self) { try await actor.credential(tokenID: "tok") }
        #expect(await actor.cachedCredentialCount == 0)
        // The store answers again: an unknown token, which is cached.
        probe.state.withLock { $0.failing = false }
        let credential = try await actor.credential(tokenID: "tok")
        #expect(credential == nil)
        #expect(probe.credentialLoads == 2, "the failure was not kept in place of a load")
        #expect(await actor.cachedCredentialCount == 1)
        _ = try await actor.credential(tokenID: "tok")
        #expect(probe.credentialLoads == 2, "now served from the cache")
    }

    @Test func perTokenBucketsStartOverWhenThereAreAsManyAsCachedCredentials() async {
        // One token bucket at most, holding one request, refilled once in a thousand seconds.
        let actor = NamespaceActor(
            name: NamespaceName("rates")!, ports: .inMemory(),
            settings: NamespaceActor.Settings(credentialCacheSize: 1, rateLimits: RateLimits(tokenPerSecond: 0.001, tokenBurst: 1))
        )
        #expect(await actor.admit(tokenID: "a") == .allowed)
        guard case .limited = await actor.admit(tokenID: "a") else {
            Issue.record("the second request of token a is over its burst")
            return
        }
        // A second token does not fit beside the first: the buckets are dropped, not grown.
        #expect(await actor.admit(tokenID: "b") == .allowed)
        #expect(await actor.admit(tokenID: "a") == .allowed, "a's bucket was dropped and starts full")
        guard case .limited = await actor.admit(tokenID: "a") else {
            Issue.record("a's new bucket is spent")
            return
        }
    }
}
