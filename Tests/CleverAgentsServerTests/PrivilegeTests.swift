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
import CleverAgentsServer
import CleverAgentsTestSupport
import Foundation
import NIOHTTP1
import Testing

/// Each privilege escalation the security review reproduced, tried the way a tenant's admin would
/// try it against a running server: none of them may work.
@Suite(.enabled(if: TestEnvironment.hasServices), .timeLimit(.minutes(3))) struct PrivilegeTests {
    /// A namespace endpoint as one token sees it.
    struct Seat: Sendable {
        let server: TestServer
        let namespace: NamespaceName
        let token: String?

        func call(_ method: String, _ params: String = "{}") async throws -> RPCTestClient.Reply {
            try await RPCTestClient().post(
                server.endpoint(namespace.rawValue),
                body: #"{"jsonrpc":"2.0","id":1,"method":""# + method + #"","params":"# + params + "}",
                headers: [("Content-Type", "application/json")] + (token.map { [("Authorization", "Bearer \($0)")] } ?? [])
            )
        }

        /// `_cleveragents/admin/tokens/create`, returning the new token or the error answer.
        func mint(_ principal: String, role: NamespaceRole? = nil) async throws -> Result<String, RPCCallError> {
            let reply = try await call("_cleveragents/admin/tokens/create", #"{"principal":"\#(principal)"\#(role.map { #","role":"\#($0.rawValue)""# } ?? "")}"#)
            do {
                return .success(try #require(try reply.result()["token"]?.stringValue))
            } catch let error as RPCCallError {
                return .failure(error)
            }
        }
    }

    /// A namespace with its owner and admin seats, and a superadmin with a server-level token.
    struct World: Sendable {
        let server: TestServer
        let namespace: NamespaceName
        let owner: Seat
        let admin: Seat
        let ownerPrincipal: String
        let root: String
        let rootToken: String

        /// Calls a server method on `POST /` with `token`.
        func server(_ method: String, _ params: String = "{}", token: String) async throws -> RPCTestClient.Reply {
            try await RPCTestClient().post(
                server.baseURL + "/",
                body: #"{"jsonrpc":"2.0","id":1,"method":"_cleveragents/admin/"# + method + #"","params":"# + params + "}",
                headers: [("Content-Type", "application/json"), ("Authorization", "Bearer \(token)")]
            )
        }

        func seat(_ token: String?) -> Seat { Seat(server: server, namespace: namespace, token: token) }
    }

    static func withWorld(authMode: Namespace.AuthMode = .required, _ body: (World) async throws -> Void) async throws {
        let server = try await TestServer.start()
        do {
            let namespace = try await server.createNamespace(authMode: authMode)
            let ownerPrincipal = TestEnvironment.uniqueName("founder")
            let owner = try await IsolationTests.token(server, namespace, ownerPrincipal, .owner)
            let admin = try await IsolationTests.token(server, namespace, TestEnvironment.uniqueName("boss"), .admin)
            let root = TestEnvironment.uniqueName("root")
            _ = try await server.store.ensurePrincipal(Principal(id: root, isSuperadmin: true, createdAt: .now))
            let (rootText, rootRecord) = server.server.authenticator.makeToken(principal: root, namespace: nil, name: "root", expiresAt: nil)
            try await server.store.insertToken(rootRecord)
            let world = World(
                server: server,
                namespace: namespace,
                owner: Seat(server: server, namespace: namespace, token: owner),
                admin: Seat(server: server, namespace: namespace, token: admin),
                ownerPrincipal: ownerPrincipal,
                root: root,
                rootToken: rootText.text
            )
            try await body(world)
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    // MARK: Finding 1: namespace admin → superadmin

    @Test func aNamespaceAdminCannotMintATokenForTheSuperadmin() async throws {
        try await Self.withWorld { world in
            // The superadmin's id is in the namespace's own audit log, so the admin knows it.
            _ = try await world.server("namespaces/setQuota", #"{"namespace":"\#(world.namespace)","maxRunningTasks":3}"#, token: world.rootToken)
            let audit = try await world.admin.call("_cleveragents/admin/audit/list")
            #expect(audit.text.contains(world.root))

            guard case .failure(let refusal) = try await world.admin.mint(world.root) else {
                Issue.record("a namespace admin minted a token for the superadmin")
                return
            }
            #expect(refusal.error["code"]?.numberValue == Double(JSONRPCError.invalidParamsCode))
            #expect("\(refusal.error)".contains("server principal"))
            #expect(try await world.server.store.namespaces(usingPrincipal: world.root).isEmpty, "no token was stored for the superadmin")
        }
    }

    @Test func aNamespaceTokenNeverCarriesServerPowerWhateverItsPrincipal() async throws {
        try await Self.withWorld { world in
            // A namespace token of a superadmin principal (made before the rules, or by the
            // operator): it is no credential on POST /, and holds only its role in the namespace.
            let (text, record) = world.server.server.authenticator.makeToken(principal: world.root, namespace: world.namespace, name: "", expiresAt: nil)
            try await world.server.store.insertToken(record)
            let listed = try await world.server("namespaces/list", token: text.text)
            #expect(listed.status == 401)
            #expect(listed.headers.first(name: "www-authenticate")?.contains("invalid_token") == true)
            let quota = try await world.server("namespaces/setQuota", #"{"namespace":"\#(world.namespace)","maxRunningTasks":1}"#, token: text.text)
            #expect(quota.status == 401)
            let inside = try await world.seat(text.text).call("_cleveragents/admin/tokens/list")
            #expect(inside.status == 403, "the superadmin principal has no role in the namespace, so its namespace token has none")
            // The admin's own token is refused on POST / too.
            let adminToken = try #require(world.admin.token)
            #expect(try await world.server("namespaces/list", token: adminToken).status == 401)
            // The superadmin's server-level token still works there.
            #expect(try await world.server("namespaces/list", token: world.rootToken).status == 200)
        }
    }

    @Test func anAdminCannotBorrowAnOwnersPowerByMintingItsToken() async throws {
        try await Self.withWorld { world in
            guard case .failure(let refusal) = try await world.admin.mint(world.ownerPrincipal) else {
                Issue.record("an admin minted a token that acts as the owner")
                return
            }
            #expect(refusal.error["code"]?.numberValue == Double(JSONRPCError.permissionDeniedCode))
            #expect("\(refusal.error)".contains("owner"))
            // A role the admin does not hold cannot come with the token either.
            guard case .failure = try await world.admin.mint(TestEnvironment.uniqueName("newcomer"), role: .owner) else {
                Issue.record("an admin minted an owner token")
                return
            }
        }
    }

    @Test func aTokenNeverCarriesMoreThanItsMinterEvenAfterAPromotion() async throws {
        try await Self.withWorld { world in
            let carol = TestEnvironment.uniqueName("carol")
            let minted = try await world.admin.mint(carol, role: .viewer).get()
            // The owner later makes carol an owner: the admin's token for carol stays an admin's.
            #expect(try await world.owner.call("_cleveragents/admin/roleBindings/set", #"{"principal":"\#(carol)","role":"owner"}"#).status == 200)
            let token = world.seat(minted)
            #expect(try await token.call("_cleveragents/admin/audit/list").status == 200, "it acts as an admin")
            #expect(try await token.call("_cleveragents/admin/namespace/delete").status == 403, "but never as an owner")
            let grant = try await token.call("_cleveragents/admin/roleBindings/set", #"{"principal":"\#(carol)","role":"owner"}"#)
            #expect(grant.status == 403)
            // A token the owner mints for carol is an owner's.
            let ownersToken = world.seat(try await world.owner.mint(carol).get())
            #expect(try await ownersToken.call("_cleveragents/admin/roleBindings/set", #"{"principal":"\#(carol)","role":"owner"}"#).status == 200)
        }
    }

    @Test func revokingAnOwnersTokenNeedsAnOwner() async throws {
        try await Self.withWorld { world in
            let ownerToken = try #require(world.owner.token)
            let ownerTokenID = try #require(APITokenText(ownerToken)?.id)
            let revoke = try await world.admin.call("_cleveragents/admin/tokens/revoke", #"{"id":"\#(ownerTokenID)"}"#)
            #expect(revoke.status == 403)
            #expect(try await world.owner.call("_cleveragents/admin/tokens/list").status == 200, "the owner's token still works")
            // An admin revokes a member's token, and its own.
            let member = try await world.admin.mint(TestEnvironment.uniqueName("m"), role: .member).get()
            #expect(try await world.admin.call("_cleveragents/admin/tokens/revoke", #"{"id":"\#(APITokenText(member)!.id)"}"#).result()["revoked"] == true)
            let adminToken = try #require(world.admin.token)
            let adminTokenID = try #require(APITokenText(adminToken)?.id)
            #expect(try await world.admin.call("_cleveragents/admin/tokens/revoke", #"{"id":"\#(adminTokenID)"}"#).result()["revoked"] == true)
        }
    }

    // MARK: Finding 2: admin → owner through teams

    @Test func anAdminCannotClimbToOwnerThroughTeams() async throws {
        try await Self.withWorld { world in
            let boss = try #require(try await world.admin.call("_cleveragents/admin/tokens/list").result().at("tokens.1.principal")?.stringValue)
            #expect(try await world.owner.call("_cleveragents/admin/teams/create", #"{"name":"founders"}"#).status == 200)
            #expect(try await world.owner.call("_cleveragents/admin/roleBindings/set", #"{"team":"founders","role":"owner"}"#).status == 200)
            #expect(try await world.owner.call("_cleveragents/admin/teams/addMember", #"{"team":"founders","principal":"\#(world.ownerPrincipal)"}"#).status == 200)

            let join = try await world.admin.call("_cleveragents/admin/teams/addMember", #"{"team":"founders","principal":"\#(boss)"}"#)
            #expect(join.status == 403, "an admin joins a team bound to owner: \(join.text)")
            let evict = try await world.admin.call("_cleveragents/admin/teams/removeMember", #"{"team":"founders","principal":"\#(world.ownerPrincipal)"}"#)
            #expect(evict.status == 403)
            #expect(try await world.admin.call("_cleveragents/admin/teams/delete", #"{"name":"founders"}"#).status == 403)
            #expect(try await world.admin.call("_cleveragents/admin/roleBindings/delete", #"{"team":"founders"}"#).status == 403)
            // Its own team, bound to owner by an admin, is refused too.
            #expect(try await world.admin.call("_cleveragents/admin/teams/create", #"{"name":"climbers"}"#).status == 200)
            #expect(try await world.admin.call("_cleveragents/admin/roleBindings/set", #"{"team":"climbers","role":"owner"}"#).status == 403)

            #expect(try await world.admin.call("_cleveragents/admin/namespace/delete").status == 403, "the admin is still no owner")
            let teams = try await world.owner.call("_cleveragents/admin/teams/list").result()
            #expect(teams.at("teams.1.name") == "founders")
            #expect(teams.at("teams.1.members.0") == .string(world.ownerPrincipal))
            // Within its reach, the admin manages teams as before.
            #expect(try await world.admin.call("_cleveragents/admin/roleBindings/set", #"{"team":"climbers","role":"admin"}"#).status == 200)
            #expect(try await world.admin.call("_cleveragents/admin/teams/addMember", #"{"team":"climbers","principal":"\#(boss)"}"#).status == 200)
            #expect(try await world.admin.call("_cleveragents/admin/teams/delete", #"{"name":"climbers"}"#).result()["deleted"] == true)
        }
    }

    // MARK: Variants

    @Test func aNameANamespaceUsesNeverBecomesASuperadmin() async throws {
        try await Self.withWorld { world in
            let squatted = TestEnvironment.uniqueName("ops")
            _ = try await world.admin.mint(squatted, role: .viewer).get()
            let promoted = try await world.server("principals/setSuperadmin", #"{"principal":"\#(squatted)","superadmin":true}"#, token: world.rootToken)
            #expect(promoted.errorCode == JSONRPCError.invalidParamsCode)
            #expect(promoted.text.contains(world.namespace.rawValue))
            #expect(try await world.server.store.principal(id: squatted)?.isSuperadmin == false)
            // A fresh principal made on POST / can become one.
            let fresh = TestEnvironment.uniqueName("ops")
            #expect(try await world.server("principals/create", #"{"id":"\#(fresh)"}"#, token: world.rootToken).status == 200)
            #expect(try await world.server("principals/setSuperadmin", #"{"principal":"\#(fresh)","superadmin":true}"#, token: world.rootToken).status == 200)
            // ...and namespaces then cannot bind it or add it to teams.
            let bind = try await world.owner.call("_cleveragents/admin/roleBindings/set", #"{"principal":"\#(fresh)","role":"viewer"}"#)
            #expect(bind.errorCode == JSONRPCError.invalidParamsCode)
            #expect(try await world.owner.call("_cleveragents/admin/teams/create", #"{"name":"t"}"#).status == 200)
            let join = try await world.owner.call("_cleveragents/admin/teams/addMember", #"{"team":"t","principal":"\#(fresh)"}"#)
            #expect(join.errorCode == JSONRPCError.invalidParamsCode)
        }
    }

    @Test func theAnonymousOwnerOfAnOpenNamespaceStaysInside() async throws {
        try await Self.withWorld(authMode: .disabled) { world in
            let anonymous = world.seat(nil)
            guard case .failure = try await anonymous.mint(world.root) else {
                Issue.record("the anonymous caller minted a token for the superadmin")
                return
            }
            let minted = try await anonymous.mint(TestEnvironment.uniqueName("x"), role: .owner).get()
            #expect(try await world.server("namespaces/list", token: minted).status == 401)
            let elsewhere = try await world.server.createNamespace(authMode: .required)
            let foreign = try await Seat(server: world.server, namespace: elsewhere, token: minted).call("ListTasks")
            #expect(foreign.status == 401, "a token of one namespace is no credential in another")
        }
    }

    @Test func aNamespaceMadeAgainUnderTheSameNameSeesNoneOfTheOldAuditLog() async throws {
        try await Self.withWorld { world in
            _ = try await world.owner.mint(TestEnvironment.uniqueName("leaver"), role: .member).get()
            #expect(try await world.owner.call("_cleveragents/admin/namespace/delete").result()["deleted"] == true)
            let recreated = try await world.server("namespaces/create", #"{"name":"\#(world.namespace)"}"#, token: world.rootToken)
            #expect(recreated.status == 200)
            let newOwner = try await IsolationTests.token(world.server, world.namespace, TestEnvironment.uniqueName("heir"), .owner)
            let entries = try await world.seat(newOwner).call("_cleveragents/admin/audit/list").result()["entries"]?.arrayValue ?? []
            // Newest first: the heir's token, and the namespace's creation; nothing of the old one.
            let actions = entries.compactMap { $0["action"]?.stringValue }
            #expect(actions == ["tokens.create", "namespaces.create"])
            #expect(!entries.contains { $0["actor"]?.stringValue == world.ownerPrincipal }, "the old owner's actions went with the old namespace")
        }
    }
}
