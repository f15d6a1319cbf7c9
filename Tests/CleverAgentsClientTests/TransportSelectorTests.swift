//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsClient
import CleverAgentsDomain
import CleverAgentsTestSupport
import Foundation
import Testing

@Suite(.timeLimit(.minutes(2))) struct TransportSelectorTests {
    let file = ProfileFile(
        default: "team",
        profiles: [
            "local": .init(store: "~/agents/local.sqlite", graphUrl: "http://127.0.0.1:2024", assistant: "agent"),
            "team": .init(url: "https://agents.example.com/ns/acme", tokenEnv: "ACME_TOKEN"),
            "staging": .init(url: "https://staging.example.com/ns/acme", token: "literal"),
            "both": .init(store: "/x", url: "https://x.example.com"),
            "neither": .init(),
            "ftp": .init(url: "ftp://x.example.com"),
        ]
    )

    func selector(_ environment: [String: String] = ["HOME": "/home/dev", "ACME_TOKEN": "secret"]) -> TransportSelector {
        TransportSelector(environment: environment, defaultExecutable: "/opt/bin/cleveragents")
    }

    @Test func anExplicitURLOrStoreWinsOverProfiles() throws {
        let url = try selector(["CLEVERAGENTS_TOKEN": "from-env", "HOME": "/h"]).select(.init(profile: "local", url: "https://x.example.com/ns/a"), file: file)
        #expect(url.profile == .server(ServerProfile(url: "https://x.example.com/ns/a", token: "from-env")))
        #expect(url.reason == "--url")
        let withToken = try selector().select(.init(url: "https://x.example.com/ns/a", token: "flag"), file: file)
        #expect(withToken.profile == .server(ServerProfile(url: "https://x.example.com/ns/a", token: "flag")))
        let store = try selector().select(.init(profile: "team", store: "~/s.sqlite"), file: file)
        #expect(store.profile == .local(LocalProfile(store: "/home/dev/s.sqlite", executable: "/opt/bin/cleveragents")))
    }

    @Test func aNamedProfileIsLocalOrServer() throws {
        let local = try selector().select(.init(profile: "local"), file: file)
        #expect(local.profile == .local(LocalProfile(store: "/home/dev/agents/local.sqlite", executable: "/opt/bin/cleveragents", graphURL: "http://127.0.0.1:2024", assistant: "agent")))
        #expect(local.name == "local")
        guard case .local(let profile) = local.profile else { return }
        #expect(profile.stdioArguments == ["stdio", "--store", "/home/dev/agents/local.sqlite", "--graph-url", "http://127.0.0.1:2024", "--assistant", "agent"])
        #expect(try selector().select(.init(profile: "team"), file: file).profile == .server(ServerProfile(url: "https://agents.example.com/ns/acme", token: "secret")))
        #expect(try selector().select(.init(profile: "staging"), file: file).profile == .server(ServerProfile(url: "https://staging.example.com/ns/acme", token: "literal")))
    }

    @Test func theProfileComesFromTheFlagThenTheEnvironmentThenTheFileDefault() throws {
        let fromEnvironment = try selector(["HOME": "/h", "CLEVERAGENTS_PROFILE": "staging"]).select(.init(), file: file)
        #expect(fromEnvironment.name == "staging")
        #expect(fromEnvironment.reason == "CLEVERAGENTS_PROFILE")
        let fromFlag = try selector(["HOME": "/h", "CLEVERAGENTS_PROFILE": "staging"]).select(.init(profile: "local"), file: file)
        #expect(fromFlag.name == "local")
        let fromDefault = try selector().select(.init(), file: file)
        #expect(fromDefault.name == "team")
        let nothing = try selector(["HOME": "/h"]).select(.init(), file: ProfileFile())
        #expect(nothing.profile == .local(LocalProfile(store: "/h/.local/share/cleveragents/local.sqlite", executable: "/opt/bin/cleveragents")))
        let implicitLocal = try selector(["HOME": "/h", "XDG_DATA_HOME": "/data"]).select(.init(profile: "local"), file: ProfileFile())
        #expect(implicitLocal.profile == .local(LocalProfile(store: "/data/cleveragents/local.sqlite", executable: "/opt/bin/cleveragents")))
    }

    @Test(arguments: ["missing", "both", "neither", "ftp"])
    func unusableProfilesAreRefusedWithTheReason(_ name: String) throws {
        #expect(throws: ProfileError.self) { try selector().select(.init(profile: name), file: file) }
    }

    @Test func aTokenVariableThatIsNotSetIsAnError() throws {
        let error = #expect(throws: ProfileError.self) { try selector(["HOME": "/h"]).select(.init(profile: "team"), file: file) }
        #expect(error?.message.contains("ACME_TOKEN") == true)
    }

    @Test func theProfilesFileIsReadAndWritten() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(TestEnvironment.uniqueName("profiles") + ".json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try ProfileFile.load(path: path) == ProfileFile(), "a missing file is empty")
        try file.save(path: path)
        #expect(try ProfileFile.load(path: path) == file)
        try Data("{".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ProfileError.self) { try ProfileFile.load(path: path) }
        #expect(ProfileFile.defaultPath(environment: ["CLEVERAGENTS_PROFILES": "/p.json"]) == "/p.json")
        #expect(ProfileFile.defaultPath(environment: ["HOME": "/h"]) == "/h/.config/cleveragents/profiles.json")
        #expect(ProfileFile.defaultPath(environment: ["HOME": "/h", "XDG_CONFIG_HOME": "/c"]) == "/c/cleveragents/profiles.json")
    }

    @Test func theJSONRPCInterfaceFor10IsPreferred() throws {
        func card(_ interfaces: [AgentInterface]) -> AgentCard {
            AgentCard(name: "a", description: "d", supportedInterfaces: interfaces, version: "1", capabilities: AgentCapabilities(), defaultInputModes: [], defaultOutputModes: [], skills: [])
        }
        let chosen = try AgentCardResolver.jsonRPCInterface(of: card([
            AgentInterface(url: "https://a/03", protocolVersion: "0.3"),
            AgentInterface(url: "https://a/grpc", protocolBinding: "GRPC", protocolVersion: "1.0"),
            AgentInterface(url: "https://a/10", protocolVersion: "1.0.1"),
        ]))
        #expect(chosen.url == "https://a/10")
        #expect(try AgentCardResolver.jsonRPCInterface(of: card([AgentInterface(url: "https://a/unversioned", protocolVersion: "")])).url == "https://a/unversioned")
        #expect(throws: A2AClientError.self) { try AgentCardResolver.jsonRPCInterface(of: card([AgentInterface(url: "https://a/03", protocolVersion: "0.3")])) }
    }

    @Test func retriesBackOffAndHonourRetryAfter() {
        let policy = RetryPolicy(maximumAttempts: 4, initialBackoff: .milliseconds(100), maximumBackoff: .seconds(1))
        #expect(policy.backoff(after: 1) == .milliseconds(100))
        #expect(policy.backoff(after: 2) == .milliseconds(200))
        #expect(policy.backoff(after: 5) == .seconds(1))
        #expect(policy.backoff(after: 1, retryAfter: .seconds(3)) == .seconds(3))
        #expect(RetryPolicy.none.maximumAttempts == 1)
    }
}

/// The selector connects each kind of profile with its transport, for real.
@Suite(.enabled(if: TestEnvironment.hasServices), .serialized, .timeLimit(.minutes(5))) struct TransportSelectionTests {
    @Test func aServerProfileGetsHTTPAfterCardDiscoveryAndALocalProfileGetsStdio() async throws {
        let server = try await TestServer.start()
        do {
            let namespace = try await server.createNamespace()
            let selector = TransportSelector(defaultExecutable: ChildProcess.cleveragents)
            let http = try await selector.transport(for: .server(ServerProfile(url: server.endpoint(namespace.rawValue) + "/")))
            #expect(http is HTTPTransport)
            #expect(http.endpointDescription == server.endpoint(namespace.rawValue))
            #expect(try await A2AClient(transport: http).syncStatus().kinds["actor"] == 1)

            try await withTemporaryDirectory { directory in
                let store = directory.appendingPathComponent("s.sqlite").path
                let stdio = try await selector.transport(for: .local(LocalProfile(store: store)))
                #expect(stdio is StdioTransport)
                #expect(stdio.endpointDescription.contains(store))
                #expect(try await A2AClient(transport: stdio).syncStatus().head == 0)
                try await stdio.close()
            }
            await #expect(throws: A2AClientError.self) {
                _ = try await selector.transport(for: .server(ServerProfile(url: server.baseURL + "/ns/no-such-namespace")))
            }
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }
}
