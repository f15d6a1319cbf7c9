//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import AsyncHTTPClient
@testable import CleverAgentsEgress
import CleverAgentsRuntime
import CleverAgentsTestSupport
import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import ServiceLifecycle
import Synchronization
import Testing

/// The outbound client against real sockets: it connects to the address it checked, and to
/// nothing the policy refuses, follows no redirect, and still verifies certificates by name.
@Suite(.timeLimit(.minutes(2))) struct EgressHTTPClientTests {
    /// An in-memory resolver (our port): each host answers its scripted lists in turn, the last
    /// one from then on; every lookup is counted.
    final class ScriptedResolver: HostResolver {
        private let state: Mutex<(answers: [String: [[String]]], lookups: Int)>

        init(_ answers: [String: [[String]]]) {
            state = Mutex((answers, 0))
        }

        var lookups: Int { state.withLock { $0.lookups } }

        func addresses(of host: String, port: Int) async throws -> [String] {
            try state.withLock { state in
                state.lookups += 1
                guard var queue = state.answers[host], let first = queue.first else { throw CancellationError() }
                if queue.count > 1 { queue.removeFirst() }
                state.answers[host] = queue
                return first
            }
        }
    }

    static func post(_ client: EgressHTTPClient, _ url: String) async throws -> Int {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        let response = try await client.execute(request, deadline: .now() + .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 16)
        return Int(response.status.code)
    }

    @Test func aNameIsResolvedOnceAndConnectedToTheAddressThatWasChecked() async throws {
        let receiver = try await WebhookReceiver.start()
        // A rebinding name: checked as loopback (allowed in development), then metadata.
        let resolver = ScriptedResolver(["rebind.test": [["127.0.0.1"], ["169.254.169.254"]]])
        let client = EgressHTTPClient.testing(.defaults(production: false), resolver)
        do {
            // The system resolver knows no `rebind.test`: the request can only arrive through
            // the checked address.
            #expect(try await Self.post(client, "http://rebind.test:\(receiver.port)/webhook") == 200)
            #expect(resolver.lookups == 1)
            await #expect(throws: EgressRefusal.self, "the name now resolves to metadata") {
                _ = try await Self.post(client, "http://rebind.test:\(receiver.port)/webhook")
            }
            #expect(receiver.received.count == 1, "nothing was sent to the refused address")
        } catch {
            try await client.shutdown()
            try await receiver.stop()
            throw error
        }
        try await client.shutdown()
        try await receiver.stop()
    }

    @Test func productionConnectsToNoLoopbackAddressByAddressOrByName() async throws {
        let receiver = try await WebhookReceiver.start()
        let client = EgressHTTPClient.testing(.defaults(production: true), ScriptedResolver(["inside.test": [["127.0.0.1"]]]))
        await #expect(throws: EgressRefusal.self) { _ = try await Self.post(client, "https://127.0.0.1:\(receiver.port)/webhook") }
        await #expect(throws: EgressRefusal.self) { _ = try await Self.post(client, "https://inside.test:\(receiver.port)/webhook") }
        await #expect(throws: EgressRefusal.self, "plain HTTP") { _ = try await Self.post(client, "http://example.com/webhook") }
        await #expect(throws: EgressResolutionFailure.self) { _ = try await Self.post(client, "https://unknown.test/webhook") }
        #expect(receiver.received.isEmpty)
        try await client.shutdown()
        try await receiver.stop()
    }

    @Test func redirectsAreNeverFollowed() async throws {
        let target = try await WebhookReceiver.start()
        let redirector = try await TestHTTPServer.start { router in
            router.post("/go") { _, _ in
                Response(status: .found, headers: [.location: "http://127.0.0.1:\(target.port)/webhook"])
            }
        }
        let client = EgressHTTPClient.testing(.defaults(production: false), ScriptedResolver([:]))
        #expect(try await Self.post(client, "http://127.0.0.1:\(redirector.port)/go") == 302)
        #expect(target.received.isEmpty)
        try await client.shutdown()
        try await redirector.stop()
        try await target.stop()
    }

    @Test func idlePinnedClientsStayWithinTheirBound() async throws {
        let receiver = try await WebhookReceiver.start()
        let names = (0..<20).map { "host\($0).test" }
        let resolver = ScriptedResolver(Dictionary(uniqueKeysWithValues: names.map { ($0, [["127.0.0.1"]]) }))
        let client = EgressHTTPClient.testing(.defaults(production: false), resolver, pinned: 4)
        for name in names {
            #expect(try await Self.post(client, "http://\(name):\(receiver.port)/webhook") == 200)
            #expect(client.pinnedClientCount <= 4)
        }
        #expect(receiver.received.count == 20)
        try await client.shutdown()
        try await receiver.stop()
    }

    @Test func aPinnedTLSConnectionVerifiesTheCertificateForTheNameAndNeedsTLS12() async throws {
        let certificates = try await TestCertificates.make(names: ["DNS:graph.test"])
        defer { certificates.remove() }
        var serverTLS = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificates.certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: certificates.key, format: .pem))
        )
        let server = try await TestHTTPServer.start(tls: serverTLS) { router in
            router.get("/ok") { _, _ in "ok" }
        }
        serverTLS.maximumTLSVersion = .tlsv11
        serverTLS.minimumTLSVersion = .tlsv1
        let oldServer = try await TestHTTPServer.start(tls: serverTLS) { router in
            router.get("/ok") { _, _ in "ok" }
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(certificates.ca)
        let resolver = ScriptedResolver(["graph.test": [["127.0.0.1"]], "other.test": [["127.0.0.1"]]])
        let client = EgressHTTPClient.testing(.defaults(production: false), resolver, tls: tls)
        do {
            let response = try await client.execute(HTTPClientRequest(url: "https://graph.test:\(server.port)/ok"), deadline: .now() + .seconds(10))
            #expect(response.status == .ok)
            _ = try await response.body.collect(upTo: 1024)
            await #expect(throws: (any Error).self, "the certificate is not for other.test") {
                _ = try await client.execute(HTTPClientRequest(url: "https://other.test:\(server.port)/ok"), deadline: .now() + .seconds(10))
            }
            await #expect(throws: (any Error).self, "TLS 1.1 is refused") {
                _ = try await client.execute(HTTPClientRequest(url: "https://graph.test:\(oldServer.port)/ok"), deadline: .now() + .seconds(10))
            }
        } catch {
            try await client.shutdown()
            try await server.stop()
            try await oldServer.stop()
            throw error
        }
        try await client.shutdown()
        try await server.stop()
        try await oldServer.stop()
    }
}
