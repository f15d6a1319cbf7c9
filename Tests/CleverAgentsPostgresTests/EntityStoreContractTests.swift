//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import CleverAgentsPostgres
import CleverAgentsRuntime
import CleverAgentsTestSupport
import Testing

/// The entity and sync log contract, on the in-memory, SQLite and PostgreSQL stores alike.
@Suite(.timeLimit(.minutes(2))) struct EntityStoreContractTests {
    let contract = StoreContractTests()

    func batch(_ id: String, _ items: [SyncPushItem], principal: String = "alice") -> SyncBatch {
        SyncBatch(batchId: id, principal: principal, fingerprint: "f-\(id)-\(items.count)", items: items)
    }

    func upsert(_ name: String, base: Int64, body: JSONObject, kind: String = "note") -> SyncPushItem {
        SyncPushItem(op: .upsert, kind: kind, name: name, baseRevision: base, body: body)
    }

    @Test(arguments: StoreContractTests.backends)
    func everyChangeGetsTheNextSequenceAndPullReturnsLatestStatesInOrder(_ backend: StoreContractTests.Backend) async throws {
        try await contract.withStore(backend) { store in
            let namespace = try await StoreContractTests.makeNamespace(store)
            #expect(try await store.syncStatus(namespace: namespace) == SyncStatusResponse(head: 0, entities: 0, tombstones: 0, kinds: [:]))
            try await store.putActor(ActorDefinition(name: "a", graphURL: "http://g", assistantID: "a", isDefault: true), in: namespace)
            try await store.putActor(ActorDefinition(name: "b", graphURL: "http://g", assistantID: "b", isDefault: true), in: namespace)
            // b as default cleared a's flag: a changed too (sequence 2), then b (3).
            let actors = try await store.entities(namespace: namespace)
            #expect(actors.map(\.name) == ["a", "b"])
            #expect(actors.map(\.revision) == [2, 1])
            #expect(actors.map(\.syncSequence) == [2, 3])

            let response = try await store.applySyncBatch(batch("1", [
                upsert("n1", base: 0, body: ["v": 1]),
                upsert("a", base: 1, body: try ActorDefinition(name: "a", graphURL: "http://g", assistantID: "stale").entityBody(), kind: "actor"),
                SyncPushItem(op: .delete, kind: "actor", name: "b", baseRevision: 1),
            ]), namespace: namespace)
            #expect(response.results.map(\.status) == [.applied, .conflict, .applied])
            #expect(response.results.map(\.revision) == [1, 2, 2])
            #expect(response.results[1].current?.revision == 2)
            #expect(response.results[1].current?.body?["assistantID"] == "a")
            #expect(response.head == 5)
            #expect(response.replayed == false)

            let pulled = try await store.syncChanges(namespace: namespace, after: 2, limit: 10)
            #expect(pulled.changes.map(\.name) == ["n1", "b"])
            #expect(pulled.changes.map(\.sequence) == [4, 5])
            #expect(pulled.changes.last?.deleted == true)
            #expect(pulled.changes.last?.body == nil)
            #expect(pulled.nextCursor == 5)
            #expect(pulled.hasMore == false)
            #expect(pulled.head == 5)
            let page = try await store.syncChanges(namespace: namespace, after: 0, limit: 2)
            #expect(page.changes.map(\.name) == ["a", "n1"])
            #expect(page.hasMore)
            #expect(try await store.syncChanges(namespace: namespace, after: 5, limit: 10).changes.isEmpty)

            #expect(try await store.actors(in: namespace).map(\.name) == ["a"], "a deleted actor is gone")
            #expect(try await store.syncStatus(namespace: namespace) == SyncStatusResponse(head: 5, entities: 2, tombstones: 1, kinds: ["actor": 1, "note": 1]))
            let tombstone = try #require(try await store.entity(namespace: namespace, key: EntityKey(kind: "actor", name: "b")))
            #expect(tombstone.deleted)
            #expect(tombstone.revision == 2)

            let other = try await StoreContractTests.makeNamespace(store)
            #expect(try await store.entities(namespace: other).isEmpty, "entities are scoped by namespace")
            #expect(try await store.syncChanges(namespace: other, after: 0, limit: 10).changes.isEmpty)
            #expect(try await store.entity(namespace: other, key: EntityKey(kind: "note", name: "n1")) == nil)
        }
    }

    @Test(arguments: StoreContractTests.backends)
    func aBatchIdIsAppliedOncePerPrincipal(_ backend: StoreContractTests.Backend) async throws {
        try await contract.withStore(backend) { store in
            let namespace = try await StoreContractTests.makeNamespace(store)
            let first = try await store.applySyncBatch(batch("same", [upsert("n", base: 0, body: ["v": 1])]), namespace: namespace)
            let again = try await store.applySyncBatch(batch("same", [upsert("n", base: 0, body: ["v": 1])]), namespace: namespace)
            #expect(again.replayed)
            #expect(again.results == first.results)
            #expect(again.head == first.head)
            #expect(try await store.syncStatus(namespace: namespace).head == 1)
            await #expect(throws: SyncBatchError.batchIdReused("same")) {
                _ = try await store.applySyncBatch(SyncBatch(batchId: "same", principal: "alice", fingerprint: "other", items: []), namespace: namespace)
            }
            let bob = try await store.applySyncBatch(batch("same", [upsert("n", base: 1, body: ["v": 2])], principal: "bob"), namespace: namespace)
            #expect(bob.replayed == false, "batch ids are scoped by principal")
            #expect(bob.results.first?.revision == 2)
        }
    }

    @Test(arguments: StoreContractTests.backends)
    func recreatingOverATombstoneContinuesItsRevisions(_ backend: StoreContractTests.Backend) async throws {
        try await contract.withStore(backend) { store in
            let namespace = try await StoreContractTests.makeNamespace(store)
            _ = try await store.applySyncBatch(batch("1", [upsert("n", base: 0, body: ["v": 1])]), namespace: namespace)
            _ = try await store.applySyncBatch(batch("2", [SyncPushItem(op: .delete, kind: "note", name: "n", baseRevision: 1)]), namespace: namespace)
            let recreated = try await store.applySyncBatch(batch("3", [upsert("n", base: 0, body: ["v": 2])]), namespace: namespace)
            #expect(recreated.results.first?.status == .applied)
            #expect(recreated.results.first?.revision == 3)
            let entity = try #require(try await store.entity(namespace: namespace, key: EntityKey(kind: "note", name: "n")))
            #expect(entity.deleted == false)
            #expect(entity.body == ["v": 2])
        }
    }
}

/// The replica state of sync, on the stores that keep it.
@Suite(.timeLimit(.minutes(2))) struct SyncReplicaStoreContractTests {
    @Test(arguments: [StoreContractTests.Backend.memory, .sqlite])
    func replicaStateIsKeptPerRemoteAndNamespace(_ backend: StoreContractTests.Backend) async throws {
        let body: @Sendable (any SyncReplicaStore) async throws -> Void = { store in
            let namespace = NamespaceName("local")!
            #expect(try await store.replicaState(remote: "https://a", namespace: namespace) == SyncReplicaState())
            let key = EntityKey(kind: "actor", name: "w")
            try await store.recordSynced(remote: "https://a", namespace: namespace, pairs: [key: SyncedRevisions(remote: 3, local: 5)], pullCursor: 7)
            try await store.recordSynced(remote: "https://a", namespace: namespace, pairs: [key: SyncedRevisions(remote: 4, local: 6)], pullCursor: nil)
            let state = try await store.replicaState(remote: "https://a", namespace: namespace)
            #expect(state.pullCursor == 7)
            #expect(state.synced == [key: SyncedRevisions(remote: 4, local: 6)])
            #expect(try await store.replicaState(remote: "https://b", namespace: namespace) == SyncReplicaState())
        }
        switch backend {
        case .sqlite: try await StoreContractTests.withSQLiteStore { try await body($0) }
        default: try await body(InMemoryStore())
        }
    }
}
