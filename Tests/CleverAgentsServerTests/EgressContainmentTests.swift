//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import CleverAgentsLangGraph
import CleverAgentsPostgres
import CleverAgentsRuntime
import CleverAgentsServer
import CleverAgentsTestSupport
import Foundation
import Hummingbird
import Testing

/// Graph URLs and actors' keys, attacked as a tenant's admin would: a graph URL can neither read
/// nor map what answers inside the network, and a sealed key never follows an actor elsewhere.
@Suite(.enabled(if: TestEnvironment.hasServices), .timeLimit(.minutes(3))) struct EgressContainmentTests {
    static func send(_ server: TestServer, _ namespace: NamespaceName, actor: String, token: String? = nil) async throws -> JSONValue {
        let reply = try await RPCTestClient().post(
            server.endpoint(namespace.rawValue),
            body: #"{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"\#(UUID().uuidString)","role":"ROLE_USER","parts":[{"text":"hi"}],"metadata":{"actor":"\#(actor)"}}}}"#,
            headers: [("Content-Type", "application/json")] + (token.map { [("Authorization", "Bearer \($0)")] } ?? [])
        )
        return try reply.result()
    }

    static func putActor(_ server: TestServer, _ namespace: NamespaceName, _ name: String, url: String, token: String? = nil, apiKey: String? = nil) async throws -> RPCTestClient.Reply {
        let key = apiKey.map { #","apiKey":"\#($0)""# } ?? ""
        return try await RPCTestClient().post(
            server.endpoint(namespace.rawValue),
            body: #"{"jsonrpc":"2.0","id":1,"method":"_cleveragents/admin/actors/put","params":{"name":"\#(name)","graphUrl":"\#(url)","assistantId":"echo"\#(key)}}"#,
            headers: [("Content-Type", "application/json")] + (token.map { [("Authorization", "Bearer \($0)")] } ?? [])
        )
    }

    /// The failed task's status text with its error id blanked, and the id.
    static func failure(_ task: JSONValue) throws -> (text: String, errorID: String?) {
        #expect(task.at("task.status.state") == "TASK_STATE_FAILED", "\(task)")
        let text = try #require(task.at("task.status.message.parts.0.text")?.stringValue)
        guard let range = text.range(of: #"error [0-9a-f-]{36}"#, options: .regularExpression) else { return (text, nil) }
        return (text.replacingCharacters(in: range, with: "error <id>"), String(text[range].dropFirst(6)))
    }

    @Test func aGraphURLNeitherReadsNorMapsWhatAnswersInside() async throws {
        let secret = "internal-\(UUID().uuidString)"
        let inside = try await TestHTTPServer.start { router in
            router.post("/**") { _, _ in
                Response(status: .internalServerError, headers: [.contentType: "text/plain"], body: .init(byteBuffer: .init(string: "\(secret) admin panel")))
            }
            router.get("/**") { _, _ in
                Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(string: #"{"status":"\#(secret)"}"#)))
            }
        }
        let closed = try await TestHTTPServer.start { _ in }
        let closedPort = closed.port
        try await closed.stop()
        // Development reaches loopback (as an operator's allow-list would an internal service):
        // the request goes out, and what comes back must still not reach the caller.
        let server = try await TestServer.start { $0.langGraph.maximumAttempts = 1 }
        do {
            let namespace = try await server.createNamespace(assistant: nil)
            #expect(try await Self.putActor(server, namespace, "inside", url: "http://127.0.0.1:\(inside.port)").status == 200)
            #expect(try await Self.putActor(server, namespace, "nobody", url: "http://127.0.0.1:\(closedPort)").status == 200)
            let answered = try Self.failure(try await Self.send(server, namespace, actor: "inside"))
            let refused = try Self.failure(try await Self.send(server, namespace, actor: "nobody"))
            #expect(!answered.text.contains(secret), "the upstream body reached the caller: \(answered.text)")
            #expect(!answered.text.contains("500"))
            #expect(answered.errorID != nil && answered.errorID != refused.errorID)
            #expect(answered.text == refused.text, "an answering service and a closed port look the same")
        } catch {
            try await server.stop()
            try await inside.stop()
            throw error
        }
        try await server.stop()
        try await inside.stop()
    }

    @Test func productionRefusesInternalGraphURLsAndNeverConnectsToThem() async throws {
        let inside = try await WebhookReceiver.start()
        let server = try await TestServer.start { $0.egress = .defaults(production: true) }
        do {
            let namespace = try await server.createNamespace(assistant: nil)
            for url in [
                "http://127.0.0.1:\(inside.port)", "https://127.0.0.1:\(inside.port)", "https://169.254.169.254/latest/meta-data",
                "https://[::1]:\(inside.port)", "https://10.0.0.1", "https://graphs.example.com/#", "http://graphs.example.com",
            ] {
                let put = try await Self.putActor(server, namespace, "a", url: url)
                #expect(put.errorCode == JSONRPCError.invalidParamsCode, "\(url): \(put.text)")
                #expect(put.text.contains("graphUrl"))
            }
            // The same through sync.
            let body = #"{"name":"s","description":"","tags":[],"examples":[],"graphURL":"https://169.254.169.254","assistantID":"echo","isDefault":false}"#
            let pushed = try await RPCTestClient().post(
                server.endpoint(namespace.rawValue),
                body: #"{"jsonrpc":"2.0","id":1,"method":"_cleveragents/sync/push","params":{"batchId":"b1","items":[{"kind":"actor","name":"s","op":"upsert","baseRevision":0,"body":\#(body)}]}}"#
            )
            #expect(pushed.errorCode == JSONRPCError.invalidParamsCode, "\(pushed.text)")
            // A name is not resolved when saved (that would tell whether it exists inside); it is
            // checked at every connection, and nothing is sent to the loopback address it names.
            #expect(try await Self.putActor(server, namespace, "named", url: "https://localhost:\(inside.port)").status == 200)
            let failed = try Self.failure(try await Self.send(server, namespace, actor: "named"))
            #expect(failed.errorID != nil)
            #expect(inside.received.isEmpty)
        } catch {
            try await server.stop()
            try await inside.stop()
            throw error
        }
        try await server.stop()
        try await inside.stop()
    }

    @Test func anAdminCannotRedirectAKeyedActorToItsOwnListener() async throws {
        let owners = try await WebhookReceiver.start()
        let attackers = try await WebhookReceiver.start()
        let server = try await TestServer.start { $0.langGraph.maximumAttempts = 1 }
        do {
            let namespace = try await server.createNamespace(authMode: .required, assistant: nil)
            let owner = try await IsolationTests.token(server, namespace, TestEnvironment.uniqueName("owner"), .owner)
            let admin = try await IsolationTests.token(server, namespace, TestEnvironment.uniqueName("admin"), .admin)
            let key = "graph-key-\(UUID().uuidString)"
            #expect(try await Self.putActor(server, namespace, "keyed", url: owners.url.replacingOccurrences(of: "/webhook", with: ""), token: owner, apiKey: key).status == 200)
            _ = try await Self.send(server, namespace, actor: "keyed", token: owner)
            #expect(owners.received.contains { $0.headers["x-api-key"] == key }, "the owner's graph server gets the key")

            // The admin points the actor at its own listener by sync, keeping everything else.
            let pulled = try await RPCTestClient().post(
                server.endpoint(namespace.rawValue),
                body: #"{"jsonrpc":"2.0","id":1,"method":"_cleveragents/sync/pull","params":{}}"#,
                headers: [("Content-Type", "application/json"), ("Authorization", "Bearer \(admin)")]
            )
            let entity = try #require(try pulled.result()["changes"]?.arrayValue?.first { $0["name"] == "keyed" })
            var body = try #require(entity["body"]?.objectValue)
            body["graphURL"] = .string(attackers.url.replacingOccurrences(of: "/webhook", with: ""))
            let item: JSONValue = ["kind": "actor", "name": "keyed", "op": "upsert", "baseRevision": entity["revision"] ?? 0, "body": .object(body)]
            let pushed = try await RPCTestClient().post(
                server.endpoint(namespace.rawValue),
                body: #"{"jsonrpc":"2.0","id":1,"method":"_cleveragents/sync/push","params":{"batchId":"redirect","items":[\#(try String(decoding: JSONEncoder().encode(item), as: UTF8.self))]}}"#,
                headers: [("Content-Type", "application/json"), ("Authorization", "Bearer \(admin)")]
            )
            #expect(try pushed.result().at("results.0.status") == "applied", "\(pushed.text)")
            _ = try await Self.send(server, namespace, actor: "keyed", token: admin)
            #expect(!attackers.received.isEmpty, "the run went to the new URL")
            #expect(attackers.received.allSatisfy { $0.headers["x-api-key"] == nil }, "the key stayed behind")
            let listed = try await RPCTestClient().post(
                server.endpoint(namespace.rawValue),
                body: #"{"jsonrpc":"2.0","id":1,"method":"_cleveragents/admin/actors/list"}"#,
                headers: [("Content-Type", "application/json"), ("Authorization", "Bearer \(admin)")]
            )
            #expect(try listed.result().at("actors.0.hasApiKey") == false)
        } catch {
            try await server.stop()
            try await owners.stop()
            try await attackers.stop()
            throw error
        }
        try await server.stop()
        try await owners.stop()
        try await attackers.stop()
    }
}
