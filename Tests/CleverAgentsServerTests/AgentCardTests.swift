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
import CleverAgentsServer
import CleverAgentsTestSupport
import Foundation
import NIOHTTP1
import Testing

@Suite(.enabled(if: TestEnvironment.hasServices), .serialized, .timeLimit(.minutes(5))) struct AgentCardTests {
    @Test func theNamespaceCardIsServedWithCachingHeadersAndRevalidates() async throws {
        let server = try await TestServer.start()
        do {
            let namespace = try await server.createNamespace(description: "Echo things")
            let url = "\(server.endpoint(namespace.rawValue))/.well-known/agent-card.json"
            let reply = try await RPCTestClient().get(url)
            #expect(reply.status == 200)
            let card = try JSONDecoder().decode(AgentCard.self, from: reply.body)
            #expect(card.name == namespace.rawValue)
            #expect(card.description == "Echo things")
            #expect(card.supportedInterfaces == ["1.0", "0.3"].map { AgentInterface(url: server.endpoint(namespace.rawValue), protocolBinding: "JSONRPC", protocolVersion: $0) })
            #expect(card.skills.map(\.id) == ["echo"])
            #expect(card.capabilities.streaming == true)
            #expect(reply.text.contains("text/plain"), "slashes are not escaped")
            // No public URL: the card names the request's own host, so no shared cache keeps it.
            #expect(reply.headers.first(name: "cache-control") == "private, max-age=60")
            #expect(reply.headers.first(name: "vary")?.contains("Host") == true)
            #expect(reply.headers.first(name: "last-modified")?.hasSuffix("GMT") == true)
            let etag = try #require(reply.headers.first(name: "etag"))
            let again = try await RPCTestClient().get(url, headers: [("If-None-Match", etag)])
            #expect(again.status == 304)
            #expect(again.body.isEmpty)
            #expect(try await RPCTestClient().get(url, headers: [("If-None-Match", "\"other\"")]).status == 200)
            let alias = try await RPCTestClient().get("\(server.endpoint(namespace.rawValue))/.well-known/agent.json")
            #expect(alias.body == reply.body)

            // A new actor changes the card, and so its ETag. Put through the admin API, which
            // drops this replica's cached settings at once (a direct write waits for their TTL).
            let put = try await EgressContainmentTests.putActor(server, namespace, "steps", url: try #require(TestEnvironment.langGraphURL))
            _ = try put.result()
            let changed = try await RPCTestClient().get(url, headers: [("If-None-Match", etag)])
            #expect(changed.status == 200, "the old ETag no longer matches")
            #expect(changed.headers.first(name: "etag") != etag)
            #expect(try JSONDecoder().decode(AgentCard.self, from: changed.body).skills.map(\.id).sorted() == ["echo", "steps"])
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func aCardWithAConfiguredPublicURLIsPublicAndIgnoresTheHostHeader() async throws {
        let server = try await TestServer.start { $0.http.publicBaseURL = "https://agents.example.com" }
        do {
            let namespace = try await server.createNamespace()
            let reply = try await RPCTestClient().get(
                "\(server.endpoint(namespace.rawValue))/.well-known/agent-card.json", headers: [("Host", "evil.example")]
            )
            #expect(reply.headers.first(name: "cache-control") == "public, max-age=60")
            #expect(!reply.text.contains("evil.example"))
            #expect(reply.text.contains("https://agents.example.com/ns/\(namespace.rawValue)"))
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func theRootServesTheDefaultNamespaceCard() async throws {
        let name = TestEnvironment.uniqueName("default")
        let server = try await TestServer.start { $0.defaultNamespace = NamespaceName(name) }
        do {
            try await server.createNamespace(name)
            let root = try await RPCTestClient().get("\(server.baseURL)/.well-known/agent-card.json")
            #expect(root.status == 200)
            let card = try JSONDecoder().decode(AgentCard.self, from: root.body)
            #expect(card.supportedInterfaces.first?.url == server.endpoint(name))
            #expect(try await RPCTestClient().get("\(server.baseURL)/.well-known/agent.json").status == 200)
            #expect(try await RPCTestClient().get("\(server.endpoint("missing-card"))/.well-known/agent-card.json").status == 404)
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func withoutADefaultTheRootServesTheOnlyNamespaceAndOtherwiseSaysWhereCardsAre() async throws {
        // A database of its own: the shared one holds every other test's namespaces.
        try await PostgresTestDatabase.withFreshDatabase { database in
            let url = try DatabaseURL(database)
            let server = try await TestServer.start { $0.database.url = url }
            do {
                let root = "\(server.baseURL)/.well-known/agent-card.json"
                func expectNoRootCard(_ why: Comment) async throws {
                    let reply = try await RPCTestClient().get(root)
                    #expect(reply.status == 404, why)
                    #expect(try reply.json["namespaceCard"] == "/ns/{namespace}/.well-known/agent-card.json", why)
                }
                try await expectNoRootCard("no namespace yet")

                // Made beside the server, as another replica would: the root's answer is kept
                // for 5 s (one query per 5 s however often the unauthenticated root is asked).
                let only = try await server.createNamespace(TestEnvironment.uniqueName("only"))
                #expect(await waitUntil(.seconds(60)) { (try? await RPCTestClient().get(root).status) == 200 }, "the new namespace shows within the answer's life")
                let card = try await RPCTestClient().get(root)
                #expect(card.status == 200, "the only namespace's card")
                #expect(try JSONDecoder().decode(AgentCard.self, from: card.body).supportedInterfaces.first?.url == server.endpoint(only.rawValue))
                #expect(try await RPCTestClient().get("\(server.baseURL)/.well-known/agent.json").body == card.body)

                let other = try await server.createNamespace(TestEnvironment.uniqueName("other"))
                #expect(await waitUntil(.seconds(60)) { (try? await RPCTestClient().get(root).status) == 404 })
                try await expectNoRootCard("two namespaces, no default")
                let body = try await RPCTestClient().get(root).text
                #expect(!body.contains(only.rawValue) && !body.contains(other.rawValue), "no tenant is named to an anonymous caller")
            } catch {
                try await server.stop()
                throw error
            }
            try await server.stop()
        }
    }

    @Test func healthAndReadiness() async throws {
        let server = try await TestServer.start()
        do {
            let health = try await RPCTestClient().get("\(server.baseURL)/healthz")
            #expect(health.status == 200)
            let ready = try await RPCTestClient().get("\(server.baseURL)/readyz")
            #expect(ready.status == 200)
            #expect(try ready.json["status"] == "ready")
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }
}
