//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import AsyncHTTPClient
import CleverAgentsDomain
import CleverAgentsRuntime
import CleverAgentsServer
import CleverAgentsTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// The answers of a real server to requests its endpoints refuse (`docs/errors.md`): on the
/// server endpoint `POST /`, on namespace endpoints, and for agent cards.
@Suite(.enabled(if: TestEnvironment.hasServices), .timeLimit(.minutes(5))) struct HTTPFrontEndTests {
    /// Runs `body` with a started server, and stops it however `body` ends.
    static func withServer(configure: (inout ServerConfiguration) -> Void = { _ in }, _ body: (TestServer) async throws -> Void) async throws {
        let server = try await TestServer.start(configure: configure)
        do {
            try await body(server)
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func theServerEndpointRefusesABodyThatIsNotJSON() async throws {
        try await Self.withServer { server in
            let reply = try await RPCTestClient().post(server.baseURL + "/", body: "namespaces/list", headers: [("Content-Type", "text/plain")])
            #expect(reply.status == 415)
            let json = try reply.json
            #expect(json["id"] == .null)
            #expect(json.at("error.code") == -32005)
            #expect(json.at("error.message") == "Content-Type 'text/plain' is not supported; send application/json")
        }
    }

    @Test func theServerEndpointAnswersMalformedJSONWithAParseError() async throws {
        try await Self.withServer { server in
            let reply = try await RPCTestClient().post(server.baseURL + "/", body: #"{"jsonrpc":"2.0","id":1,"method":"#)
            #expect(reply.status == 200)
            let json = try reply.json
            #expect(json["id"] == .null)
            #expect(json.at("error.code") == -32700)
        }
    }

    @Test func aServerMethodCalledOnANamespaceIsNotFoundThere() async throws {
        try await Self.withServer { server in
            let namespace = try await server.createNamespace()
            let reply = try await RPCTestClient().call(server.endpoint(namespace.rawValue), method: "_cleveragents/admin/namespaces/list", id: "7")
            #expect(reply.status == 200)
            let json = try reply.json
            #expect(json["id"] == 7)
            #expect(json.at("error.code") == -32601)
            #expect(json.at("error.message") == "Method not found: this method administers the server; call it on POST /")
        }
    }

    @Test func jsonNestedDeeperThanTheLimitIsAnInvalidRequest() async throws {
        try await Self.withServer(configure: { $0.limits.maximumJSONDepth = 8 }) { server in
            let namespace = try await server.createNamespace()
            // Nine levels: the object, `params`, `metadata` and six arrays.
            let deep = String(repeating: "[", count: 6) + String(repeating: "]", count: 6)
            let reply = try await RPCTestClient().call(server.endpoint(namespace.rawValue), method: "ListTasks", params: #"{"metadata":{"x":\#(deep)}}"#)
            #expect(reply.status == 200)
            let json = try reply.json
            #expect(json["id"] == .null, "refused before the id was read")
            #expect(json.at("error.code") == -32600)
            #expect(json.at("error.message") == "JSON nests deeper than 8 levels")
            // At the limit it is read.
            let shallower = String(repeating: "[", count: 5) + String(repeating: "]", count: 5)
            let accepted = try await RPCTestClient().call(
                server.endpoint(namespace.rawValue), method: "ListTasks", params: #"{"metadata":{"x":\#(shallower)}}"#)
            #expect(accepted.errorCode != -32600, "\(accepted.text)")
        }
    }

    @Test func aChunkedBodyOverTheLimitIsRefusedWhileItIsRead() async throws {
        try await Self.withServer(configure: { $0.http.maximumBodySize = 2048 }) { server in
            let namespace = try await server.createNamespace()
            // No Content-Length: the limit is found only while the body is read.
            let padding = String(repeating: "x", count: 4096)
            let chunks = [#"{"jsonrpc":"2.0","id":1,"method":"ListTasks","params":{"metadata":{"pad":""#, padding, #""}}}"#]
            var request = HTTPClientRequest(url: server.endpoint(namespace.rawValue))
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
            for chunk in chunks { continuation.yield(ByteBuffer(string: chunk)) }
            continuation.finish()
            request.body = .stream(stream, length: .unknown)
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            #expect(response.status.code == 413)
            let json = try JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))
            #expect(json["id"] == .null)
            #expect(json.at("error.code") == -32055)
            #expect(json.at("error.message") == "Request body exceeds the limit of 2048 bytes")
        }
    }

    @Test func creatingATeamThatExistsIsAConflict() async throws {
        try await Self.withServer { server in
            let namespace = try await server.createNamespace()
            let endpoint = server.endpoint(namespace.rawValue)
            let created = try await RPCTestClient().call(endpoint, method: "_cleveragents/admin/teams/create", params: #"{"name":"writers"}"#)
            #expect(created.status == 200)
            _ = try created.result()
            let again = try await RPCTestClient().call(endpoint, method: "_cleveragents/admin/teams/create", params: #"{"name":"writers"}"#, id: "2")
            #expect(again.status == 409)
            let json = try again.json
            #expect(json["id"] == 2)
            #expect(json.at("error.code") == -32056)
            #expect(json.at("error.message") == "It already exists")
        }
    }

    @Test func theCardOfAnInvalidNamespaceNameIsNotFound() async throws {
        try await Self.withServer { server in
            for name in ["agent-card.json", "agent.json"] {
                let reply = try await RPCTestClient().get("\(server.endpoint("Not_A_Name"))/.well-known/\(name)")
                #expect(reply.status == 404)
                let json = try reply.json
                #expect(json.at("error.code") == -32050)
                #expect(json.at("error.message") == "Namespace 'Not_A_Name' not found")
            }
        }
    }

    @Test func inProductionTheCardOfANamespaceWithoutAuthenticationAsksForCredentials() async throws {
        let production: (inout ServerConfiguration) -> Void = { configuration in
            configuration.mode = .production
            configuration.http.behindTLSProxy = true
        }
        try await Self.withServer(configure: production) { server in
            let namespace = try await server.createNamespace(authMode: .disabled)
            let reply = try await RPCTestClient().get(
                "\(server.endpoint(namespace.rawValue))/.well-known/agent-card.json", headers: [("X-Forwarded-Proto", "https")])
            #expect(reply.status == 200)
            let card = try JSONDecoder().decode(AgentCard.self, from: reply.body)
            // Production requires a credential on every namespace, so the card names the schemes.
            #expect(Set(card.securitySchemes.keys) == ["bearer", "apiKey"])
            #expect(card.securityRequirements.map { Set($0.schemes.keys) } == [["bearer"], ["apiKey"]])
            // Behind the TLS proxy the card names the https endpoint.
            #expect(card.supportedInterfaces.first?.url.hasPrefix("https://") == true, "\(card.supportedInterfaces)")
            // And the endpoint does ask for one.
            let call = try await RPCTestClient().post(
                server.endpoint(namespace.rawValue), body: #"{"jsonrpc":"2.0","id":1,"method":"ListTasks","params":{}}"#,
                headers: [("Content-Type", "application/json"), ("X-Forwarded-Proto", "https")]
            )
            #expect(call.status == 401)
        }
    }
}
