//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import Crypto
import Foundation
@testable import CleverAgentsDomain
@testable import CleverAgentsRuntime
import CleverAgentsTestSupport
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(2))) struct AuthenticationTests {
    let namespace = NamespaceName("acme")!
    let other = NamespaceName("other")!

    func make() async throws -> (InMemoryIdentityStore, Authenticator, NamespaceActor) {
        let store = InMemoryIdentityStore()
        let authenticator = Authenticator(identities: store, pepper: Array(repeating: 9, count: 32))
        return (store, authenticator, NamespaceActor(name: namespace, ports: .inMemory(identities: store)))
    }

    func token(_ store: InMemoryIdentityStore, _ authenticator: Authenticator, principal: String = "alice", role: NamespaceRole? = .member,
               namespace: NamespaceName?, expiresAt: A2ATimestamp? = nil) async throws -> String {
        _ = try await store.ensurePrincipal(Principal(id: principal, createdAt: .now))
        if let role, let namespace { try await store.putRoleBinding(RoleBinding(namespace: namespace, subject: .principal(principal), role: role)) }
        let (text, record) = authenticator.makeToken(principal: principal, namespace: namespace, name: "t", expiresAt: expiresAt)
        try await store.insertToken(record)
        return text.text
    }

    @Test func aValidTokenAuthenticatesWithItsRole() async throws {
        let (store, authenticator, actor) = try await make()
        let text = try await token(store, authenticator, namespace: namespace)
        let caller = try await authenticator.authenticate(text, namespace: namespace, actor: actor)
        #expect(caller.principalID == "alice")
        #expect(caller.role == .member)
        #expect(!caller.isSuperadmin)
        #expect(caller.tokenID == APITokenText(text)?.id)
        let stored = try #require(try await store.credential(tokenID: caller.tokenID!))
        #expect(!stored.token.secretHash.isEmpty)
        #expect(stored.token.secretHash != Array(APITokenText(text)!.secret.utf8), "only a keyed hash is stored")
    }

    @Test func badCredentialsAreRefusedWithoutSayingWhy() async throws {
        let (store, authenticator, actor) = try await make()
        let valid = try await token(store, authenticator, namespace: namespace)
        let foreign = try await token(store, authenticator, principal: "bob", namespace: other)
        var wrongSecret = APITokenText(valid)!
        wrongSecret.secret = String(repeating: "A", count: APITokenText.secretLength)
        await #expect(throws: AuthenticationError.missing) { try await authenticator.authenticate(nil, namespace: namespace, actor: actor) }
        await #expect(throws: AuthenticationError.missing) { try await authenticator.authenticate("", namespace: namespace, actor: actor) }
        await #expect(throws: AuthenticationError.malformed) { try await authenticator.authenticate("ca_short", namespace: namespace, actor: actor) }
        await #expect(throws: AuthenticationError.invalid) { try await authenticator.authenticate(wrongSecret.text, namespace: namespace, actor: actor) }
        await #expect(throws: AuthenticationError.invalid, "a token of another namespace") {
            try await authenticator.authenticate(foreign, namespace: namespace, actor: actor)
        }
        var unknown = APITokenText(valid)!
        unknown.id = String(repeating: "a", count: APITokenText.idLength)
        await #expect(throws: AuthenticationError.invalid) { try await authenticator.authenticate(unknown.text, namespace: namespace, actor: actor) }
    }

    @Test func expiredAndRevokedTokensAreRefused() async throws {
        let (store, authenticator, actor) = try await make()
        let expired = try await token(store, authenticator, namespace: namespace, expiresAt: .init(millisecondsSinceEpoch: 1))
        await #expect(throws: AuthenticationError.expired) { try await authenticator.authenticate(expired, namespace: namespace, actor: actor) }
        let revoked = try await token(store, authenticator, principal: "carol", namespace: namespace)
        _ = try await authenticator.authenticate(revoked, namespace: namespace, actor: actor)
        #expect(try await store.revokeToken(id: APITokenText(revoked)!.id, namespace: namespace, at: .now))
        #expect(try await store.revokeToken(id: APITokenText(revoked)!.id, namespace: namespace, at: .now) == false, "once")
        // The cached credential holds until the cache is invalidated (every replica is told at once).
        await actor.invalidateCredentials()
        await #expect(throws: AuthenticationError.invalid) { try await authenticator.authenticate(revoked, namespace: namespace, actor: actor) }
    }

    @Test func aServerTokenOfASuperadminWorksEverywhere() async throws {
        let (store, authenticator, actor) = try await make()
        let server = try await token(store, authenticator, principal: "root", role: nil, namespace: nil)
        await #expect(throws: AuthenticationError.invalid, "not yet a superadmin") {
            try await authenticator.authenticate(server, namespace: namespace, actor: actor)
        }
        try await store.setSuperadmin("root", true)
        await actor.invalidateCredentials()
        let caller = try await authenticator.authenticate(server, namespace: namespace, actor: actor)
        #expect(caller.isSuperadmin)
        #expect(try await authenticator.authenticateServer(server).isSuperadmin)
        let member = try await token(store, authenticator, namespace: namespace)
        await #expect(throws: AuthenticationError.invalid, "a namespace token is no server credential") {
            try await authenticator.authenticateServer(member)
        }
    }

    @Test func aNamespaceTokenOfASuperadminCarriesNoServerPower() async throws {
        let (store, authenticator, actor) = try await make()
        let scoped = try await token(store, authenticator, principal: "root", role: .viewer, namespace: namespace)
        try await store.setSuperadmin("root", true)
        let caller = try await authenticator.authenticate(scoped, namespace: namespace, actor: actor)
        #expect(!caller.isSuperadmin)
        #expect(caller.role == .viewer)
        await #expect(throws: AuthenticationError.invalid) { try await authenticator.authenticateServer(scoped) }
    }

    @Test func aTokenCarriesNoMoreThanItsCapWhateverItsPrincipalHolds() async throws {
        let (store, authenticator, actor) = try await make()
        _ = try await store.ensurePrincipal(Principal(id: "carol", createdAt: .now))
        try await store.putRoleBinding(RoleBinding(namespace: namespace, subject: .principal("carol"), role: .owner))
        let (capped, record) = authenticator.makeToken(principal: "carol", namespace: namespace, name: "", expiresAt: nil, maxRole: .admin)
        try await store.insertToken(record)
        #expect(try await authenticator.authenticate(capped.text, namespace: namespace, actor: actor).role == .admin)
        try await store.putRoleBinding(RoleBinding(namespace: namespace, subject: .principal("carol"), role: .viewer))
        await actor.invalidateCredentials()
        #expect(try await authenticator.authenticate(capped.text, namespace: namespace, actor: actor).role == .viewer, "a cap only lowers")
    }

    @Test func teamsGiveTheirRoleAndTheHighestRoleWins() async throws {
        let (store, authenticator, actor) = try await make()
        let text = try await token(store, authenticator, role: .viewer, namespace: namespace)
        try await store.createTeam(namespace: namespace, name: "ops")
        try await store.addTeamMember(namespace: namespace, team: "ops", principal: "alice")
        try await store.putRoleBinding(RoleBinding(namespace: namespace, subject: .team("ops"), role: .admin))
        let caller = try await authenticator.authenticate(text, namespace: namespace, actor: actor)
        #expect(caller.role == .admin)
        #expect(try await store.role(of: "alice", in: namespace) == .admin)
    }

    @Test func aSecretsHashIsHMACSHA256UnderThePepperEveryTime() throws {
        // Hashes stored by earlier releases (HMAC-SHA256 keyed with the pepper) must still verify,
        // and a hash must not disturb the next (each starts from a copy of the keyed state).
        let pepper: [UInt8] = Array(repeating: 9, count: 32)
        let authenticator = Authenticator(identities: InMemoryIdentityStore(), pepper: pepper)
        for secret in ["s3cret", "", String(repeating: "long secret ", count: 40), "s3cret"] {
            let expected = Array(HMAC<SHA256>.authenticationCode(for: Data(secret.utf8), using: SymmetricKey(data: pepper)))
            #expect(authenticator.hash(secret: secret) == expected)
            #expect(authenticator.verify(secret: secret, against: expected))
            #expect(!authenticator.verify(secret: secret + "x", against: expected))
            #expect(!authenticator.verify(secret: secret, against: Array(expected.dropLast())), "a shorter hash never matches")
        }
        let otherPepper = Authenticator(identities: InMemoryIdentityStore(), pepper: Array(repeating: 8, count: 32))
        #expect(otherPepper.hash(secret: "s3cret") != authenticator.hash(secret: "s3cret"))
    }

    @Test func concurrentRequestsWithOneTokenLoadItOnce() async throws {
        let probe = ProbedStores()
        // An hour's cache: the default minute can pass between two calls when the whole suite
        // starts at once on two cores (as the settings cache's 5 s did).
        let actor = NamespaceActor(name: namespace, ports: probe.ports, settings: NamespaceActor.Settings(credentialTTL: .seconds(3600)))
        probe.close()
        async let first = actor.credential(tokenID: "t")
        async let second = actor.credential(tokenID: "t")
        #expect(await waitUntil(.seconds(60)) { probe.credentialLoads == 1 })
        probe.open()
        _ = try await (first, second)
        #expect(probe.credentialLoads == 1)
        _ = try await actor.credential(tokenID: "t")
        #expect(probe.credentialLoads == 1, "cached")
        #expect(await actor.cachedCredentialCount == 1)
    }

    @Test func aLoadThatStartedBeforeAnInvalidationIsNotCached() async throws {
        let probe = ProbedStores()
        let actor = NamespaceActor(name: namespace, ports: probe.ports)
        probe.close()
        async let loaded = actor.credential(tokenID: "t")
        #expect(await waitUntil(.seconds(60)) { probe.credentialLoads == 1 })
        await actor.invalidateCredentials()
        probe.open()
        _ = try await loaded
        #expect(await actor.cachedCredentialCount == 0)
    }

    /// A request's admission in one visit to the actor: the namespace, the caller, and the rate
    /// limits, whose buckets only a caller with the right secret draws from.
    @Test func anAdmissionNamesTheCallerAndDrawsOnlyAnAuthenticatedCallersBucket() async throws {
        let (identities, authenticator, _) = try await make()
        let namespaces = InMemoryStore()
        try await namespaces.createNamespace(Namespace(name: namespace, authMode: .required, createdAt: .init(millisecondsSinceEpoch: 1)))
        let actor = NamespaceActor(
            name: namespace, ports: NamespacePorts(namespaces: namespaces, identities: identities),
            settings: NamespaceActor.Settings(rateLimits: RateLimits(tokenPerSecond: 0.001, tokenBurst: 2))
        )
        let text = try await token(identities, authenticator, namespace: namespace)
        let admitted = try #require(try await actor.admission(presenting: text, authenticator: authenticator, anonymousAllowed: true))
        #expect(admitted.snapshot.namespace.name == namespace)
        #expect(admitted.caller.principalID == "alice")
        #expect(admitted.caller.role == .member)
        #expect(admitted.rate == .allowed)
        // Someone who knows the token's id but not its secret is refused, and spends nothing of it.
        let forged = String(text.dropLast()) + (text.last == "A" ? "B" : "A")
        #expect(APITokenText(forged)?.id == APITokenText(text)?.id)
        for _ in 0..<3 {
            await #expect(throws: AuthenticationError.invalid) {
                try await actor.admission(presenting: forged, authenticator: authenticator, anonymousAllowed: true)
            }
        }
        await #expect(throws: AuthenticationError.missing) { try await actor.admission(presenting: nil, authenticator: authenticator, anonymousAllowed: true) }
        await #expect(throws: AuthenticationError.malformed) { try await actor.admission(presenting: "hello", authenticator: authenticator, anonymousAllowed: true) }
        #expect(try await actor.admission(presenting: text, authenticator: authenticator, anonymousAllowed: true)?.rate == .allowed)
        guard case .limited = try await actor.admission(presenting: text, authenticator: authenticator, anonymousAllowed: true)?.rate else {
            Issue.record("the token's burst of two is spent")
            return
        }
        // A namespace that does not exist admits nobody, whatever the credential.
        let ghost = NamespaceActor(name: other, ports: NamespacePorts(namespaces: namespaces, identities: identities))
        #expect(try await ghost.admission(presenting: text, authenticator: authenticator, anonymousAllowed: true) == nil)
    }

    @Test func aNamespaceWithoutAuthenticationAdmitsAnonymousCallersOnlyWhenAllowed() async throws {
        let (identities, authenticator, _) = try await make()
        let namespaces = InMemoryStore()
        try await namespaces.createNamespace(Namespace(name: namespace, authMode: .disabled, createdAt: .init(millisecondsSinceEpoch: 1)))
        let actor = NamespaceActor(name: namespace, ports: NamespacePorts(namespaces: namespaces, identities: identities))
        let open = try #require(try await actor.admission(presenting: nil, authenticator: authenticator, anonymousAllowed: true))
        #expect(open.caller == .anonymous)
        // In production a namespace's disabled authentication counts for nothing.
        await #expect(throws: AuthenticationError.missing) { try await actor.admission(presenting: nil, authenticator: authenticator, anonymousAllowed: false) }
        let text = try await token(identities, authenticator, role: .viewer, namespace: namespace)
        let named = try #require(try await actor.admission(presenting: text, authenticator: authenticator, anonymousAllowed: false))
        #expect(named.caller.role == .viewer)
    }

    @Test func theServiceAdmitsToANamespaceThatExistsAndSaysNotFoundBeforeAnythingElse() async throws {
        try await RuntimeHarness.with { harness in
            let authenticator = Authenticator(identities: InMemoryIdentityStore(), pepper: Array(repeating: 9, count: 32))
            await #expect(throws: ServiceError.namespaceNotFound("ghost")) {
                try await harness.service.admission(to: NamespaceName("ghost")!, presenting: "hello", authenticator: authenticator, anonymousAllowed: false)
            }
            let (actor, admission) = try await harness.service.admission(to: harness.namespace, presenting: nil, authenticator: authenticator, anonymousAllowed: true)
            #expect(actor === harness.service.directory.activeActor(for: harness.namespace))
            #expect(admission.caller == .anonymous)
        }
    }

    @Test func tokensHaveTheirFormAndRoundTrip() {
        var generator = SystemRandomNumberGenerator()
        let token = APITokenText.generate(using: &generator)
        #expect(token.id.count == APITokenText.idLength)
        #expect(token.secret.count == APITokenText.secretLength)
        #expect(token.text.hasPrefix("ca_"))
        #expect(APITokenText(token.text) == token)
        #expect(APITokenText(token.text + "x") == nil)
        #expect(APITokenText("xx" + token.text.dropFirst(2)) == nil)
        #expect(APITokenText(String(token.text.dropLast()) + "!") == nil)
        #expect(APITokenText.base32([0xFF, 0x00]) == "74aa")
        #expect(APITokenText.base64URL([0xFB, 0xFF]) == "-_8")
        #expect(Set((0..<200).map { _ in APITokenText.generate(using: &generator).id }).count == 200)
    }

    @Test func aTokenBucketAllowsItsBurstThenItsRate() {
        let start = ContinuousClock.now
        var bucket = TokenBucket(ratePerSecond: 2, burst: 3, now: start)
        #expect((0..<3).map { _ in bucket.take(now: start) } == [.allowed, .allowed, .allowed])
        #expect(bucket.take(now: start) == .limited(retryAfter: .milliseconds(500)))
        #expect(bucket.take(now: start + .milliseconds(500)) == .allowed)
        #expect(bucket.take(now: start + .seconds(10)) == .allowed)
        #expect(bucket.take(now: start + .seconds(10)) == .allowed)
        #expect(bucket.take(now: start + .seconds(10)) == .allowed)
        #expect(bucket.take(now: start + .seconds(10)) != .allowed, "the burst caps what refills")
    }

    @Test func aNamespaceActorLimitsTheNamespaceAndEachToken() async {
        let actor = NamespaceActor(
            name: namespace, ports: .inMemory(),
            settings: NamespaceActor.Settings(rateLimits: RateLimits(namespacePerSecond: 1, namespaceBurst: 3, tokenPerSecond: 1, tokenBurst: 1))
        )
        #expect(await actor.admit(tokenID: "a") == .allowed)
        if case .limited(let after) = await actor.admit(tokenID: "a") { #expect(after > .zero) } else { Issue.record("the token is limited") }
        #expect(await actor.admit(tokenID: "b") == .allowed)
        if case .allowed = await actor.admit(tokenID: "c") { Issue.record("the namespace burst is spent") }
        await actor.setRateLimits(RateLimits())
        #expect(await actor.admit(tokenID: "a") == .allowed, "unlimited")
    }

    @Test func jsonDepthIsMeasuredOutsideStrings() {
        #expect(JSONDepth.isWithin(2, Array(#"{"a":[1,2]}"#.utf8)))
        #expect(!JSONDepth.isWithin(2, Array(#"{"a":[[1]]}"#.utf8)))
        #expect(JSONDepth.isWithin(1, Array(#"{"a":"[[[{{{\"]]]"}"#.utf8)), "brackets in strings do not nest")
        #expect(!JSONDepth.isWithin(64, Array(String(repeating: "[", count: 65).utf8)))
    }
}
