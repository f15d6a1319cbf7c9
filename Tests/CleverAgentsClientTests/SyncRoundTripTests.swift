//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsClient
import CleverAgentsDomain
import CleverAgentsPostgres
import CleverAgentsRuntime
import CleverAgentsSQLite
import CleverAgentsTestSupport
import Foundation
import Logging
import Testing

/// A server namespace as the remote side of sync, through the client library over HTTP.
struct ClientRemote: SyncRemote {
    let client: A2AClient
    var identity: String { client.transport.endpointDescription }

    func push(_ request: SyncPushRequest) async throws -> SyncPushResponse { try await client.syncPush(request) }
    func pull(_ request: SyncPullRequest) async throws -> SyncPullResponse { try await client.syncPull(request) }
    func status() async throws -> SyncStatusResponse { try await client.syncStatus() }
}

/// Local-first: entities made and changed in a local SQLite store travel to a server namespace
/// (PostgreSQL, over HTTP) and back, conflicts are settled, and both sides end identical.
@Suite(.enabled(if: TestEnvironment.hasPostgres), .serialized, .timeLimit(.minutes(5))) struct SyncRoundTripTests {
    let localNamespace = NamespaceName("local")!

    func actor(_ name: String, _ assistant: String, isDefault: Bool = false) -> ActorDefinition {
        ActorDefinition(name: name, description: "\(name) actor", graphURL: "http://graphs.example:2024", assistantID: assistant, isDefault: isDefault)
    }

    /// Kind, name, deletion and synced body of every entity: what both sides must agree on.
    static func content(_ records: [EntityRecord]) -> [EntityKey: SyncEntity] {
        var result: [EntityKey: SyncEntity] = [:]
        for record in records {
            var entity = record.syncEntity
            entity.revision = 0
            entity.sequence = 0
            entity.updatedAt = nil
            result[record.key] = entity
        }
        return result
    }

    func withSides(_ body: (SQLiteStore, TestServer, NamespaceName, SyncReplicator) async throws -> Void) async throws {
        let server = try await TestServer.start()
        do {
            let namespace = try await server.createNamespace(assistant: nil)
            try await withTemporaryDirectory { directory in
                var logger = Logger(label: "local")
                logger.logLevel = .critical
                let local = try await SQLiteStore.open(path: directory.appendingPathComponent("local.sqlite").path, logger: logger)
                try await local.createNamespace(Namespace(name: localNamespace, authMode: .disabled, createdAt: .now))
                let client = A2AClient(transport: HTTPTransport(endpoint: server.endpoint(namespace.rawValue)))
                let replicator = SyncReplicator(store: local, namespace: localNamespace, remote: ClientRemote(client: client))
                try await body(local, server, namespace, replicator)
            }
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func createEditPushEditOnTheServerPullResolveAConflictAndEndIdentical() async throws {
        try await withSides { local, server, namespace, replicator in
            // Create and edit actors locally.
            try await local.putActor(actor("writer", "writer-v1", isDefault: true), in: localNamespace)
            try await local.putActor(actor("reviewer", "reviewer-v1"), in: localNamespace)
            try await local.putActor(actor("writer", "writer-v2", isDefault: true), in: localNamespace)

            // Push them to the server namespace.
            let pushed = try await replicator.push()
            #expect(Set(pushed.applied.map(\.name)) == ["writer", "reviewer"])
            #expect(try await server.store.actors(in: namespace).map(\.assistantID) == ["reviewer-v1", "writer-v2"])
            let card = try await RPCTestClient().get(server.endpoint(namespace.rawValue) + "/.well-known/agent-card.json")
            #expect(try card.json.at("skills.1.id") == "writer", "pushed actors are the namespace's skills at once")

            // Edit on the server, pull back.
            try await server.store.putActor(actor("reviewer", "reviewer-server"), in: namespace)
            let pulled = try await replicator.pull()
            #expect(pulled.applied.map(\.name) == ["reviewer"])
            #expect(try await local.actors(in: localNamespace).first { $0.name == "reviewer" }?.assistantID == "reviewer-server")

            // Both sides change the writer: a conflict, settled in the server's favour.
            try await local.putActor(actor("writer", "writer-local", isDefault: true), in: localNamespace)
            try await server.store.putActor(actor("writer", "writer-server", isDefault: true), in: namespace)
            let conflicting = try await replicator.pull()
            #expect(conflicting.conflicts.map(\.key.name) == ["writer"])
            #expect(try await replicator.push().conflicts.map(\.key.name) == ["writer"], "a stale base revision is refused by the server")
            #expect(try await local.actors(in: localNamespace).first { $0.name == "writer" }?.assistantID == "writer-local", "nothing changed")
            #expect(try await replicator.pull(prefer: .remote).conflicts.isEmpty)
            #expect(try await local.actors(in: localNamespace).first { $0.name == "writer" }?.assistantID == "writer-server")

            // Both sides change the reviewer: settled in the local store's favour.
            try await local.putActor(actor("reviewer", "reviewer-local"), in: localNamespace)
            try await server.store.putActor(actor("reviewer", "reviewer-server-2"), in: namespace)
            #expect(try await replicator.push(prefer: .local).applied.map(\.name) == ["reviewer"])

            // A local delete travels as a tombstone.
            try await local.putActor(actor("scratch", "tmp"), in: localNamespace)
            _ = try await replicator.push()
            let scratch = try #require(try await local.entity(namespace: localNamespace, key: EntityKey(kind: "actor", name: "scratch")))
            _ = try await local.applySyncBatch(
                SyncBatch(batchId: "delete-scratch", principal: "local", fingerprint: "d", items: [SyncPushItem(op: .delete, kind: "actor", name: "scratch", baseRevision: scratch.revision)]),
                namespace: localNamespace
            )
            #expect(try await replicator.push().applied.map(\.name) == ["scratch"])
            #expect(try await server.store.actors(in: namespace).map(\.name) == ["reviewer", "writer"])

            // Both sides end identical, and in step.
            #expect(try await replicator.pull().applied.isEmpty)
            #expect(try await replicator.push().applied.isEmpty)
            let localContent = Self.content(try await local.entities(namespace: localNamespace))
            let serverContent = Self.content(try await server.store.entities(namespace: namespace))
            #expect(localContent == serverContent)
            #expect(localContent.count == 3)
            #expect(try await local.actors(in: localNamespace).map { [$0.name, $0.assistantID] } == server.store.actors(in: namespace).map { [$0.name, $0.assistantID] })
            let status = try await replicator.status()
            #expect(status.localChanges == 0)
            #expect(status.pullCursor == status.remoteHead)
        }
    }

    /// Measures the sync of 1,000 entities each way (printed, not asserted: timing is a benchmark).
    @Test func aThousandEntitiesTravelBothWays() async throws {
        try await withSides { local, server, namespace, replicator in
            let items = (0..<1000).map { index in
                SyncPushItem(op: .upsert, kind: "note", name: "note-\(index)", baseRevision: 0, body: ["index": .number(Double(index)), "text": .string("note number \(index)")])
            }
            _ = try await local.applySyncBatch(SyncBatch(batchId: "seed", principal: "local", fingerprint: "seed", items: items), namespace: localNamespace)
            let clock = ContinuousClock()
            let pushStart = clock.now
            let pushed = try await replicator.push()
            let pushTime = pushStart.duration(to: clock.now)
            #expect(pushed.applied.count == 1000)
            #expect(try await server.store.syncStatus(namespace: namespace).entities == 1000)

            try await withTemporaryDirectory { directory in
                var logger = Logger(label: "second")
                logger.logLevel = .critical
                let second = try await SQLiteStore.open(path: directory.appendingPathComponent("second.sqlite").path, logger: logger)
                try await second.createNamespace(Namespace(name: localNamespace, authMode: .disabled, createdAt: .now))
                let other = SyncReplicator(store: second, namespace: localNamespace, remote: replicator.remote)
                let pullStart = clock.now
                let pulled = try await other.pull()
                let pullTime = pullStart.duration(to: clock.now)
                #expect(pulled.applied.count == 1000)
                #expect(Self.content(try await second.entities(namespace: localNamespace)) == Self.content(try await local.entities(namespace: localNamespace)))
                print("sync of 1000 entities: push \(pushTime), pull \(pullTime)")
            }
        }
    }
}
