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
import Crypto
import Foundation
import Logging
import ServiceLifecycleTestKit
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(2))) struct NamespaceRuntimeTests {
    static let namespace = Namespace(name: NamespaceName("acme")!, createdAt: .init(millisecondsSinceEpoch: 1))

    @Test func concurrentCallersShareOneLoad() async throws {
        let probe = ProbedStores(namespace: Self.namespace)
        // An hour to live: the default 5 s can pass between two calls on a machine this busy.
        let actor = NamespaceActor(name: NamespaceName("acme")!, ports: probe.ports, settings: NamespaceActor.Settings(snapshotTTL: .seconds(3600)))
        probe.close()
        async let first = actor.snapshot()
        async let second = actor.snapshot()
        async let third = actor.snapshot()
        // Wait until the load started, then let it finish.
        #expect(await waitUntil(.seconds(60)) { probe.namespaceLoads == 1 })
        probe.open()
        let results = try await [first, second, third]
        #expect(results.allSatisfy { $0?.namespace.name.rawValue == "acme" })
        #expect(probe.namespaceLoads == 1)
        _ = try await actor.snapshot()
        #expect(probe.namespaceLoads == 1, "cached within its time to live")
    }

    @Test func aMissingNamespaceIsCachedBrieflyAndAnInvalidationReloads() async throws {
        let probe = ProbedStores()
        let actor = NamespaceActor(
            name: NamespaceName("acme")!, ports: probe.ports, settings: NamespaceActor.Settings(snapshotTTL: .seconds(60), missingTTL: .seconds(60)))
        #expect(try await actor.snapshot() == nil)
        probe.state.withLock { $0.namespace = Self.namespace }
        #expect(try await actor.snapshot() == nil)
        #expect(probe.namespaceLoads == 1)
        await actor.invalidate()
        #expect(try await actor.snapshot() != nil)
        #expect(probe.namespaceLoads == 2)
    }

    @Test func aFailedLoadIsNotCached() async throws {
        let probe = ProbedStores(namespace: Self.namespace)
        let actor = NamespaceActor(name: NamespaceName("acme")!, ports: probe.ports)
        probe.state.withLock { $0.failing = true }
        await #expect(throws: StoreError.self) { try await actor.snapshot() }
        probe.state.withLock { $0.failing = false }
        #expect(try await actor.snapshot() != nil)
    }

    @Test func subscribersReceivePublishedEventsUntilTheyUnsubscribe() async throws {
        let actor = NamespaceActor(name: NamespaceName("acme")!, ports: .inMemory())
        let subscription = await actor.subscribe(taskId: "t")
        let other = await actor.subscribe(taskId: "other")
        #expect(await actor.subscriberCount == 2)
        #expect(await actor.isIdle == false)
        let event = TaskEventRecord(namespace: NamespaceName("acme")!, taskId: "t", sequence: 2, event: .statusUpdate(.init(taskId: "t", contextId: "c", status: .init(state: .working))))
        await actor.publish([event])
        var iterator = subscription.events.makeAsyncIterator()
        #expect(await iterator.next() == event)
        await subscription.cancel()
        await other.cancel()
        #expect(await iterator.next() == nil, "the stream ends on unsubscribe")
        #expect(await actor.subscriberCount == 0)
        #expect(await actor.isIdle)
    }

    @Test func theDirectoryActivatesOneActorPerNamespaceAndEvictsOnlyThatOne() {
        let directory = NamespaceDirectory(ports: .inMemory())
        let name = NamespaceName("acme")!
        #expect(directory.activeActor(for: name) == nil)
        let first = directory.actor(for: name)
        #expect(directory.actor(for: name) === first)
        #expect(directory.activeCount == 1)
        directory.evict(first)
        #expect(directory.activeActor(for: name) == nil)
        let second = directory.actor(for: name)
        directory.evict(first)
        #expect(directory.activeActor(for: name) === second, "evicting a stale actor keeps the new one")
        #expect(directory.allActive.count == 1)
    }

    @Test func threadIdentifiersAreStablePerNamespaceOwnerAndContext() {
        let thread = ThreadIdentifier.thread(namespace: "acme", owner: "alice", contextId: "ctx")
        #expect(thread == ThreadIdentifier.thread(namespace: "acme", owner: "alice", contextId: "ctx"))
        #expect(thread != ThreadIdentifier.thread(namespace: "acme", owner: "bob", contextId: "ctx"))
        #expect(thread != ThreadIdentifier.thread(namespace: "other", owner: "alice", contextId: "ctx"))
        #expect(
            ThreadIdentifier.thread(namespace: "a/b", owner: "c", contextId: "d") != ThreadIdentifier.thread(namespace: "a", owner: "b/c", contextId: "d"),
            "fields are length-prefixed"
        )
        #expect(thread.count == 36)
        #expect(Array(thread)[14] == "5", "a version 5 UUID")
    }

    @Test func uuidV7IdentifiersAreTimeOrderedAndWellFormed() {
        var generator = SystemRandomNumberGenerator()
        let earlier = UUIDv7Generator.make(milliseconds: 1_000, using: &generator)
        let later = UUIDv7Generator.make(milliseconds: 2_000, using: &generator)
        #expect(earlier < later)
        let id = UUIDv7Generator().makeID()
        let characters = Array(id)
        #expect(characters.count == 36)
        #expect(characters[14] == "7")
        #expect("89ab".contains(characters[19]))
        #expect(Set((0..<1000).map { _ in UUIDv7Generator().makeID() }).count == 1000)
    }

    @Test func aDerivedKeyIsStablePerPurposeAndNeverTheKeyItself() throws {
        let material = Array(repeating: UInt8(1), count: 32)
        let box = try AESGCMSecretBox(keyMaterial: material)
        let pepper = box.derivedKey(for: "token pepper")
        #expect(pepper.count == 32)
        #expect(pepper == (try AESGCMSecretBox(keyMaterial: material)).derivedKey(for: "token pepper"), "the same after a restart")
        #expect(pepper != material)
        #expect(pepper != box.derivedKey(for: "something else"))
        #expect(pepper != (try AESGCMSecretBox(keyMaterial: Array(repeating: 2, count: 32))).derivedKey(for: "token pepper"))
    }

    @Test func sealedSecretsOpenOnlyWithTheirKeyAndForTheirBinding() throws {
        let box = try AESGCMSecretBox(keyMaterial: Array(repeating: 1, count: 32))
        let namespace = NamespaceName("acme")!
        let binding = SecretBinding.actorAPIKey(namespace: namespace, actor: "writer", graphURL: "https://graphs.example.com")
        let sealed = try box.seal("lsv2-secret-key", for: binding)
        #expect(sealed.sealed.hasPrefix("v2:"))
        #expect(!sealed.sealed.contains("lsv2"))
        #expect(try box.open(sealed, for: binding) == "lsv2-secret-key")
        #expect(try box.seal("same", for: binding).sealed != box.seal("same", for: binding).sealed, "a fresh nonce each time")
        let other = try AESGCMSecretBox(keyMaterial: Array(repeating: 2, count: 32))
        #expect(throws: SecretBoxError.notOpenable) { try other.open(sealed, for: binding) }
        // Another URL, actor, namespace or kind of secret: the same ciphertext does not open.
        for elsewhere in [
            SecretBinding.actorAPIKey(namespace: namespace, actor: "writer", graphURL: "https://attacker.example.com"),
            .actorAPIKey(namespace: namespace, actor: "reader", graphURL: "https://graphs.example.com"),
            .actorAPIKey(namespace: NamespaceName("other")!, actor: "writer", graphURL: "https://graphs.example.com"),
            .pushCredentials(namespace: namespace, taskId: "writer", configId: "https://graphs.example.com", url: ""),
        ] {
            #expect(throws: SecretBoxError.notOpenable) { try box.open(sealed, for: elsewhere) }
        }
        // Length prefixes keep parts apart: "ab"+"c" is not "a"+"bc".
        #expect(SecretBinding.actorAPIKey(namespace: namespace, actor: "ab", graphURL: "c") != .actorAPIKey(namespace: namespace, actor: "a", graphURL: "bc"))
        #expect(throws: SecretBoxError.malformed) { try box.open(SealedSecret(sealed: "v3:abc"), for: binding) }
        #expect(throws: SecretBoxError.malformed) { try box.open(SealedSecret(sealed: "v2:not base64!"), for: binding) }
        #expect(throws: SecretBoxError.invalidKey) { try AESGCMSecretBox(keyMaterial: [1, 2, 3]) }
        #expect(throws: SecretBoxError.invalidKey) { try AESGCMSecretBox(base64Key: "not base64!") }
        #expect("\(sealed)" == "<sealed secret>")
    }

    @Test func valuesSealedBeforeBindingsStillOpen() throws {
        // A v1 value: AES-GCM without additional data, as stored by earlier versions.
        let key = Array(repeating: UInt8(1), count: 32)
        let legacy = try AES.GCM.seal(Data("old-key".utf8), using: SymmetricKey(data: key))
        let sealed = SealedSecret(sealed: "v1:" + (legacy.combined ?? Data()).base64EncodedString())
        let box = try AESGCMSecretBox(keyMaterial: key)
        #expect(try box.open(sealed, for: .actorAPIKey(namespace: NamespaceName("acme")!, actor: "a", graphURL: "https://x.example")) == "old-key")
    }

    @Test func cardsListActorsAsSkillsAndDeclareSecurityWhenAuthIsRequired() {
        let builder = AgentCardBuilder(publicBaseURL: "https://agents.example.com/", serverVersion: "1.2.3")
        let snapshot = NamespaceSnapshot(
            namespace: Namespace(name: NamespaceName("acme")!, description: "Acme agents", authMode: .required, createdAt: .init(millisecondsSinceEpoch: 1)),
            actors: [
                ActorDefinition(name: "writer", description: "Writes", tags: ["text"], graphURL: "http://g", assistantID: "w"),
                ActorDefinition(name: "analyst", graphURL: "http://g", assistantID: "a"),
            ]
        )
        let card = builder.card(for: snapshot, requestBaseURL: "http://ignored:1")
        #expect(card.supportedInterfaces.map(\.protocolVersion) == ["1.0", "0.3"], "1.0 first, then 0.3 at the same endpoint")
        #expect(card.supportedInterfaces.allSatisfy { $0.url == "https://agents.example.com/ns/acme" && $0.protocolBinding == "JSONRPC" })
        #expect(card.skills.map(\.id) == ["analyst", "writer"])
        #expect(card.skills.last?.tags == ["text"])
        #expect(card.description == "Acme agents")
        #expect(card.version == "1.2.3")
        #expect(card.securitySchemes.keys.sorted() == ["apiKey", "bearer"])
        #expect(card.securityRequirements.count == 2)

        let open = AgentCardBuilder(publicBaseURL: nil, serverVersion: "1")
        var disabled = snapshot
        disabled.namespace.authMode = .disabled
        let openCard = open.card(for: disabled, requestBaseURL: "http://127.0.0.1:8080/")
        #expect(openCard.supportedInterfaces.first?.url == "http://127.0.0.1:8080/ns/acme")
        #expect(openCard.securitySchemes.isEmpty)
        #expect(openCard.securityRequirements.isEmpty)
    }

    @Test func aSnapshotPicksTheNamedActorTheDefaultOrTheOnlyOne() {
        let namespace = Namespace(name: NamespaceName("acme")!, createdAt: .init(millisecondsSinceEpoch: 10))
        let one = NamespaceSnapshot(namespace: namespace, actors: [ActorDefinition(name: "solo", graphURL: "http://g", assistantID: "s")])
        #expect(one.actor(named: nil)?.name == "solo")
        #expect(one.actor(named: "other") == nil)
        var later = ActorDefinition(name: "b", graphURL: "http://g", assistantID: "b", isDefault: true)
        later.updatedAt = .init(millisecondsSinceEpoch: 99)
        let two = NamespaceSnapshot(namespace: namespace, actors: [ActorDefinition(name: "a", graphURL: "http://g", assistantID: "a"), later])
        #expect(two.actor(named: nil)?.name == "b")
        #expect(two.lastModified == .init(millisecondsSinceEpoch: 99))
        let none = NamespaceSnapshot(namespace: namespace, actors: [
            ActorDefinition(name: "a", graphURL: "http://g", assistantID: "a"), ActorDefinition(name: "c", graphURL: "http://g", assistantID: "c"),
        ])
        #expect(none.actor(named: nil) == nil)
    }

    @Test func aWorkerFinishesItsJobsOnGracefulShutdownAndThenRefusesNewOnes() async throws {
        try await testGracefulShutdown { trigger in
            let store = InMemoryStore()
            let namespace = NamespaceName("acme")!
            let executor = ScriptedExecutor()
            executor.enqueue([.wait("go")] + ScriptedExecutor.completes(with: "finished"))
            let directory = NamespaceDirectory(ports: .inMemory(store))
            let runner = TaskRunner(
                store: store, executor: executor, bus: LocalTaskEventBus(directory: directory),
                ids: UUIDv7Generator(), clock: .system, logger: Logger(label: "test")
            )
            let worker = TaskWorker(runner: runner, directory: directory)
            let job = try await RuntimeHarness.storedJob(in: store, namespace: namespace)
            let running = Task { try await worker.run() }
            #expect(await worker.submit(job))
            while executor.requests.isEmpty { await Task.yield() }
            trigger.triggerGracefulShutdown()
            #expect(await worker.submit(job) == false, "no new jobs once shutting down")
            executor.open("go")
            try await running.value
            let finished = try await store.task(namespace: namespace, id: "t")
            #expect(finished?.state == .completed, "the job in flight finished")
            #expect(executor.requests.count == 1)
        }
    }
}

@Suite(.timeLimit(.minutes(2))) struct NamespaceEvictionTests {
    @Test func idleNamespacesAreEvictedAndBusyOnesKept() async throws {
        let directory = NamespaceDirectory(ports: .inMemory())
        let idle = directory.actor(for: NamespaceName("idle")!)
        let streaming = directory.actor(for: NamespaceName("streaming")!)
        let subscription = await streaming.subscribe(taskId: "t")
        // Nothing has been idle for an hour yet.
        #expect(await directory.evictIdle(olderThan: .seconds(3600)) == 0)
        #expect(directory.activeCount == 2)
        // With no idle time required, the actor without subscribers goes; the one with a stream stays.
        #expect(await directory.evictIdle(olderThan: .zero) == 1)
        #expect(directory.activeActor(for: NamespaceName("idle")!) == nil)
        #expect(directory.activeActor(for: NamespaceName("streaming")!) === streaming)
        // Taken again, a namespace gets a fresh actor.
        #expect(directory.actor(for: NamespaceName("idle")!) !== idle)
        await subscription.cancel()
        #expect(await directory.evictIdle(olderThan: .zero) == 2)
        #expect(directory.activeCount == 0)
    }
}
