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

/// A ``ServiceRemote`` that runs `duringPull` (once) after a pull page is read and before the
/// replica applies it: a local edit made while a pull is under way.
final class InterleavingRemote: SyncRemote {
    let base: ServiceRemote
    private let duringPull = Mutex<(@Sendable () async throws -> Void)?>(nil)

    init(_ base: ServiceRemote) {
        self.base = base
    }

    var identity: String { base.identity }

    func interleave(_ body: @escaping @Sendable () async throws -> Void) {
        duringPull.withLock { $0 = body }
    }

    func push(_ request: SyncPushRequest) async throws -> SyncPushResponse { try await base.push(request) }
    func status() async throws -> SyncStatusResponse { try await base.status() }

    func pull(_ request: SyncPullRequest) async throws -> SyncPullResponse {
        let page = try await base.pull(request)
        let body = duringPull.withLock { value -> (@Sendable () async throws -> Void)? in
            defer { value = nil }
            return value
        }
        try await body?()
        return page
    }
}

/// Sync between two sides that already agree, a deletion pulled from the remote, a local edit
/// that races a pull, and a pull that prefers the local copy.
@Suite(.timeLimit(.minutes(2))) struct SyncReplicatorConflictTests {
    let local = InMemoryStore()
    let server = InMemoryStore()
    let localNamespace = NamespaceName("laptop")!
    let serverNamespace = NamespaceName("team")!
    let writer = EntityKey(kind: "actor", name: "writer")

    func setUp() async throws -> (SyncReplicator, InterleavingRemote) {
        try await local.createNamespace(Namespace(name: localNamespace, authMode: .disabled, createdAt: .init(millisecondsSinceEpoch: 1)))
        try await server.createNamespace(Namespace(name: serverNamespace, authMode: .disabled, createdAt: .init(millisecondsSinceEpoch: 1)))
        let remote = InterleavingRemote(
            ServiceRemote(service: SyncService(entities: server, namespaces: server, directory: NamespaceDirectory(ports: .inMemory())), namespace: serverNamespace)
        )
        return (SyncReplicator(store: local, namespace: localNamespace, remote: remote), remote)
    }

    func actor(_ assistant: String) -> ActorDefinition {
        ActorDefinition(name: "writer", graphURL: "http://graphs.example", assistantID: assistant)
    }

    func assistant(_ store: InMemoryStore, _ namespace: NamespaceName) async throws -> String? {
        try await store.actors(in: namespace).first { $0.name == "writer" }?.assistantID
    }

    @Test func aPushOfWhatTheRemoteHoldsAlreadyChangesNothingThere() async throws {
        let (replicator, _) = try await setUp()
        // Both sides made the same actor on their own: never synced, yet identical.
        try await local.putActor(actor("w1"), in: localNamespace)
        try await server.putActor(actor("w1"), in: serverNamespace)
        let before = try await server.syncStatus(namespace: serverNamespace)

        let report = try await replicator.push()
        #expect(report.applied.isEmpty)
        #expect(report.unchanged == 1)
        #expect(report.conflicts.isEmpty)
        #expect(try await server.syncStatus(namespace: serverNamespace) == before, "no revision was made on the remote")
        #expect(try await replicator.status().localChanges == 0, "the copies are recorded as in step")
        #expect(try await replicator.push() == SyncReport(), "nothing is left to push")
    }

    @Test func aPullOfWhatTheReplicaHoldsAlreadyChangesNothingHere() async throws {
        let (replicator, _) = try await setUp()
        try await local.putActor(actor("w1"), in: localNamespace)
        try await server.putActor(actor("w1"), in: serverNamespace)
        let revision = try await local.entity(namespace: localNamespace, key: writer)?.revision

        let report = try await replicator.pull()
        #expect(report.applied.isEmpty)
        #expect(report.unchanged == 1)
        #expect(report.conflicts.isEmpty)
        #expect(try await local.entity(namespace: localNamespace, key: writer)?.revision == revision, "the local copy was not rewritten")
        let status = try await replicator.status()
        #expect(status.localChanges == 0, "and it is not a local change to push")
        #expect(status.pullCursor == status.remoteHead)
    }

    @Test func aDeletionOnTheRemoteDeletesTheLocalCopy() async throws {
        let (replicator, _) = try await setUp()
        try await local.putActor(actor("w1"), in: localNamespace)
        _ = try await replicator.push()
        _ = try await replicator.pull()
        #expect(try await server.deleteActor(named: "writer", in: serverNamespace))

        let report = try await replicator.pull()
        #expect(report.applied == [writer])
        #expect(report.conflicts.isEmpty)
        #expect(try await local.actors(in: localNamespace).isEmpty)
        #expect(try await local.entity(namespace: localNamespace, key: writer)?.deleted == true, "a tombstone, as the remote has")
        #expect(try await replicator.status().localChanges == 0, "the deletion is not pushed back")
    }

    @Test func aLocalEditMadeWhileAPullRunsIsKeptAndReportedAsAConflict() async throws {
        let (replicator, remote) = try await setUp()
        try await local.putActor(actor("w1"), in: localNamespace)
        _ = try await replicator.push()
        _ = try await replicator.pull()
        let settled = try await replicator.status().pullCursor
        try await server.putActor(actor("w-remote"), in: serverNamespace)
        // The replica has read its entities; the edit lands before it applies the remote's change.
        let local = self.local
        let localNamespace = self.localNamespace
        remote.interleave {
            try await local.putActor(ActorDefinition(name: "writer", graphURL: "http://graphs.example", assistantID: "w-local"), in: localNamespace)
        }

        let report = try await replicator.pull()
        #expect(report.applied.isEmpty)
        #expect(report.conflicts.map(\.key) == [writer])
        #expect(try await assistant(local, localNamespace) == "w-local", "the local edit is kept")
        #expect(try await replicator.status().pullCursor == settled, "the cursor stays before the conflicting change, to see it again")

        // Preferring the remote settles it.
        let settledReport = try await replicator.pull(prefer: .remote)
        #expect(settledReport.applied == [writer])
        #expect(try await assistant(local, localNamespace) == "w-remote")
    }

    @Test func aPullPreferringTheLocalCopyKeepsItAndTheNextPushSendsIt() async throws {
        let (replicator, _) = try await setUp()
        // Made on each side on its own, differently: a conflict on the first pull.
        try await local.putActor(actor("w-local"), in: localNamespace)
        try await server.putActor(actor("w-remote"), in: serverNamespace)

        let pulled = try await replicator.pull(prefer: .local)
        #expect(pulled.applied.isEmpty)
        #expect(pulled.conflicts.isEmpty, "settled in favour of the local copy")
        #expect(try await assistant(local, localNamespace) == "w-local")

        let pushed = try await replicator.push()
        #expect(pushed.applied == [writer], "on top of the remote's revision: no conflict")
        #expect(try await assistant(server, serverNamespace) == "w-local")
    }
}
