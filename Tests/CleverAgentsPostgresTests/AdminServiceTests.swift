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
import Testing

/// The administration service on each store that serves it: the in-memory stores of the unit
/// tests, SQLite's namespaces and actors (local mode keeps identities in memory), and
/// PostgreSQL (a fresh database per test: namespaces are listed whole).
@Suite(.timeLimit(.minutes(2))) struct AdminServiceTests {
    typealias Backend = StoreContractTests.Backend

    static var backends: [Backend] { StoreContractTests.backends }

    struct Fixture {
        let namespaces: any NamespaceStore
        let identities: any IdentityStore
        let directory: NamespaceDirectory
        let admin: AdminService
        let namespace = NamespaceName("acme")!

        init(namespaces: any NamespaceStore, identities: any IdentityStore, production: Bool) async throws {
            self.namespaces = namespaces
            self.identities = identities
            self.directory = NamespaceDirectory(ports: NamespacePorts(namespaces: namespaces, identities: identities))
            let secrets = try AESGCMSecretBox(keyMaterial: Array(repeating: 3, count: 32))
            admin = AdminService(
                namespaces: namespaces, identities: identities,
                authenticator: Authenticator(identities: identities, pepper: Array(repeating: 4, count: 32)),
                secrets: secrets, directory: self.directory, production: production, logger: Logger(label: "admin-test")
            )
            try await namespaces.createNamespace(Namespace(name: namespace, createdAt: .now))
        }

        func context(_ principal: String, _ role: NamespaceRole?, superadmin: Bool = false) -> RequestContext {
            RequestContext(namespace: namespace, caller: Caller(principalID: principal, role: role, isSuperadmin: superadmin), requestID: "t")
        }
    }

    static func withFixture(_ backend: Backend, production: Bool = false, _ body: @Sendable (Fixture) async throws -> Void) async throws {
        switch backend {
        case .memory:
            try await body(Fixture(namespaces: InMemoryStore(), identities: InMemoryIdentityStore(), production: production))
        case .sqlite:
            try await StoreContractTests.withSQLiteStore { store in
                try await body(Fixture(namespaces: store, identities: store, production: production))
            }
        case .postgres:
            try await PostgresTestDatabase.withFreshDatabase { url in
                try await PostgresTestDatabase.withStore(url: url) { store, _ in
                    try await body(Fixture(namespaces: store, identities: store, production: production))
                }
            }
        }
    }

    @Test(arguments: backends)
    func anAdminCreatesATokenThatAuthenticatesWithItsRoleAndCanRevokeIt(backend: Backend) async throws {
        try await Self.withFixture(backend) { fixture in
            let result = try await fixture.admin.handle(.createToken(CreateTokenParams(principal: "alice", name: "ci", role: .member)), context: fixture.context("boss", .admin))
            let text = try #require(result["token"]?.stringValue)
            let caller = try await fixture.admin.authenticator.authenticate(text, namespace: fixture.namespace, actor: fixture.directory.actor(for: fixture.namespace))
            #expect(caller.role == .member)
            let list = try await fixture.admin.handle(.listTokens, context: fixture.context("boss", .admin))
            #expect(list.at("tokens.0.principal") == "alice")
            #expect(list.at("tokens.0.name") == "ci")
            #expect(!"\(list)".contains(APITokenText(text)!.secret), "lists never show secrets")
            let revoked = try await fixture.admin.handle(.revokeToken(IDParams(id: APITokenText(text)!.id)), context: fixture.context("boss", .admin))
            #expect(revoked["revoked"] == true)
            await #expect(throws: AuthenticationError.invalid) {
                try await fixture.admin.authenticator.authenticate(text, namespace: fixture.namespace, actor: fixture.directory.actor(for: fixture.namespace))
            }
            let audit = try await fixture.admin.handle(.listAudit(AuditParams()), context: fixture.context("boss", .admin))
            #expect(audit.at("entries.0.action") == "tokens.revoke")
            #expect(audit.at("entries.1.action") == "tokens.create")
            #expect(audit.at("entries.1.actor") == "boss")
        }
    }

    @Test(arguments: backends)
    func membersAndViewersCannotAdministerAndAdminsCannotMakeOwners(backend: Backend) async throws {
        try await Self.withFixture(backend) { fixture in
            for role in [NamespaceRole.viewer, .member] {
                await #expect(throws: PermissionDenied(.manageTokens)) {
                    try await fixture.admin.handle(.createToken(CreateTokenParams(principal: "x")), context: fixture.context("m", role))
                }
                await #expect(throws: PermissionDenied(.manageActors)) {
                    try await fixture.admin.handle(.putActor(ActorParams(name: "a", graphUrl: "http://g", assistantId: "a")), context: fixture.context("m", role))
                }
            }
            _ = try await fixture.identities.ensurePrincipal(Principal(id: "carol", createdAt: .now))
            await #expect(throws: PermissionDenied.self) {
                try await fixture.admin.handle(.setRoleBinding(RoleBindingParams(principal: "carol", role: .owner)), context: fixture.context("boss", .admin))
            }
            _ = try await fixture.admin.handle(.setRoleBinding(RoleBindingParams(principal: "carol", role: .owner)), context: fixture.context("founder", .owner))
            await #expect(throws: PermissionDenied.self, "an admin cannot demote an owner") {
                try await fixture.admin.handle(.setRoleBinding(RoleBindingParams(principal: "carol", role: .viewer)), context: fixture.context("boss", .admin))
            }
            await #expect(throws: PermissionDenied(.deleteNamespace)) {
                try await fixture.admin.handle(.deleteNamespace, context: fixture.context("boss", .admin))
            }
            await #expect(throws: PermissionDenied(.manageServer)) {
                try await fixture.admin.handle(.listNamespaces, context: fixture.context("founder", .owner))
            }
        }
    }

    @Test(arguments: backends)
    func rolesTeamsAndActorsAreManaged(backend: Backend) async throws {
        try await Self.withFixture(backend) { fixture in
            let admin = fixture.context("boss", .admin)
            _ = try await fixture.identities.ensurePrincipal(Principal(id: "dave", createdAt: .now))
            _ = try await fixture.admin.handle(.createTeam(NameParams(name: "ops")), context: admin)
            _ = try await fixture.admin.handle(.addTeamMember(TeamMemberParams(team: "ops", principal: "dave")), context: admin)
            _ = try await fixture.admin.handle(.setRoleBinding(RoleBindingParams(team: "ops", role: .member)), context: admin)
            #expect(try await fixture.identities.role(of: "dave", in: fixture.namespace) == .member)
            let teams = try await fixture.admin.handle(.listTeams, context: admin)
            #expect(teams.at("teams.0.members.0") == "dave")
            let bindings = try await fixture.admin.handle(.listRoleBindings, context: admin)
            #expect(bindings.at("roleBindings.0.team") == "ops")
            #expect(try await fixture.admin.handle(.removeTeamMember(TeamMemberParams(team: "ops", principal: "dave")), context: admin)["removed"] == true)
            #expect(try await fixture.identities.role(of: "dave", in: fixture.namespace) == nil)
            #expect(try await fixture.admin.handle(.deleteRoleBinding(RoleSubjectParams(team: "ops")), context: admin)["deleted"] == true)
            #expect(try await fixture.admin.handle(.deleteTeam(NameParams(name: "ops")), context: admin)["deleted"] == true)
            await #expect(throws: JSONRPCError.self) {
                try await fixture.admin.handle(.addTeamMember(TeamMemberParams(team: "ghosts", principal: "dave")), context: admin)
            }
            await #expect(throws: JSONRPCError.self) {
                try await fixture.admin.handle(.setRoleBinding(RoleBindingParams(principal: "nobody", role: .viewer)), context: admin)
            }
            await #expect(throws: JSONRPCError.self) {
                try await fixture.admin.handle(.deleteRoleBinding(RoleSubjectParams(principal: "a", team: "b")), context: admin)
            }

            var actor = ActorParams(name: "writer", graphUrl: "https://graphs.example.com", assistantId: "writer", isDefault: true)
            actor.apiKey = "graph-key"
            actor.tags = ["text"]
            let put = try await fixture.admin.handle(.putActor(actor), context: admin)
            #expect(put["hasApiKey"] == true)
            #expect(!"\(put)".contains("graph-key"))
            let stored = try #require(try await fixture.namespaces.actors(in: fixture.namespace).first)
            #expect(try stored.openAPIKey(in: fixture.namespace, with: fixture.admin.secrets) == "graph-key")
            // Its graph URL is the key's: the same ciphertext under another URL does not open.
            var moved = stored
            moved.graphURL = "https://attacker.example.com"
            #expect(throws: SecretBoxError.notOpenable) { try moved.openAPIKey(in: fixture.namespace, with: fixture.admin.secrets) }
            await #expect(throws: JSONRPCError.self, "a graph URL with a fragment would drop the appended path") {
                try await fixture.admin.handle(.putActor(ActorParams(name: "frag", graphUrl: "https://graphs.example.com/x#", assistantId: "x")), context: admin)
            }
            #expect(try await fixture.admin.handle(.listActors, context: admin).at("actors.0.name") == "writer")
            #expect(try await fixture.admin.handle(.deleteActor(NameParams(name: "writer")), context: admin)["deleted"] == true)
            await #expect(throws: JSONRPCError.self) {
                try await fixture.admin.handle(.putActor(ActorParams(name: "Bad Name", graphUrl: "http://g", assistantId: "x")), context: admin)
            }
            await #expect(throws: JSONRPCError.self) {
                try await fixture.admin.handle(.putActor(ActorParams(name: "ok", graphUrl: "ftp://g", assistantId: "x")), context: admin)
            }
        }
    }

    @Test(arguments: backends)
    func superadminsManageNamespacesAndPrincipals(backend: Backend) async throws {
        try await Self.withFixture(backend, production: true) { fixture in
            let root = fixture.context("root", nil, superadmin: true)
            let created = try await fixture.admin.handle(.createNamespace(CreateNamespaceParams(name: "beta", description: "B")), context: root)
            #expect(created["auth"] == "required")
            await #expect(throws: JSONRPCError.self, "production refuses auth disabled") {
                try await fixture.admin.handle(.createNamespace(CreateNamespaceParams(name: "gamma", auth: .disabled)), context: root)
            }
            let duplicate = await #expect(throws: JSONRPCError.self) {
                try await fixture.admin.handle(.createNamespace(CreateNamespaceParams(name: "beta")), context: root)
            }
            #expect(duplicate?.code == JSONRPCError.conflictCode)
            let list = try await fixture.admin.handle(.listNamespaces, context: root)
            #expect(list["namespaces"]?.arrayValue?.count == 2)
            _ = try await fixture.admin.handle(.createPrincipal(CreatePrincipalParams(id: "svc-ci", kind: .service)), context: root)
            _ = try await fixture.admin.handle(.setSuperadmin(SuperadminParams(principal: "svc-ci", superadmin: true)), context: root)
            #expect(try await fixture.identities.principal(id: "svc-ci")?.isSuperadmin == true)
            await #expect(throws: JSONRPCError.self) {
                try await fixture.admin.handle(.createPrincipal(CreatePrincipalParams(id: "Not Valid")), context: root)
            }
            let namespace = try await fixture.admin.handle(.getNamespace, context: root)
            #expect(namespace["name"] == "acme")
            #expect(try await fixture.admin.handle(.deleteNamespace, context: root)["deleted"] == true)
            #expect(try await fixture.namespaces.namespace(named: fixture.namespace) == nil)
        }
    }

    @Test func adminMethodNamesDecodeToTheirCalls() throws {
        for (name, expected) in [("tokens/list", AdminCall.listTokens), ("namespaces/list", .listNamespaces), ("teams/list", .listTeams)] {
            let body = #"{"jsonrpc":"2.0","id":1,"method":"_cleveragents/admin/\#(name)"}"#
            let request = try JSONDecoder().decode(JSONRPCRequest<AdminCall>.self, from: Data(body.utf8))
            #expect(try request.call.get() == expected)
        }
        let unknown = try JSONDecoder().decode(JSONRPCRequest<AdminCall>.self, from: Data(#"{"jsonrpc":"2.0","id":1,"method":"_cleveragents/admin/nope"}"#.utf8))
        #expect(throws: JSONRPCError.self) { try unknown.call.get() }
        #expect(AdminCall.listNamespaces.isServerLevel)
        #expect(!AdminCall.listTokens.isServerLevel)
    }
}

@Suite(.timeLimit(.minutes(2))) struct AdminCallNameTests {
    @Test func everyCallNamesTheMethodItWasDecodedFrom() throws {
        let params: [String: String] = [
            "tokens/create": #"{"principal":"p","role":"member"}"#,
            "tokens/revoke": #"{"id":"t"}"#,
            "roleBindings/set": #"{"principal":"p","role":"member"}"#,
            "roleBindings/delete": #"{"principal":"p"}"#,
            "teams/create": #"{"name":"t"}"#,
            "teams/delete": #"{"name":"t"}"#,
            "teams/addMember": #"{"team":"t","principal":"p"}"#,
            "teams/removeMember": #"{"team":"t","principal":"p"}"#,
            "actors/put": #"{"name":"a","graphUrl":"http://127.0.0.1:1","assistantId":"g"}"#,
            "actors/delete": #"{"name":"a"}"#,
            "namespaces/create": #"{"name":"n"}"#,
            "principals/create": #"{"id":"p"}"#,
            "namespaces/setQuota": #"{"namespace":"n","maxRunningTasks":2}"#,
            "principals/setSuperadmin": #"{"principal":"p","superadmin":true}"#,
        ]
        var decoded = 0
        for name in AdminCall.names.keys.sorted() {
            let body = #"{"jsonrpc":"2.0","id":1,"method":"_cleveragents/admin/\#(name)","params":\#(params[name] ?? "{}")}"#
            let request = try JSONDecoder().decode(JSONRPCRequest<AdminCall>.self, from: Data(body.utf8))
            guard case .success(let call) = request.call else {
                Issue.record("\(name) did not decode: \(request.call)")
                continue
            }
            #expect(call.methodName == AdminCall.prefix + name)
            decoded += 1
        }
        #expect(decoded == AdminCall.names.count)
    }
}
