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
import CleverAgentsPostgres
import CleverAgentsRuntime
import CleverAgentsServer
import CleverAgentsTestSupport
import Foundation
import NIOHTTP1
import NIOSSL
import Testing

/// HTTPS in the server, TLS proxies, production's refusal of plain HTTP, rate limits, and
/// revocation across replicas.
@Suite(.enabled(if: TestEnvironment.hasServices), .serialized, .timeLimit(.minutes(5))) struct TransportSecurityTests {
    @Test func httpsServesTheOfficialPythonClientWithHSTS() async throws {
        let certificates = try await TestCertificates.make()
        defer { try? FileManager.default.removeItem(at: certificates.directory) }
        let server = try await TestServer.start { $0.http.tlsCertificatePath = certificates.certificate; $0.http.tlsKeyPath = certificates.key }
        do {
            let namespace = try await server.createNamespace(authMode: .required)
            let token = try await IsolationTests.token(server, namespace, TestEnvironment.uniqueName("tls"), .member)
            let base = "https://127.0.0.1:\(server.port)/ns/\(namespace.rawValue)"

            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .file(certificates.ca)
            let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
            do {
                let card = try await RPCTestClient(http: http).get(base + "/.well-known/agent-card.json")
                #expect(card.status == 200)
                #expect(card.headers.first(name: "strict-transport-security")?.contains("max-age=") == true)
                #expect(card.text.contains("\"scheme\":\"Bearer\""), "the card declares the bearer scheme")
                var tls12 = tls
                tls12.maximumTLSVersion = .tlsv11
                let old = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls12))
                await #expect(throws: (any Error).self, "TLS 1.1 is refused") { _ = try await RPCTestClient(http: old).get(base + "/.well-known/agent-card.json") }
                try await old.shutdown()
            } catch {
                try await http.shutdown()
                throw error
            }
            try await http.shutdown()
            // Plain HTTP to the TLS port gets nowhere.
            await #expect(throws: (any Error).self) { _ = try await RPCTestClient().get("http://127.0.0.1:\(server.port)/healthz") }

            if let python = TestEnvironment.python {
                let script = TestEnvironment.repositoryRoot.appendingPathComponent("testing/interop/a2a_sdk_https.py").path
                let output = try await ChildProcess.run(python, [script, base, certificates.ca, token])
                #expect(output.status == 0, "\(output.stdout)\n\(output.stderr)")
            } else {
                #expect(!TestEnvironment.servicesRequired, "the Python client is part of the suite")
            }
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func productionRefusesPlainHTTPUnlessBehindATLSProxy() async throws {
        let database = try #require(TestEnvironment.databaseURL)
        let key = Data((0..<32).map { UInt8($0) }).base64EncodedString()
        let environment = ["DATABASE_URL": database, "CLEVERAGENTS_MODE": "production", "CLEVERAGENTS_SECRETS_KEY": key, "CLEVERAGENTS_AUTH_TOKEN_PEPPER": key]
        let refused = try await ChildProcess.run(ChildProcess.cleveragents, ["serve", "--port", "0"], environment: environment)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("tls.certificatePath"), "\(refused.stderr)")
        #expect(refused.stderr.contains("plain HTTP"))

        let server = try await TestServer.start { $0.http.behindTLSProxy = true; $0.mode = .production }
        do {
            let namespace = try await server.createNamespace(authMode: .disabled)
            let endpoint = server.endpoint(namespace.rawValue)
            let body = #"{"jsonrpc":"2.0","id":1,"method":"ListTasks","params":{}}"#
            let plain = try await RPCTestClient().post(endpoint, body: body)
            #expect(plain.status == 403)
            #expect(plain.text.contains("HTTPS is required"))
            let proxied = try await RPCTestClient().post(endpoint, body: body, headers: [("Content-Type", "application/json"), ("X-Forwarded-Proto", "https")])
            #expect(proxied.status == 401, "production requires credentials even where authentication was disabled")
            #expect(proxied.headers.first(name: "strict-transport-security") != nil)
            #expect(try await RPCTestClient().get(server.baseURL + "/healthz").status == 200, "probes come straight from the orchestrator")
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func rateLimitsAnswer429WithRetryAfter() async throws {
        // One token back per 100 s: none refills within the test, however slow the machine.
        let server = try await TestServer.start { $0.limits.rates = RateLimits(tokenPerSecond: 0.01, tokenBurst: 2) }
        do {
            let namespace = try await server.createNamespace(authMode: .required)
            let token = try await IsolationTests.token(server, namespace, TestEnvironment.uniqueName("busy"), .viewer)
            var statuses: [Int] = []
            var retryAfter: String?
            for _ in 0..<3 {
                let reply = try await RPCTestClient().post(
                    server.endpoint(namespace.rawValue), body: #"{"jsonrpc":"2.0","id":1,"method":"ListTasks","params":{}}"#,
                    headers: [("Content-Type", "application/json"), ("X-API-Key", token)]
                )
                statuses.append(reply.status)
                if reply.status == 429 {
                    retryAfter = reply.headers.first(name: "retry-after")
                    #expect(reply.errorCode == JSONRPCError.rateLimitedCode)
                }
            }
            #expect(statuses == [200, 200, 429])
            #expect(retryAfter.flatMap(Int.init).map { $0 >= 1 } == true)
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func aRevocationOnOneReplicaTakesEffectOnAnotherBeforeItsCacheExpires() async throws {
        let first = try await TestServer.start()
        let second = try await TestServer.start()
        do {
            let namespace = try await first.createNamespace(authMode: .required)
            let token = try await IsolationTests.token(first, namespace, TestEnvironment.uniqueName("rev"), .admin)
            let body = #"{"jsonrpc":"2.0","id":1,"method":"ListTasks","params":{}}"#
            let headers = [("Content-Type", "application/json"), ("Authorization", "Bearer \(token)")]
            // The second replica caches the credential.
            #expect(try await RPCTestClient().post(second.endpoint(namespace.rawValue), body: body, headers: headers).status == 200)
            let revoke = try await RPCTestClient().post(
                first.endpoint(namespace.rawValue),
                body: #"{"jsonrpc":"2.0","id":2,"method":"_cleveragents/admin/tokens/revoke","params":{"id":"\#(APITokenText(token)!.id)"}}"#,
                headers: headers
            )
            #expect(try revoke.result()["revoked"] == true)
            // The second replica keeps a credential for a minute (the default TTL): a refusal well
            // within that came from the revocation's notification, not from the cache expiring.
            // How fast it arrives is measured by no test; a busy machine may take a moment.
            let revokedAt = ContinuousClock.now
            var refused = false
            while !refused, ContinuousClock.now - revokedAt < .seconds(30) {
                refused = try await RPCTestClient().post(second.endpoint(namespace.rawValue), body: body, headers: headers).status == 401
                if !refused { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(refused, "the other replica refused the revoked token before its cached credential expired")
        } catch {
            try await first.stop()
            try await second.stop()
            throw error
        }
        try await first.stop()
        try await second.stop()
    }
}
