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

/// Every A2A method against every way a caller can be wrong: each gets its exact answer, and no
/// answer ever carries another tenant's (or another member's) data.
@Suite(.enabled(if: TestEnvironment.hasServices), .serialized, .timeLimit(.minutes(5))) struct IsolationTests {
    struct Tenant: Sendable {
        var namespace: NamespaceName
        var member: String
        var otherMember: String
        var viewer: String
        var admin: String
        var expired: String
        var revoked: String
        /// A task of `member`, with a secret text in it.
        var taskId: String
        var secret: String
    }

    static func token(_ server: TestServer, _ namespace: NamespaceName, _ principal: String, _ role: NamespaceRole, expiresAt: A2ATimestamp? = nil) async throws -> String {
        let result = try await server.server.admin.createToken(
            CreateTokenParams(principal: principal, role: role, expiresAt: expiresAt),
            namespace: namespace,
            caller: Caller(principalID: "test", role: nil, isSuperadmin: true)
        )
        return try #require(result["token"]?.stringValue)
    }

    static func tenant(_ server: TestServer) async throws -> Tenant {
        let namespace = try await server.createNamespace(authMode: .required)
        let member = try await token(server, namespace, TestEnvironment.uniqueName("alice"), .member)
        let secret = "secret-\(UUID().uuidString)"
        let sent = try await RPCTestClient().post(
            server.endpoint(namespace.rawValue),
            body: #"{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[{"text":"\#(secret)"}]}}}"#,
            headers: [("Content-Type", "application/json"), ("Authorization", "Bearer \(member)")]
        )
        let taskId = try #require(try sent.result().at("task.id")?.stringValue)
        // An expiry in the past cannot be created through the API; store one directly.
        let expiredPrincipal = TestEnvironment.uniqueName("old")
        _ = try await server.store.ensurePrincipal(Principal(id: expiredPrincipal, createdAt: .now))
        let (expiredText, expiredRecord) = server.server.authenticator.makeToken(
            principal: expiredPrincipal, namespace: namespace, name: "", expiresAt: .init(millisecondsSinceEpoch: 1_000)
        )
        try await server.store.insertToken(expiredRecord)
        try await server.store.putRoleBinding(RoleBinding(namespace: namespace, subject: .principal(expiredPrincipal), role: .owner))
        let revoked = try await token(server, namespace, TestEnvironment.uniqueName("gone"), .owner)
        _ = try await server.store.revokeToken(id: APITokenText(revoked)!.id, namespace: namespace, at: .now)
        return Tenant(
            namespace: namespace,
            member: member,
            otherMember: try await token(server, namespace, TestEnvironment.uniqueName("bob"), .member),
            viewer: try await token(server, namespace, TestEnvironment.uniqueName("vera"), .viewer),
            admin: try await token(server, namespace, TestEnvironment.uniqueName("ada"), .admin),
            expired: expiredText.text,
            revoked: revoked,
            taskId: taskId,
            secret: secret
        )
    }

    /// Every method, with params that name the victim's task where a task is involved.
    static func calls(taskId: String) -> [(method: String, params: String, writes: Bool)] {
        [
            ("SendMessage", #"{"message":{"messageId":"x","role":"ROLE_USER","parts":[{"text":"hi"}]}}"#, true),
            ("SendStreamingMessage", #"{"message":{"messageId":"x","role":"ROLE_USER","parts":[{"text":"hi"}]}}"#, true),
            ("GetTask", #"{"id":"\#(taskId)"}"#, false),
            ("ListTasks", #"{}"#, false),
            ("CancelTask", #"{"id":"\#(taskId)"}"#, true),
            ("SubscribeToTask", #"{"id":"\#(taskId)"}"#, false),
            ("CreateTaskPushNotificationConfig", #"{"taskId":"\#(taskId)","url":"http://127.0.0.1:9/hook"}"#, true),
            ("GetTaskPushNotificationConfig", #"{"taskId":"\#(taskId)","id":"c"}"#, true),
            ("ListTaskPushNotificationConfigs", #"{"taskId":"\#(taskId)"}"#, true),
            ("DeleteTaskPushNotificationConfig", #"{"taskId":"\#(taskId)","id":"c"}"#, true),
            ("GetExtendedAgentCard", #"{}"#, false),
        ]
    }

    func call(_ server: TestServer, _ namespace: NamespaceName, _ method: String, _ params: String, headers: [(String, String)]) async throws -> RPCTestClient.Reply {
        try await RPCTestClient().post(
            server.endpoint(namespace.rawValue),
            body: #"{"jsonrpc":"2.0","id":1,"method":""# + method + #"","params":"# + params + "}",
            headers: [("Content-Type", "application/json"), ("A2A-Version", "1.0")] + headers
        )
    }

    @Test func everyMethodRefusesBadCredentialsWith401AndAChallenge() async throws {
        let server = try await TestServer.start()
        do {
            let victim = try await Self.tenant(server)
            let stranger = try await Self.tenant(server)
            let cases: [(String, [(String, String)], String?)] = [
                ("no token", [], nil),
                ("malformed token", [("Authorization", "Bearer not-a-token")], "invalid_token"),
                ("another scheme", [("Authorization", "Basic dXNlcjpwYXNz")], "invalid_token"),
                ("expired token", [("X-API-Key", victim.expired)], "invalid_token"),
                ("revoked token", [("Authorization", "Bearer \(victim.revoked)")], "invalid_token"),
                ("a token of another namespace", [("Authorization", "Bearer \(stranger.admin)")], "invalid_token"),
            ]
            for (name, headers, challengeError) in cases {
                for (method, params, _) in Self.calls(taskId: victim.taskId) {
                    let reply = try await call(server, victim.namespace, method, params, headers: headers)
                    #expect(reply.status == 401, "\(name) \(method)")
                    #expect(reply.errorCode == JSONRPCError.unauthenticatedCode, "\(name) \(method)")
                    let challenge = reply.headers.first(name: "www-authenticate") ?? ""
                    #expect(challenge.hasPrefix("Bearer realm=\"cleveragents\""), "\(name) \(method)")
                    if let challengeError { #expect(challenge.contains("error=\"\(challengeError)\""), "\(name) \(method)") }
                    #expect(!reply.text.contains(victim.secret) && !reply.text.contains(victim.taskId), "\(name) \(method) leaks nothing")
                }
            }
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func viewersCannotWriteAndMembersCannotReachEachOthersTasks() async throws {
        let server = try await TestServer.start()
        do {
            let tenant = try await Self.tenant(server)
            for (method, params, writes) in Self.calls(taskId: tenant.taskId) {
                // A viewer: reads pass, writes are 403 whatever the task.
                let viewer = try await call(server, tenant.namespace, method, params, headers: [("Authorization", "Bearer \(tenant.viewer)")])
                if writes {
                    #expect(viewer.status == 403, "viewer \(method)")
                    #expect(viewer.errorCode == JSONRPCError.permissionDeniedCode, "viewer \(method)")
                } else {
                    #expect(viewer.status == 200, "viewer \(method)")
                }

                // Another member: the victim's task does not exist for them.
                let other = try await call(server, tenant.namespace, method, params, headers: [("Authorization", "Bearer \(tenant.otherMember)")])
                #expect(!other.text.contains(tenant.secret), "\(method) leaks nothing to another member")
                switch method {
                case "GetTask", "CancelTask", "SubscribeToTask", "CreateTaskPushNotificationConfig", "GetTaskPushNotificationConfig",
                    "ListTaskPushNotificationConfigs", "DeleteTaskPushNotificationConfig":
                    #expect(other.status == 200, "\(method)")
                    #expect(other.errorCode == JSONRPCError.taskNotFoundCode, "another member's task is not found: \(method)")
                case "ListTasks":
                    let ids = try other.result()["tasks"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
                    #expect(!ids.contains(tenant.taskId), "only the member's own tasks")
                case "GetExtendedAgentCard":
                    #expect(other.errorCode == JSONRPCError.unsupportedOperationCode)
                default:
                    #expect(other.status == 200, "\(method)")
                }
            }
            // The viewer (an auditor) and the admin see the task; the member who owns it too.
            for token in [tenant.viewer, tenant.admin, tenant.member] {
                let reply = try await call(server, tenant.namespace, "GetTask", #"{"id":"\#(tenant.taskId)"}"#, headers: [("X-API-Key", token)])
                #expect(try reply.result()["id"] == .string(tenant.taskId))
            }
            // A follow-up message naming the task is "not found" for another member too.
            let followUp = try await call(
                server, tenant.namespace, "SendMessage",
                #"{"message":{"messageId":"y","taskId":"\#(tenant.taskId)","role":"ROLE_USER","parts":[{"text":"x"}]}}"#,
                headers: [("Authorization", "Bearer \(tenant.otherMember)")]
            )
            #expect(followUp.errorCode == JSONRPCError.taskNotFoundCode)
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func syncMethodsNeedACredentialAndTheirPermission() async throws {
        let server = try await TestServer.start()
        do {
            let tenant = try await Self.tenant(server)
            let stranger = try await Self.tenant(server)
            let push = #"{"batchId":"b1","items":[{"op":"upsert","kind":"note","name":"todo","baseRevision":0,"body":{"text":"x"}}]}"#
            for (method, params) in [("_cleveragents/sync/status", "{}"), ("_cleveragents/sync/pull", "{}"), ("_cleveragents/sync/push", push)] {
                let anonymous = try await call(server, tenant.namespace, method, params, headers: [])
                #expect(anonymous.status == 401, "\(method)")
                let foreign = try await call(server, tenant.namespace, method, params, headers: [("Authorization", "Bearer \(stranger.admin)")])
                #expect(foreign.status == 401, "a token of another namespace: \(method)")
            }
            let viewerPull = try await call(server, tenant.namespace, "_cleveragents/sync/pull", "{}", headers: [("Authorization", "Bearer \(tenant.viewer)")])
            #expect(viewerPull.status == 200)
            #expect(viewerPull.errorCode == nil)
            for token in [tenant.viewer, tenant.member] {
                let refused = try await call(server, tenant.namespace, "_cleveragents/sync/push", push, headers: [("Authorization", "Bearer \(token)")])
                #expect(refused.status == 403)
                #expect(refused.errorCode == JSONRPCError.permissionDeniedCode)
            }
            let status = try await call(server, tenant.namespace, "_cleveragents/sync/status", "{}", headers: [("X-API-Key", tenant.viewer)])
            let head = try status.result()["head"]
            let pushed = try await call(server, tenant.namespace, "_cleveragents/sync/push", push, headers: [("Authorization", "Bearer \(tenant.admin)")])
            #expect(pushed.status == 200)
            #expect(pushed.errorCode == nil, "\(pushed.text)")
            let after = try await call(server, tenant.namespace, "_cleveragents/sync/status", "{}", headers: [("X-API-Key", tenant.viewer)])
            #expect(try after.result()["head"] != head, "the admin's push was applied")
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func aTenantParamNamingAnotherNamespaceIsRejectedAndCrossTenantTasksAreNotFound() async throws {
        let server = try await TestServer.start()
        do {
            let victim = try await Self.tenant(server)
            let attacker = try await Self.tenant(server)
            let tenantParam = try await call(
                server, attacker.namespace, "GetTask", #"{"id":"\#(victim.taskId)","tenant":"\#(victim.namespace.rawValue)"}"#,
                headers: [("Authorization", "Bearer \(attacker.admin)")]
            )
            #expect(tenantParam.errorCode == JSONRPCError.invalidParamsCode)
            #expect(tenantParam.text.contains("tenant"))
            // The attacker's own namespace does not have the victim's task, even for its admin.
            let crossed = try await call(server, attacker.namespace, "GetTask", #"{"id":"\#(victim.taskId)"}"#, headers: [("Authorization", "Bearer \(attacker.admin)")])
            #expect(crossed.errorCode == JSONRPCError.taskNotFoundCode)
            #expect(!crossed.text.contains(victim.secret))
            let list = try await call(server, attacker.namespace, "ListTasks", "{}", headers: [("Authorization", "Bearer \(attacker.admin)")])
            #expect(!list.text.contains(victim.taskId))
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func theServerEndpointIsForSuperadminsOnly() async throws {
        let server = try await TestServer.start()
        do {
            let tenant = try await Self.tenant(server)
            let body = #"{"jsonrpc":"2.0","id":1,"method":"_cleveragents/admin/namespaces/list"}"#
            let anonymous = try await RPCTestClient().post(server.baseURL + "/", body: body)
            #expect(anonymous.status == 401)
            let namespaceAdmin = try await RPCTestClient().post(server.baseURL + "/", body: body, headers: [("Content-Type", "application/json"), ("X-API-Key", tenant.admin)])
            #expect(namespaceAdmin.status == 401, "a namespace token is no server credential")
            let root = TestEnvironment.uniqueName("root")
            _ = try await server.store.ensurePrincipal(Principal(id: root, isSuperadmin: true, createdAt: .now))
            let (text, record) = server.server.authenticator.makeToken(principal: root, namespace: nil, name: "root", expiresAt: nil)
            try await server.store.insertToken(record)
            let created = try await RPCTestClient().post(
                server.baseURL + "/",
                body: #"{"jsonrpc":"2.0","id":2,"method":"_cleveragents/admin/namespaces/create","params":{"name":"\#(TestEnvironment.uniqueName("made"))"}}"#,
                headers: [("Content-Type", "application/json"), ("Authorization", "Bearer \(text.text)")]
            )
            #expect(try created.result()["auth"] == "required")
            // A namespace method sent to the server endpoint is pointed to the right place.
            let misplaced = try await RPCTestClient().post(
                server.baseURL + "/", body: #"{"jsonrpc":"2.0","id":3,"method":"_cleveragents/admin/tokens/list"}"#,
                headers: [("Content-Type", "application/json"), ("Authorization", "Bearer \(text.text)")]
            )
            #expect(misplaced.errorCode == JSONRPCError.methodNotFoundCode)
            // The superadmin token also works in any namespace.
            let anywhere = try await call(server, tenant.namespace, "GetTask", #"{"id":"\#(tenant.taskId)"}"#, headers: [("Authorization", "Bearer \(text.text)")])
            #expect(try anywhere.result()["id"] == .string(tenant.taskId))
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }
}
