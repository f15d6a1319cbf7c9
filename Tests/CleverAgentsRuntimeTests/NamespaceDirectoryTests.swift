//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
@testable import CleverAgentsRuntime
import CleverAgentsTestSupport
import Logging
import Synchronization
import Testing

/// What requests for a namespace cost before it is known to exist: unknown names allocate no
/// actor, lookups are shared and their misses remembered in a bounded cache.
@Suite(.timeLimit(.minutes(1))) struct NamespaceDirectoryTests {
    static let acme = NamespaceName("acme")!
    static var snapshot: NamespaceSnapshot {
        NamespaceSnapshot(namespace: Namespace(name: acme, createdAt: .init(millisecondsSinceEpoch: 1)), actors: [])
    }

    @Test func unknownNamesAllocateNoActorAndTheirMissIsRemembered() async throws {
        let probe = ProbedStores()
        let directory = NamespaceDirectory(ports: probe.ports, missingNames: RecentlyMissingNames(capacity: 100, timeToLive: .seconds(3600)))
        for _ in 0..<3 {
            #expect(try await directory.resolve(Self.acme) == nil)
        }
        #expect(try await directory.existingActor(Self.acme) == nil)
        #expect(probe.namespaceLoads == 1, "one query; the miss is remembered")
        #expect(directory.activeCount == 0)
        #expect(directory.activeActor(for: Self.acme) == nil)
        #expect(directory.missingCount == 1)
    }

    @Test func concurrentLookupsOfOneNameShareOneQueryAndOneActor() async throws {
        let probe = ProbedStores(namespace: Self.snapshot.namespace)
        // Settings kept for an hour: the default 5 s can pass before the last lookup on a busy machine.
        let directory = NamespaceDirectory(ports: probe.ports, actorSettings: NamespaceActor.Settings(snapshotTTL: .seconds(3600)))
        probe.close()
        let resolved = try await withThrowingTaskGroup(of: NamespaceActor?.self) { group in
            for index in 0..<50 {
                group.addTask {
                    index.isMultiple(of: 2) ? try await directory.resolve(Self.acme)?.0 : try await directory.existingActor(Self.acme)
                }
            }
            // Every caller is waiting on the one load before it is let go.
            #expect(await waitUntil(.seconds(60)) { probe.namespaceLoads == 1 })
            probe.open()
            return try await group.reduce(into: [NamespaceActor?]()) { $0.append($1) }
        }
        #expect(probe.namespaceLoads == 1, "one load for 50 callers")
        let actors = resolved.compactMap { $0 }
        #expect(actors.count == 50)
        #expect(actors.allSatisfy { $0 === actors[0] })
        #expect(directory.activeCount == 1)
        // The actor holds the settings just loaded: the next request needs no load.
        let again = try await directory.resolve(Self.acme)
        #expect(again?.1 == Self.snapshot)
        #expect(try await directory.existingActor(Self.acme) === actors[0])
        #expect(probe.namespaceLoads == 1, "the settings were not loaded again")
    }

    @Test func aCreatedNamespaceIsFoundOnceItsMissIsInvalidated() async throws {
        let probe = ProbedStores()
        let directory = NamespaceDirectory(ports: probe.ports, missingNames: RecentlyMissingNames(capacity: 100, timeToLive: .seconds(3600)))
        #expect(try await directory.resolve(Self.acme) == nil)
        probe.state.withLock { $0.namespace = Self.snapshot.namespace }
        #expect(try await directory.resolve(Self.acme) == nil, "still remembered as missing")
        await directory.invalidate(Self.acme)
        #expect(try await directory.resolve(Self.acme)?.1 == Self.snapshot)
        #expect(directory.missingCount == 0)
        #expect(directory.activeCount == 1)
    }

    @Test func theSoleNamespaceIsLookedUpOncePerItsLifeAndDroppedByAChange() async throws {
        let directory = NamespaceDirectory(ports: .inMemory(), soleNamespaceTTL: .seconds(3600))
        let names = Mutex((count: 0, names: [NamespaceName]()))
        let load: @Sendable () -> [NamespaceName] = { names.withLock { state in state.count += 1; return state.names } }
        #expect(try await directory.soleNamespace(load: load) == nil, "no namespace yet")
        names.withLock { $0.names = [Self.acme] }
        #expect(try await directory.soleNamespace(load: load) == nil, "the answer is kept for its life")
        #expect(names.withLock { $0.count } == 1)
        await directory.invalidate(Self.acme)
        #expect(try await directory.soleNamespace(load: load) == Self.acme, "a change here drops it")
        names.withLock { $0.names = [Self.acme, NamespaceName("other")!] }
        await directory.invalidate(NamespaceName("other")!)
        #expect(try await directory.soleNamespace(load: load) == nil, "two namespaces: none is the root's")
        #expect(names.withLock { $0.count } == 3)
    }

    @Test func concurrentSoleNamespaceLookupsShareOneQuery() async throws {
        let directory = NamespaceDirectory(ports: .inMemory(), soleNamespaceTTL: .seconds(3600))
        let loads = Mutex(0)
        let (gate, open) = AsyncStream<Void>.makeStream()
        let load: @Sendable () async throws -> [NamespaceName] = {
            loads.withLock { $0 += 1 }
            for await _ in gate { break }
            return [Self.acme]
        }
        async let first = directory.soleNamespace(load: load)
        async let second = directory.soleNamespace(load: load)
        async let third = directory.soleNamespace(load: load)
        while loads.withLock({ $0 }) == 0 { await Task.yield() }
        open.yield()
        open.finish()
        #expect(try await [first, second, third] == [Self.acme, Self.acme, Self.acme])
        #expect(loads.withLock { $0 } == 1)
    }

    @Test func aFailedSoleNamespaceLookupIsNotRemembered() async throws {
        let directory = NamespaceDirectory(ports: .inMemory(), soleNamespaceTTL: .seconds(3600))
        await #expect(throws: StoreError.self) { try await directory.soleNamespace { throw StoreError.unavailable("down") } }
        #expect(try await directory.soleNamespace { [Self.acme] } == Self.acme)
    }

    @Test func aFailedLookupIsNotRemembered() async throws {
        let probe = ProbedStores()
        let directory = NamespaceDirectory(ports: probe.ports)
        probe.state.withLock { $0.failing = true }
        await #expect(throws: StoreError.self) { try await directory.resolve(Self.acme) }
        await #expect(throws: StoreError.self) { try await directory.existingActor(Self.acme) }
        probe.state.withLock { state in
            state.failing = false
            state.namespace = Self.snapshot.namespace
        }
        #expect(try await directory.resolve(Self.acme) != nil)
        #expect(probe.namespaceLoads == 3)
        #expect(directory.missingCount == 0)
    }

    @Test func theMissingNamesAreBoundedAndTheOldestGoFirst() {
        var missing = RecentlyMissingNames(capacity: 3, timeToLive: .seconds(10))
        let start = ContinuousClock.now
        for (offset, name) in ["a", "b", "c", "d"].enumerated() {
            missing.insert(NamespaceName(name)!, now: start + .milliseconds(offset))
        }
        #expect(missing.count == 3)
        #expect(!missing.contains(NamespaceName("a")!, now: start + .seconds(1)), "the oldest was dropped")
        #expect(missing.contains(NamespaceName("d")!, now: start + .seconds(1)))
        #expect(!missing.contains(NamespaceName("d")!, now: start + .seconds(11)), "expired")
        // A name found missing again and again takes one entry.
        for round in 0..<1000 {
            missing.insert(NamespaceName("e")!, now: start + .seconds(20) + .milliseconds(round))
        }
        #expect(missing.count == 1, "the expired ones went; 'e' is one entry")
        missing.remove(NamespaceName("e")!)
        #expect(!missing.contains(NamespaceName("e")!, now: start + .seconds(21)))
    }

    /// A namespace created through the administration API is usable at once on this replica,
    /// even right after a request found it missing.
    @Test func aNamespaceCreatedByAnAdministratorIsFoundAtOnce() async throws {
        try await RuntimeHarness.with { harness in
            let name = NamespaceName("later")!
            await #expect(throws: ServiceError.namespaceNotFound("later")) { try await harness.service.namespace(name) }
            #expect(harness.service.directory.activeActor(for: name) == nil)
            let identities = InMemoryIdentityStore()
            let admin = AdminService(
                namespaces: harness.store, identities: identities,
                authenticator: Authenticator(identities: identities, pepper: Array(repeating: 1, count: 32)),
                secrets: try AESGCMSecretBox(keyMaterial: Array(repeating: 7, count: 32)), directory: harness.service.directory,
                production: false, logger: Logger(label: "test")
            )
            _ = try await admin.handle(
                .createNamespace(CreateNamespaceParams(name: "later")),
                context: RequestContext(namespace: NamespaceName("server")!, caller: Caller(principalID: "root", role: nil, isSuperadmin: true), requestID: "t")
            )
            let (_, snapshot) = try await harness.service.namespace(name)
            #expect(snapshot.namespace.name == name)
        }
    }

    /// Tokens with made-up ids are looked up once each, and the namespace's credential cache
    /// keeps no more of those misses than its bound.
    @Test func madeUpTokensStayWithinTheCredentialCache() async throws {
        let identities = InMemoryIdentityStore()
        let authenticator = Authenticator(identities: identities, pepper: Array(repeating: 9, count: 32))
        let actor = NamespaceActor(name: Self.acme, ports: .inMemory(identities: identities), settings: NamespaceActor.Settings(credentialCacheSize: 64))
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1000 {
            let made = APITokenText.generate(using: &generator)
            await #expect(throws: AuthenticationError.invalid) {
                try await authenticator.authenticate(made.text, namespace: Self.acme, actor: actor)
            }
            #expect(await actor.cachedCredentialCount <= 64)
        }
        #expect(await actor.cachedCredentialCount > 0, "misses are cached, within the bound")
        #expect(await actor.isIdle, "no lookup is left behind")
    }
}
