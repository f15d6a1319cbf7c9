//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import CleverAgentsRuntime
import CleverAgentsTestSupport
import Synchronization
import Testing

/// A remote namespace served by a ``SyncService`` in this process (our own ports, no transport).
final class ServiceRemote: SyncRemote {
    let service: SyncService
    let namespace: NamespaceName
    let identity = "memory://server"
    /// Pushes fail once with a transport error before reaching the service, to test retries.
    let pushes = Mutex(0)

    init(service: SyncService, namespace: NamespaceName) {
        self.service = service
        self.namespace = namespace
    }

    var context: RequestContext { RequestContext(namespace: namespace, caller: .anonymous, requestID: "replica") }

    func push(_ request: SyncPushRequest) async throws -> SyncPushResponse {
        pushes.withLock { $0 += 1 }
        guard case .push(let response) = try await service.handle(.push(request), context: context) else { throw UnexpectedSyncResponse(method: "push") }
        return response
    }

    func pull(_ request: SyncPullRequest) async throws -> SyncPullResponse {
        guard case .pull(let response) = try await service.handle(.pull(request), context: context) else { throw UnexpectedSyncResponse(method: "pull") }
        return response
    }

    func status() async throws -> SyncStatusResponse {
        guard case .status(let response) = try await service.handle(.status(SyncStatusRequest()), context: context) else { throw UnexpectedSyncResponse(method: "status") }
        return response
    }
}

/// The service answered a sync method with another method's response.
struct UnexpectedSyncResponse: Error {
    var method: String
}

@Suite(.timeLimit(.minutes(2))) struct SyncReplicatorTests {
    let local = InMemoryStore()
    let server = InMemoryStore()
    let localNamespace = NamespaceName("local")!
    let serverNamespace = NamespaceName("team")!

    func setUp(batchSize: Int = 200, pageSize: Int = 500) async throws -> (SyncReplicator, ServiceRemote) {
        try await local.createNamespace(Namespace(name: localNamespace, authMode: .disabled, createdAt: .init(millisecondsSinceEpoch: 1)))
        try await server.createNamespace(Namespace(name: serverNamespace, authMode: .disabled, createdAt: .init(millisecondsSinceEpoch: 1)))
        let remote = ServiceRemote(service: SyncService(entities: server, namespaces: server, directory: NamespaceDirectory(ports: .inMemory())), namespace: serverNamespace)
        return (SyncReplicator(store: local, namespace: localNamespace, remote: remote, batchSize: batchSize, pageSize: pageSize), remote)
    }

    func actor(_ name: String, _ assistant: String, isDefault: Bool = false) -> ActorDefinition {
        ActorDefinition(name: name, graphURL: "http://graphs.example", assistantID: assistant, isDefault: isDefault)
    }

    /// What both sides must agree on: kind, name, deletion and the synced body.
    func content(_ store: InMemoryStore, _ namespace: NamespaceName) async throws -> [EntityKey: SyncEntity] {
        var result: [EntityKey: SyncEntity] = [:]
        for record in try await store.entities(namespace: namespace) {
            var entity = record.syncEntity
            entity.revision = 0
            entity.sequence = 0
            entity.updatedAt = nil
            result[record.key] = entity
        }
        return result
    }

    @Test func localChangesArePushedAndRemoteChangesPulledUntilBothSidesAreIdentical() async throws {
        let (replicator, _) = try await setUp()
        try await local.putActor(actor("writer", "w1", isDefault: true), in: localNamespace)
        try await local.putActor(actor("reviewer", "r1"), in: localNamespace)
        try await local.putActor(actor("writer", "w2", isDefault: true), in: localNamespace)

        let pushed = try await replicator.push()
        #expect(Set(pushed.applied) == [EntityKey(kind: "actor", name: "writer"), EntityKey(kind: "actor", name: "reviewer")])
        #expect(pushed.conflicts.isEmpty)
        #expect(try await server.actors(in: serverNamespace).map(\.assistantID) == ["r1", "w2"])
        #expect(try await replicator.push().applied.isEmpty, "nothing left to push")

        try await server.putActor(actor("reviewer", "r2"), in: serverNamespace)
        let pulled = try await replicator.pull()
        #expect(pulled.applied == [EntityKey(kind: "actor", name: "reviewer")])
        #expect(try await local.actors(in: localNamespace).first { $0.name == "reviewer" }?.assistantID == "r2")
        #expect(try await replicator.push().applied.isEmpty, "a pulled change is not pushed back")
        #expect(try await replicator.pull().applied.isEmpty, "nor pulled twice")

        _ = try await local.applySyncBatch(
            SyncBatch(batchId: "d", principal: "local", fingerprint: "d", items: [SyncPushItem(op: .delete, kind: "actor", name: "reviewer", baseRevision: 2)]),
            namespace: localNamespace
        )
        #expect(try await replicator.push().applied == [EntityKey(kind: "actor", name: "reviewer")])
        #expect(try await server.actors(in: serverNamespace).map(\.name) == ["writer"])
        #expect(try await content(local, localNamespace) == content(server, serverNamespace))

        let status = try await replicator.status()
        #expect(status.localChanges == 0)
        #expect(status.pullCursor <= status.remoteHead)
    }

    @Test func aConflictChangesNothingUntilASideIsPreferred() async throws {
        let (replicator, _) = try await setUp()
        try await local.putActor(actor("writer", "base"), in: localNamespace)
        _ = try await replicator.push()
        try await local.putActor(actor("writer", "mine"), in: localNamespace)
        try await server.putActor(actor("writer", "theirs"), in: serverNamespace)
        try await server.putActor(actor("other", "x"), in: serverNamespace)

        let pulled = try await replicator.pull()
        #expect(pulled.conflicts.map(\.key.name) == ["writer"])
        #expect(pulled.applied.map(\.name) == ["other"], "changes without conflict still arrive")
        #expect(try await local.actors(in: localNamespace).first { $0.name == "writer" }?.assistantID == "mine")
        let pushed = try await replicator.push()
        #expect(pushed.conflicts.map(\.key.name) == ["writer"])
        #expect(try await server.actors(in: serverNamespace).first { $0.name == "writer" }?.assistantID == "theirs")

        let settled = try await replicator.pull(prefer: .remote)
        #expect(settled.conflicts.isEmpty)
        #expect(try await local.actors(in: localNamespace).first { $0.name == "writer" }?.assistantID == "theirs")
        #expect(try await replicator.push().applied.isEmpty)
        #expect(try await content(local, localNamespace) == content(server, serverNamespace))
    }

    @Test func preferringTheLocalCopyOverwritesTheServersOnPushOrAfterPull() async throws {
        let (replicator, _) = try await setUp()
        try await local.putActor(actor("a", "base"), in: localNamespace)
        try await local.putActor(actor("b", "base"), in: localNamespace)
        _ = try await replicator.push()
        for name in ["a", "b"] {
            try await local.putActor(actor(name, "mine"), in: localNamespace)
            try await server.putActor(actor(name, "theirs"), in: serverNamespace)
        }
        // a: settled by pushing with --prefer local.
        // b: settled by pulling with --prefer local (kept), then a plain push.
        let pushed = try await replicator.push(prefer: .local)
        #expect(Set(pushed.applied.map(\.name)) == ["a", "b"])
        #expect(try await server.actors(in: serverNamespace).map(\.assistantID) == ["mine", "mine"])

        try await local.putActor(actor("b", "mine again"), in: localNamespace)
        try await server.putActor(actor("b", "theirs again"), in: serverNamespace)
        #expect(try await replicator.pull(prefer: .local).conflicts.isEmpty)
        #expect(try await local.actors(in: localNamespace).first { $0.name == "b" }?.assistantID == "mine again")
        #expect(try await replicator.push().applied.map(\.name) == ["b"])
        #expect(try await content(local, localNamespace) == content(server, serverNamespace))
    }

    @Test func pushPreferringTheServerTakesItsCopyFromTheConflict() async throws {
        let (replicator, _) = try await setUp()
        try await local.putActor(actor("a", "base"), in: localNamespace)
        _ = try await replicator.push()
        try await local.putActor(actor("a", "mine"), in: localNamespace)
        try await server.putActor(actor("a", "theirs"), in: serverNamespace)
        let report = try await replicator.push(prefer: .remote)
        #expect(report.conflicts.isEmpty)
        #expect(try await local.actors(in: localNamespace).first?.assistantID == "theirs")
        #expect(try await replicator.pull().applied.isEmpty, "already in step")
        #expect(try await content(local, localNamespace) == content(server, serverNamespace))
    }

    @Test func manyEntitiesTravelInBatchesAndPagesWithProgress() async throws {
        let (replicator, remote) = try await setUp(batchSize: 40, pageSize: 30)
        let items = (0..<100).map { SyncPushItem(op: .upsert, kind: "note", name: "n\($0)", baseRevision: 0, body: ["i": .number(Double($0))]) }
        _ = try await local.applySyncBatch(SyncBatch(batchId: "seed", principal: "local", fingerprint: "seed", items: items), namespace: localNamespace)
        let progress = Mutex<[SyncProgress]>([])
        let pushed = try await replicator.push { update in progress.withLock { $0.append(update) } }
        #expect(pushed.applied.count == 100)
        #expect(remote.pushes.withLock { $0 } == 3)
        #expect(progress.withLock { $0.map(\.done) } == [0, 40, 80, 100])
        #expect(progress.withLock { $0.allSatisfy { $0.total == 100 } })

        let other = InMemoryStore()
        try await other.createNamespace(Namespace(name: localNamespace, authMode: .disabled, createdAt: .init(millisecondsSinceEpoch: 1)))
        let second = SyncReplicator(store: other, namespace: localNamespace, remote: remote, pageSize: 30)
        let pulled = try await second.pull()
        #expect(pulled.applied.count == 100)
        #expect(try await content(other, localNamespace) == content(server, serverNamespace))
        #expect(try await other.replicaState(remote: remote.identity, namespace: localNamespace).pullCursor == 100)
    }
}
