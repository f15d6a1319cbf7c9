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
import Testing

@Suite(.timeLimit(.minutes(2))) struct SyncServiceTests {
    let store = InMemoryStore()
    let namespace = NamespaceName("sync-test")!

    func makeService() async throws -> SyncService {
        try await store.createNamespace(Namespace(name: namespace, authMode: .disabled, createdAt: .init(millisecondsSinceEpoch: 1)))
        return SyncService(entities: store, namespaces: store, directory: NamespaceDirectory(ports: .inMemory()))
    }

    func context(_ role: NamespaceRole?, principal: String = "alice") -> RequestContext {
        RequestContext(namespace: namespace, caller: Caller(principalID: principal, role: role), requestID: "t")
    }

    static func actorBody(_ name: String, assistant: String = "echo") throws -> JSONObject {
        try ActorDefinition(name: name, graphURL: "http://graphs.example", assistantID: assistant).entityBody()
    }

    func push(_ service: SyncService, _ items: [SyncPushItem], batch: String = "b-\(UInt64.random(in: 0...UInt64.max))", role: NamespaceRole = .admin) async throws -> SyncPushResponse {
        guard case .push(let response) = try await service.handle(.push(SyncPushRequest(batchId: batch, items: items)), context: context(role)) else {
            throw RPCCallError(error: "not a push response")
        }
        return response
    }

    func pull(_ service: SyncService, after cursor: Int64 = 0, pageSize: Int? = nil) async throws -> SyncPullResponse {
        guard case .pull(let response) = try await service.handle(.pull(SyncPullRequest(cursor: cursor, pageSize: pageSize)), context: context(.viewer)) else {
            throw RPCCallError(error: "not a pull response")
        }
        return response
    }

    @Test func pushAppliesUpsertsAndDeletesAndPullReturnsThemInLogOrderWithTombstones() async throws {
        let service = try await makeService()
        let created = try await push(service, [
            SyncPushItem(op: .upsert, kind: "actor", name: "writer", baseRevision: 0, body: try Self.actorBody("writer")),
            SyncPushItem(op: .upsert, kind: "note", name: "Read me first", baseRevision: 0, body: ["text": "hi"]),
        ])
        #expect(created.results.map(\.status) == [.applied, .applied])
        #expect(created.results.map(\.revision) == [1, 1])
        #expect(created.head == 2)
        let deleted = try await push(service, [SyncPushItem(op: .delete, kind: "note", name: "Read me first", baseRevision: 1)])
        #expect(deleted.results.first?.status == .applied)
        #expect(deleted.results.first?.revision == 2)

        let all = try await pull(service)
        #expect(all.changes.map(\.name) == ["writer", "Read me first"])
        #expect(all.changes.map(\.sequence) == [1, 3])
        #expect(all.changes.last?.deleted == true)
        #expect(all.changes.last?.body == nil, "a tombstone carries no body")
        #expect(all.nextCursor == 3)
        #expect(all.hasMore == false)
        #expect(all.head == 3)
        #expect(try await pull(service, after: 3).changes.isEmpty)
        #expect(try await pull(service, after: 3).nextCursor == 3)

        let paged = try await pull(service, pageSize: 1)
        #expect(paged.changes.map(\.name) == ["writer"])
        #expect(paged.hasMore)
        #expect(try await pull(service, after: paged.nextCursor, pageSize: 1).changes.map(\.name) == ["Read me first"])

        guard case .status(let status) = try await service.handle(.status(SyncStatusRequest()), context: context(.viewer)) else {
            Issue.record("not a status")
            return
        }
        #expect(status == SyncStatusResponse(head: 3, entities: 1, tombstones: 1, kinds: ["actor": 1]))
    }

    @Test func aStaleBaseRevisionIsAConflictPerItemUnlessForced() async throws {
        let service = try await makeService()
        _ = try await push(service, [SyncPushItem(op: .upsert, kind: "note", name: "a", baseRevision: 0, body: ["v": 1])])
        _ = try await push(service, [SyncPushItem(op: .upsert, kind: "note", name: "a", baseRevision: 1, body: ["v": 2])])
        let stale = try await push(service, [
            SyncPushItem(op: .upsert, kind: "note", name: "a", baseRevision: 1, body: ["v": 3]),
            SyncPushItem(op: .upsert, kind: "note", name: "b", baseRevision: 0, body: ["v": 1]),
        ])
        #expect(stale.results.map(\.status) == [.conflict, .applied], "the conflict does not hold back the other item")
        #expect(stale.results.first?.revision == 2)
        #expect(stale.results.first?.current?.body == ["v": 2])
        #expect(try await store.entity(namespace: namespace, key: EntityKey(kind: "note", name: "a"))?.body == ["v": 2])

        let same = try await push(service, [SyncPushItem(op: .upsert, kind: "note", name: "a", baseRevision: 1, body: ["v": 2])])
        #expect(same.results.first?.status == .unchanged, "pushing what is stored agrees, whatever the base")

        let forced = try await push(service, [SyncPushItem(op: .upsert, kind: "note", name: "a", baseRevision: 1, body: ["v": 3], force: true)])
        #expect(forced.results.first?.status == .applied)
        #expect(forced.results.first?.revision == 3)
        let staleDelete = try await push(service, [SyncPushItem(op: .delete, kind: "note", name: "a", baseRevision: 2)])
        #expect(staleDelete.results.first?.status == .conflict)
        let missingDelete = try await push(service, [SyncPushItem(op: .delete, kind: "note", name: "never", baseRevision: 0)])
        #expect(missingDelete.results.first?.status == .unchanged)
    }

    @Test func aRetriedBatchIsAppliedOnceAndAReusedIdIsRefused() async throws {
        let service = try await makeService()
        let items = [SyncPushItem(op: .upsert, kind: "note", name: "a", baseRevision: 0, body: ["v": 1])]
        let first = try await push(service, items, batch: "batch-1")
        let retried = try await push(service, items, batch: "batch-1")
        #expect(first.replayed == false)
        #expect(retried.replayed)
        #expect(retried.results == first.results)
        #expect(try await store.entity(namespace: namespace, key: EntityKey(kind: "note", name: "a"))?.revision == 1)
        #expect(try await store.syncStatus(namespace: namespace).head == 1)
        await #expect(throws: JSONRPCError.self) {
            _ = try await push(service, [SyncPushItem(op: .upsert, kind: "note", name: "a", baseRevision: 1, body: ["v": 2])], batch: "batch-1")
        }
    }

    @Test func viewersPullAndAdminsPush() async throws {
        let service = try await makeService()
        let push = SyncMethodCall.push(SyncPushRequest(batchId: "b", items: []))
        await #expect(throws: PermissionDenied(.pushEntities)) {
            _ = try await service.handle(push, context: context(.member))
        }
        await #expect(throws: PermissionDenied(.pullEntities)) {
            _ = try await service.handle(.pull(SyncPullRequest()), context: context(nil))
        }
        _ = try await service.handle(.pull(SyncPullRequest()), context: context(.viewer))
        _ = try await service.handle(push, context: context(.admin))
        let superadmin = RequestContext(namespace: namespace, caller: Caller(principalID: "root", role: nil, isSuperadmin: true), requestID: "t")
        _ = try await service.handle(push, context: superadmin)
        #expect(PermissionDenied(SyncMethod.status.permission).requiredRole == .viewer)
        #expect(PermissionDenied(SyncMethod.push.permission).requiredRole == .admin)
    }

    @Test(arguments: [SyncMethod.push, .pull, .status])
    func theRoleNamedInTheErrorIsTheLowestThatHoldsThePermission(method: SyncMethod) {
        let required = try? #require(PermissionDenied(method.permission).requiredRole)
        for role in NamespaceRole.allCases {
            #expect(role.permissions.contains(method.permission) == (required.map { role >= $0 } ?? false), "\(role)")
        }
        let error = JSONRPCError.permissionDenied(PermissionDenied(method.permission))
        #expect(error.message.contains("the role '\(required?.rawValue ?? "")' or higher"))
    }

    @Test(arguments: [
        (SyncPushItem(op: .upsert, kind: "Bad Kind", name: "a", baseRevision: 0, body: [:]), "items[0].kind"),
        (SyncPushItem(op: .upsert, kind: "actor", name: "Not Valid", baseRevision: 0, body: [:]), "items[0].name"),
        (SyncPushItem(op: .upsert, kind: "note", name: "a", baseRevision: 0), "items[0].body"),
        (SyncPushItem(op: .delete, kind: "note", name: "a", baseRevision: 0, body: [:]), "items[0].body"),
        (SyncPushItem(op: .upsert, kind: "note", name: "a", baseRevision: -1, body: [:]), "items[0].baseRevision"),
        (SyncPushItem(op: .upsert, kind: "actor", name: "w", baseRevision: 0, body: ["name": "w"]), "items[0].body"),
        (SyncPushItem(op: .upsert, kind: "actor", name: "w", baseRevision: 0, body: ["apiKey": ["sealed": "v1:x"]]), "items[0].body.apiKey"),
    ])
    func invalidItemsRejectTheWholeBatchNamingTheField(item: SyncPushItem, field: String) async throws {
        let service = try await makeService()
        do {
            _ = try await push(service, [item])
            Issue.record("expected invalid params for \(field)")
        } catch let error as JSONRPCError {
            #expect(error.code == JSONRPCError.invalidParamsCode)
            #expect(error.message.contains("'\(field)"), "\(error.message)")
        }
        #expect(try await store.syncStatus(namespace: namespace).head == 0)
    }

    @Test func actorBodiesMustBeActorsNamedLikeTheirItem() async throws {
        let service = try await makeService()
        var body = try Self.actorBody("other")
        await #expect(throws: JSONRPCError.self) {
            _ = try await push(service, [SyncPushItem(op: .upsert, kind: "actor", name: "writer", baseRevision: 0, body: body)])
        }
        body = try Self.actorBody("writer")
        body["graphURL"] = "ftp://nope"
        await #expect(throws: JSONRPCError.self) {
            _ = try await push(service, [SyncPushItem(op: .upsert, kind: "actor", name: "writer", baseRevision: 0, body: body)])
        }
        let twice = SyncPushItem(op: .upsert, kind: "note", name: "a", baseRevision: 0, body: [:])
        await #expect(throws: JSONRPCError.self) { _ = try await push(service, [twice, twice]) }
    }

    @Test func anActorBodyNeedsOnlyItsNameGraphURLAndAssistant() async throws {
        let service = try await makeService()
        let body: JSONObject = ["name": "minimal", "graphURL": "http://graphs.example", "assistantID": "echo"]
        let response = try await push(service, [SyncPushItem(op: .upsert, kind: "actor", name: "minimal", baseRevision: 0, body: body)])
        #expect(response.results.first?.status == .applied)
        let actor = try #require(try await store.actors(in: namespace).first { $0.name == "minimal" })
        var expected = ActorDefinition(name: "minimal", graphURL: "http://graphs.example", assistantID: "echo")
        expected.updatedAt = actor.updatedAt
        #expect(actor == expected, "the defaults of actors/put")
        // Without its assistant it is still refused, naming the field.
        let missing = await #expect(throws: JSONRPCError.self) {
            _ = try await push(service, [SyncPushItem(op: .upsert, kind: "actor", name: "w", baseRevision: 0, body: ["name": "w", "graphURL": "http://graphs.example"])])
        }
        #expect(missing?.message.contains("assistantID") == true, "\(String(describing: missing))")
    }

    @Test func aPushedActorIsUsableAtOnceAndKeepsTheStoredSecret() async throws {
        let service = try await makeService()
        let sealed = SealedSecret(sealed: "v1:secret")
        try await store.putActor(ActorDefinition(name: "writer", graphURL: "http://graphs.example", assistantID: "a1", apiKey: sealed), in: namespace)
        let before = try #require(try await store.entity(namespace: namespace, key: EntityKey(kind: "actor", name: "writer")))
        #expect(before.syncEntity.body?["apiKey"] == nil, "secrets never leave by sync")
        let response = try await push(service, [SyncPushItem(op: .upsert, kind: "actor", name: "writer", baseRevision: 1, body: try Self.actorBody("writer", assistant: "a2"))])
        #expect(response.results.first?.status == .applied)
        let actor = try #require(try await store.actors(in: namespace).first)
        #expect(actor.assistantID == "a2")
        #expect(actor.apiKey == sealed)
    }

    @Test func aPushThatMovesAnActorElsewhereDropsItsKey() async throws {
        let service = try await makeService()
        let sealed = SealedSecret(sealed: "v2:secret")
        try await store.putActor(ActorDefinition(name: "writer", graphURL: "http://graphs.example", assistantID: "a1", apiKey: sealed), in: namespace)
        var body = try Self.actorBody("writer")
        body["graphURL"] = "http://listener.example"
        let response = try await push(service, [SyncPushItem(op: .upsert, kind: "actor", name: "writer", baseRevision: 1, body: body)])
        #expect(response.results.first?.status == .applied)
        let actor = try #require(try await store.actors(in: namespace).first)
        #expect(actor.graphURL == "http://listener.example")
        #expect(actor.apiKey == nil, "the key stays with the URL it was given for")
    }

    @Test func theTenantMustMatchAndTheNamespaceMustExist() async throws {
        let service = try await makeService()
        await #expect(throws: JSONRPCError.self) {
            _ = try await service.handle(.status(SyncStatusRequest(tenant: "elsewhere")), context: context(.owner))
        }
        let missing = RequestContext(namespace: NamespaceName("missing")!, caller: .anonymous, requestID: "t")
        await #expect(throws: ServiceError.namespaceNotFound("missing")) {
            _ = try await service.handle(.status(SyncStatusRequest()), context: missing)
        }
        await #expect(throws: JSONRPCError.self) { _ = try await pull(service, after: -1) }
        await #expect(throws: JSONRPCError.self) { _ = try await pull(service, pageSize: 0) }
    }
}
