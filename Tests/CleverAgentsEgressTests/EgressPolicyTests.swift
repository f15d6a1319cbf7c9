//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

@testable import CleverAgentsRuntime
import Testing

/// The egress policy's rules on URLs and addresses, without a network.
@Suite(.timeLimit(.minutes(2))) struct EgressPolicyTests {
    static let production = EgressPolicy.defaults(production: true)

    func refused(_ policy: EgressPolicy, _ url: String, purpose: EgressPolicy.Purpose = .graph) -> Bool {
        do {
            _ = try policy.checkSaved(url, purpose: purpose)
            return false
        } catch {
            return true
        }
    }

    @Test(arguments: [
        "http://127.0.0.1:8080", "https://169.254.169.254/latest/meta-data", "https://[fd00:ec2::254]", "https://10.1.2.3",
        "https://172.16.0.1", "https://192.168.1.1", "https://100.64.0.1", "https://0.0.0.0", "https://[::1]", "https://[::ffff:127.0.0.1]",
        "https://[::ffff:169.254.169.254]", "https://[64:ff9b::a9fe:a9fe]", "https://[2002:7f00:1::]", "https://[fe80::1]", "https://[fc00::1]",
        "https://192.0.2.1", "https://224.0.0.1", "https://255.255.255.255", "https://198.18.0.1", "https://[::127.0.0.1]",
    ])
    func productionRefusesEverySpecialPurposeAddress(url: String) {
        #expect(refused(Self.production, url), "\(url) must be refused")
        #expect(refused(Self.production, url, purpose: .webhook))
    }

    @Test func publicAddressesAndNamesPassTheSavedCheck() throws {
        #expect(try Self.production.checkSaved("https://93.184.216.34/graph", purpose: .graph).hostIsAddress)
        // A name is not resolved when saved: its addresses are checked at every connection.
        #expect(try Self.production.checkSaved("https://graphs.example.com", purpose: .graph).hostIsAddress == false)
        #expect(try Self.production.checkSaved("https://[2606:4700::1111]:8443", purpose: .graph).port == 8443)
    }

    @Test func graphURLsCarryNoQueryNoFragmentAndNoCredentials() {
        for url in ["https://graphs.example.com/#", "https://graphs.example.com/x?y=1", "https://graphs.example.com#frag", "https://user:pw@graphs.example.com"] {
            #expect(refused(Self.production, url), "\(url)")
        }
        #expect(!refused(Self.production, "https://hooks.example.com/x?token=1", purpose: .webhook), "webhooks may have a query")
        #expect(refused(Self.production, "https://hooks.example.com/x#", purpose: .webhook), "but no fragment")
        #expect(refused(Self.production, "ftp://graphs.example.com"))
        #expect(refused(Self.production, "/relative"))
        #expect(refused(Self.production, "https://graphs.example.com/" + String(repeating: "a", count: 2100)))
    }

    @Test func plainHTTPIsForDevelopmentOrAllowListedHosts() {
        #expect(refused(Self.production, "http://graphs.example.com"))
        #expect(!refused(.defaults(production: false), "http://graphs.example.com"))
        var listed = Self.production
        listed.allowList = ["graphs.internal", "10.9.0.0/16"]
        #expect(!refused(listed, "http://graphs.internal:8123"))
        #expect(!refused(listed, "http://10.9.1.2:8123"))
        #expect(refused(listed, "http://10.8.1.2:8123"), "outside the listed range")
    }

    @Test func developmentReachesLoopbackButNeverMetadata() throws {
        let development = EgressPolicy.defaults(production: false)
        #expect(!refused(development, "http://127.0.0.1:2024"))
        #expect(!refused(development, "http://[::1]:2024"))
        #expect(refused(development, "http://169.254.169.254"))
        #expect(refused(development, "http://10.0.0.1"))
    }

    @Test func allowListEntriesNameHostsWildcardsAndRanges() throws {
        var policy = Self.production
        policy.allowList = ["langgraph.agents.svc.cluster.local", "*.corp.example", "10.20.0.0/16", "fd12::/16"]
        let exact = try policy.target(of: "https://langgraph.agents.svc.cluster.local", purpose: .graph)
        try policy.check(address: "10.99.0.1", of: exact)
        let wild = try policy.target(of: "https://a.b.corp.example", purpose: .graph)
        try policy.check(address: "192.168.0.9", of: wild)
        let apex = try policy.target(of: "https://corp.example", purpose: .graph)
        #expect(throws: EgressRefusal.self, "the wildcard does not cover the name itself") { try policy.check(address: "192.168.0.9", of: apex) }
        let other = try policy.target(of: "https://other.example", purpose: .graph)
        try policy.check(address: "10.20.3.4", of: other)
        try policy.check(address: "fd12::5", of: other)
        #expect(throws: EgressRefusal.self) { try policy.check(address: "10.21.3.4", of: other) }
        #expect(throws: EgressRefusal.self) { try policy.check(address: "not an address", of: other) }
        try policy.check(address: "93.184.216.34", of: other)
        #expect(EgressPolicy.isValidAllowListEntry("*.corp.example"))
        #expect(EgressPolicy.isValidAllowListEntry("10.0.0.0/8"))
        #expect(!EgressPolicy.isValidAllowListEntry("10.0.0.0/99"))
        #expect(!EgressPolicy.isValidAllowListEntry("bad host"))
    }

    @Test func portsAndTheAllowListOnlyModeNarrowWhatIsReachable() throws {
        var policy = Self.production
        policy.allowedPorts = [443]
        #expect(!refused(policy, "https://graphs.example.com"))
        #expect(refused(policy, "https://graphs.example.com:8443"))
        policy.allowedPorts = []
        policy.allowListOnly = true
        policy.allowList = ["graphs.example.com"]
        try policy.check(address: "93.184.216.34", of: try policy.target(of: "https://graphs.example.com", purpose: .graph))
        let unlisted = try policy.target(of: "https://elsewhere.example.com", purpose: .graph)
        #expect(throws: EgressRefusal.self) { try policy.check(address: "93.184.216.34", of: unlisted) }
    }

    @Test func refusalsSayWhichRuleRefused() throws {
        let target = try Self.production.target(of: "https://graphs.example.com", purpose: .graph)
        do {
            try Self.production.check(address: "169.254.169.254", of: target)
            Issue.record("metadata must be refused")
        } catch {
            #expect(error.description.contains("link-local"))
        }
    }
}
