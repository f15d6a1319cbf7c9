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
import Foundation
import Logging
import Synchronization
import Testing

/// The administration service's refusals of bad params and unknown names, and what its answers
/// carry, on the in-memory stores (the stores themselves are proven by the store contract tests).
@Suite(.timeLimit(.minutes(2))) struct AdminServiceRefusalTests {
    /// Timestamps from now on, one millisecond apart.
    final class Ticks: Sendable {
        private let last = Mutex(A2ATimestamp.now.millisecondsSinceEpoch)

        func next() -> A2ATimestamp {
            last.withLock { value in
                value += 1
                return A2ATimestamp(millisecondsSinceEpoch: value)
            }
        }
    }

    struct Fixture {
        let store = InMemoryStore()
        let identities = InMemoryIdentityStore()
        let queue: MemoryTaskQueue?
        let admin: AdminService
        let namespace = NamespaceName("acme")!

        init(withQueue: Bool = false) async throws {
            queue = withQueue ? MemoryTaskQueue(store: store) : nil
            // A clock that moves one millisecond per reading: records made one after the other
            // never share a timestamp, so creation order is observable.
            let ticks = Ticks()
            let clock = A2ATimestampSource { ticks.next() }
            admin = AdminService(
                namespaces: store, identities: identities,
                authenticator: Authenticator(identities: identities, pepper: Array(repeating: 4, count: 32), clock: clock),
                secrets: try AESGCMSecretBox(keyMaterial: Array(repeating: 3, count: 32)), directory: NamespaceDirectory(ports: .inMemory()), clock: clock,
                production: false, queue: queue, logger: Logger(label: "test-admin")
            )
            try await store.createNamespace(Namespace(name: namespace, createdAt: .now))
        }

        func context(_ principal: String = "boss", _ role: NamespaceRole? = .owner, in namespace: NamespaceName? = nil, superadmin: Bool = false)
            -> RequestContext
        {
            RequestContext(
                namespace: namespace ?? self.namespace, caller: Caller(principalID: principal, role: role, isSuperadmin: superadmin), requestID: "test")
        }

        var root: RequestContext { context("root", nil, superadmin: true) }

        /// The error `call` fails with.
        func refusal(_ call: AdminCall, _ context: RequestContext? = nil) async -> JSONRPCError? {
            do {
                let result = try await admin.handle(call, context: context ?? self.context())
                Issue.record("expected a refusal, got \(result)")
                return nil
            } catch let error as JSONRPCError {
                return error
            } catch {
                Issue.record("expected a JSON-RPC error, got \(error)")
                return nil
            }
        }
    }

    /// The field a refusal names, from its `BadRequest` detail.
    static func field(_ error: JSONRPCError?) -> String? {
        error?.data?.first?.at("fieldViolations.0.field")?.stringValue
    }

    static func decode(_ operation: String, params: String? = nil) throws -> Result<AdminCall, JSONRPCError> {
        let member = params.map { #", "params": \#($0)"# } ?? ""
        let json = #"{"jsonrpc": "2.0", "id": 1, "method": "_cleveragents/admin/\#(operation)"\#(member)}"#
        return try JSONDecoder().decode(JSONRPCRequest<AdminCall>.self, from: Data(json.utf8)).call
    }

    @Test func everyOperationWithParamsRefusesACallWithoutThem() throws {
        // Written out here rather than read from the code: the operations whose params are required.
        let needParams: Set<String> = [
            "tokens/create", "tokens/revoke", "roleBindings/set", "roleBindings/delete", "teams/create", "teams/delete",
            "teams/addMember", "teams/removeMember", "actors/put", "actors/delete", "namespaces/create", "namespaces/setQuota",
            "principals/create", "principals/setSuperadmin",
        ]
        for operation in AdminCall.operationNames {
            switch try Self.decode(operation) {
            case .failure(let error):
                #expect(needParams.contains(operation), "\(operation) needs no params")
                #expect(error.code == JSONRPCError.invalidParamsCode, "\(operation)")
                #expect(error.message == "Invalid params: params is required", "\(operation)")
            case .success(let call):
                #expect(!needParams.contains(operation), "\(operation) was decoded without params")
                #expect(call.methodName == AdminCall.prefix + operation)
            }
        }
        // Without params the audit list takes its defaults.
        #expect(try Self.decode("audit/list").get() == .listAudit(AuditParams()))
        #expect(try Self.decode("audit/list", params: "null").get() == .listAudit(AuditParams()))
    }

    @Test func aQuotaCallDecodesToItsParams() throws {
        #expect(
            try Self.decode("namespaces/setQuota", params: #"{"namespace": "acme", "maxRunningTasks": 5}"#).get()
                == .setNamespaceQuota(NamespaceQuotaParams(namespace: "acme", maxRunningTasks: 5)))
        #expect(
            try Self.decode("namespaces/setQuota", params: #"{"namespace": "acme", "maxRunningTasks": null}"#).get()
                == .setNamespaceQuota(NamespaceQuotaParams(namespace: "acme", maxRunningTasks: nil)))
        let call = AdminCall.setNamespaceQuota(NamespaceQuotaParams(namespace: "acme", maxRunningTasks: 1))
        #expect(call.isServerLevel)
        #expect(call.permission == .manageServer)
    }

    @Test func aNamespaceIsCreatedOnlyUnderANamespaceName() async throws {
        let fixture = try await Fixture()
        let error = await fixture.refusal(.createNamespace(CreateNamespaceParams(name: "Not A Name")), fixture.root)
        #expect(error?.code == JSONRPCError.invalidParamsCode)
        #expect(Self.field(error) == "name")
        #expect(error?.message.contains("'Not A Name' is not a namespace name") == true)
        #expect(try await fixture.store.allNamespaces().map(\.name) == [fixture.namespace], "nothing was created")
    }

    @Test func aQuotaIsCheckedBeforeItReachesTheQueue() async throws {
        let fixture = try await Fixture(withQueue: true)
        let queue = try #require(fixture.queue)
        let badName = await fixture.refusal(.setNamespaceQuota(NamespaceQuotaParams(namespace: "Bad Name", maxRunningTasks: 2)), fixture.root)
        #expect(badName?.code == JSONRPCError.invalidParamsCode)
        #expect(Self.field(badName) == "namespace")
        for limit in [0, 100_001, -3] {
            let outOfRange = await fixture.refusal(.setNamespaceQuota(NamespaceQuotaParams(namespace: "acme", maxRunningTasks: limit)), fixture.root)
            #expect(outOfRange?.code == JSONRPCError.invalidParamsCode)
            #expect(Self.field(outOfRange) == "maxRunningTasks")
        }
        #expect(queue.limit(of: fixture.namespace) == nil, "no refused quota was set")
        let unknown = await fixture.refusal(.setNamespaceQuota(NamespaceQuotaParams(namespace: "nowhere", maxRunningTasks: 2)), fixture.root)
        #expect(unknown?.code == JSONRPCError.namespaceNotFoundCode)
        #expect(unknown?.message == "Namespace 'nowhere' not found")
        #expect(try await fixture.identities.audit(namespace: fixture.namespace, limit: 10).isEmpty, "refusals are not audited")
        #expect(try await fixture.identities.audit(namespace: NamespaceName("nowhere")!, limit: 10).isEmpty)
    }

    @Test func aQuotaSetOrClearedIsAnsweredAndAudited() async throws {
        let fixture = try await Fixture(withQueue: true)
        let queue = try #require(fixture.queue)
        let set = try await fixture.admin.handle(.setNamespaceQuota(NamespaceQuotaParams(namespace: "acme", maxRunningTasks: 100_000)), context: fixture.root)
        #expect(set == ["namespace": "acme", "maxRunningTasks": 100_000])
        #expect(queue.limit(of: fixture.namespace) == 100_000)
        let cleared = try await fixture.admin.handle(.setNamespaceQuota(NamespaceQuotaParams(namespace: "acme", maxRunningTasks: nil)), context: fixture.root)
        #expect(cleared == ["namespace": "acme", "maxRunningTasks": .null], "null: the server default")
        #expect(queue.limit(of: fixture.namespace) == nil)
        let audit = try await fixture.identities.audit(namespace: fixture.namespace, limit: 10)
        #expect(Set(audit.map(\.action)) == ["namespaces.setQuota"])
        #expect(Set(audit.map { $0.details["maxRunningTasks"] }) == [.null, 100_000])
    }

    @Test func aServerWithoutASharedQueueDoesNotSupportQuotas() async throws {
        let fixture = try await Fixture()
        let error = await fixture.refusal(.setNamespaceQuota(NamespaceQuotaParams(namespace: "acme", maxRunningTasks: 2)), fixture.root)
        #expect(error?.code == JSONRPCError.unsupportedOperationCode)
    }

    @Test func onlyAKnownPrincipalBecomesASuperadmin() async throws {
        let fixture = try await Fixture()
        let error = await fixture.refusal(.setSuperadmin(SuperadminParams(principal: "ghost", superadmin: true)), fixture.root)
        #expect(error?.code == JSONRPCError.invalidParamsCode)
        #expect(Self.field(error) == "principal")
        #expect(error?.message.contains("no principal 'ghost'") == true)
        #expect(try await fixture.identities.principal(id: "ghost") == nil, "not created on the way")
    }

    @Test func aPrincipalThatNamespacesUseCannotBecomeASuperadmin() async throws {
        let fixture = try await Fixture()
        let beta = NamespaceName("beta")!
        let gamma = NamespaceName("gamma")!
        for name in [beta, gamma] { try await fixture.store.createNamespace(Namespace(name: name, createdAt: .now)) }
        _ = try await fixture.admin.handle(.createPrincipal(CreatePrincipalParams(id: "carol")), context: fixture.root)
        // A role in acme, a team membership in beta, a token in gamma: each ties carol to a namespace.
        _ = try await fixture.admin.handle(.setRoleBinding(RoleBindingParams(principal: "carol", role: .member)), context: fixture.context())
        _ = try await fixture.admin.handle(.createTeam(NameParams(name: "ops")), context: fixture.context(in: beta))
        _ = try await fixture.admin.handle(.addTeamMember(TeamMemberParams(team: "ops", principal: "carol")), context: fixture.context(in: beta))
        _ = try await fixture.admin.handle(.createToken(CreateTokenParams(principal: "carol")), context: fixture.context(in: gamma))
        // Someone else's token does not count.
        _ = try await fixture.admin.handle(.createToken(CreateTokenParams(principal: "dave")), context: fixture.context())
        let error = await fixture.refusal(.setSuperadmin(SuperadminParams(principal: "carol", superadmin: true)), fixture.root)
        #expect(error?.code == JSONRPCError.invalidParamsCode)
        #expect(error?.message.contains("'carol' has tokens or roles in namespaces (acme, beta, gamma)") == true)
        #expect(try await fixture.identities.principal(id: "carol")?.isSuperadmin == false)
        // Taking the power away needs no such check.
        let lowered = try await fixture.admin.handle(.setSuperadmin(SuperadminParams(principal: "carol", superadmin: false)), context: fixture.root)
        #expect(lowered == ["principal": "carol", "superadmin": false])
    }

    @Test func aTokenIsRefusedForABadPrincipalAPastExpiryOrALongName() async throws {
        let fixture = try await Fixture()
        let cases: [(CreateTokenParams, String)] = [
            (CreateTokenParams(principal: "Not Valid!"), "principal"),
            (CreateTokenParams(principal: "alice", expiresAt: A2ATimestamp(millisecondsSinceEpoch: 1_000)), "expiresAt"),
            (CreateTokenParams(principal: "alice", name: String(repeating: "n", count: 201)), "name"),
        ]
        for (params, field) in cases {
            let error = await fixture.refusal(.createToken(params))
            #expect(error?.code == JSONRPCError.invalidParamsCode)
            #expect(Self.field(error) == field)
        }
        #expect(try await fixture.identities.tokens(namespace: fixture.namespace).isEmpty)
        #expect(try await fixture.identities.principal(id: "alice") == nil, "a refused token creates no principal")
        // A name of exactly 200 characters is allowed.
        let created = try await fixture.admin.handle(
            .createToken(CreateTokenParams(principal: "alice", name: String(repeating: "n", count: 200))), context: fixture.context())
        #expect(created["name"]?.stringValue?.count == 200)
    }

    @Test func anActorNeedsAnAssistantIdAndATimeoutWithinADay() async throws {
        let fixture = try await Fixture()
        var empty = ActorParams(name: "writer", graphUrl: "https://graphs.example.com", assistantId: "")
        var long = empty
        long.assistantId = String(repeating: "a", count: 257)
        var quick = ActorParams(name: "writer", graphUrl: "https://graphs.example.com", assistantId: "w")
        quick.runTimeoutSeconds = 0
        var slow = quick
        slow.runTimeoutSeconds = 86_401
        for (params, field) in [(empty, "assistantId"), (long, "assistantId"), (quick, "runTimeoutSeconds"), (slow, "runTimeoutSeconds")] {
            let error = await fixture.refusal(.putActor(params))
            #expect(error?.code == JSONRPCError.invalidParamsCode)
            #expect(Self.field(error) == field)
        }
        #expect(try await fixture.store.actors(in: fixture.namespace).isEmpty)
        empty.assistantId = String(repeating: "a", count: 256)
        slow.runTimeoutSeconds = 86_400
        slow.name = "slow"
        _ = try await fixture.admin.handle(.putActor(empty), context: fixture.context())
        _ = try await fixture.admin.handle(.putActor(slow), context: fixture.context())
        #expect(try await fixture.store.actors(in: fixture.namespace).map(\.name).sorted() == ["slow", "writer"], "the bounds themselves are allowed")
    }

    @Test func anActorIsAnsweredAndListedWithEveryOptionalSetting() async throws {
        let fixture = try await Fixture()
        var params = ActorParams(name: "writer", graphUrl: "https://graphs.example.com", assistantId: "w")
        params.description = "Writes"
        params.tags = ["prose"]
        params.examples = ["write a haiku", "write a limerick"]
        params.config = ["recursion_limit": 10]
        params.context = ["tone": "dry"]
        params.streamModes = ["values", "messages"]
        params.runTimeoutSeconds = 90
        params.apiKey = "sk-secret"
        let expected: JSONValue = [
            "name": "writer", "description": "Writes", "graphUrl": "https://graphs.example.com", "assistantId": "w", "isDefault": false,
            "hasApiKey": true, "tags": ["prose"], "examples": ["write a haiku", "write a limerick"], "config": ["recursion_limit": 10],
            "context": ["tone": "dry"], "streamModes": ["values", "messages"], "runTimeoutSeconds": 90,
        ]
        let answer = try await fixture.admin.handle(.putActor(params), context: fixture.context())
        #expect(answer == expected)
        let list = try await fixture.admin.handle(.listActors, context: fixture.context())
        #expect(list == ["actors": [expected]])
        #expect(!"\(list)".contains("sk-secret"), "the key is never shown")
    }

    @Test func aTeamIsCreatedOnlyUnderAValidName() async throws {
        let fixture = try await Fixture()
        let error = await fixture.refusal(.createTeam(NameParams(name: "Ops Team")))
        #expect(error?.code == JSONRPCError.invalidParamsCode)
        #expect(Self.field(error) == "name")
        #expect(try await fixture.identities.teams(namespace: fixture.namespace).isEmpty)
    }

    @Test func listsAreOrderedAndShowRevocations() async throws {
        let fixture = try await Fixture()
        let first = try await fixture.admin.handle(.createToken(CreateTokenParams(principal: "zed", name: "one")), context: fixture.context())
        let second = try await fixture.admin.handle(.createToken(CreateTokenParams(principal: "amy", name: "two")), context: fixture.context())
        let firstID = try #require(first["id"]?.stringValue)
        _ = try await fixture.admin.handle(.revokeToken(IDParams(id: firstID)), context: fixture.context())
        let tokens = try await fixture.admin.handle(.listTokens, context: fixture.context())
        #expect(tokens.at("tokens.0.id") == first["id"], "in creation order")
        #expect(tokens.at("tokens.1.id") == second["id"])
        #expect(tokens.at("tokens.0.revokedAt")?.stringValue != nil)
        #expect(tokens.at("tokens.1.revokedAt") == nil, "only the revoked token says so")

        _ = try await fixture.admin.handle(.createTeam(NameParams(name: "ops")), context: fixture.context())
        _ = try await fixture.admin.handle(.setRoleBinding(RoleBindingParams(principal: "zed", role: .viewer)), context: fixture.context())
        _ = try await fixture.admin.handle(.setRoleBinding(RoleBindingParams(team: "ops", role: .member)), context: fixture.context())
        _ = try await fixture.admin.handle(.setRoleBinding(RoleBindingParams(principal: "amy", role: .member)), context: fixture.context())
        let bindings = try await fixture.admin.handle(.listRoleBindings, context: fixture.context())
        #expect(
            bindings == [
                "roleBindings": [["principal": "amy", "role": "member"], ["principal": "zed", "role": "viewer"], ["team": "ops", "role": "member"]]
            ])
    }

    @Test func aDeletedNamespaceTakesItsTokensAndNoOtherNamespaces() async throws {
        let fixture = try await Fixture()
        let other = NamespaceName("other")!
        try await fixture.store.createNamespace(Namespace(name: other, createdAt: .now))
        _ = try await fixture.admin.handle(.createToken(CreateTokenParams(principal: "alice")), context: fixture.context())
        let kept = try await fixture.admin.handle(.createToken(CreateTokenParams(principal: "alice")), context: fixture.context(in: other))
        let deleted = try await fixture.admin.handle(.deleteNamespace, context: fixture.context())
        #expect(deleted == ["deleted": true])
        #expect(try await fixture.identities.tokens(namespace: fixture.namespace).isEmpty)
        #expect(try await fixture.identities.tokens(namespace: other).map(\.id) == [kept["id"]?.stringValue])
        await #expect(throws: ServiceError.namespaceNotFound("acme")) {
            try await fixture.admin.handle(.getNamespace, context: fixture.context())
        }
    }

    @Test func theAuditListTakesOneToAThousandEntries() async throws {
        let fixture = try await Fixture()
        for limit in [0, 1001] {
            let error = await fixture.refusal(.listAudit(AuditParams(limit: limit)))
            #expect(Self.field(error) == "limit")
        }
        _ = try await fixture.admin.handle(.createTeam(NameParams(name: "a")), context: fixture.context())
        _ = try await fixture.admin.handle(.createTeam(NameParams(name: "b")), context: fixture.context())
        let one = try await fixture.admin.handle(.listAudit(AuditParams(limit: 1)), context: fixture.context())
        #expect(one["entries"]?.arrayValue?.count == 1)
    }
}
