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

/// The two ways to reach an agent, for running one protocol suite over both.
enum TransportKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// A real server on a real socket (JSON-RPC over HTTP, SSE).
    case http
    /// A spawned `cleveragents stdio` process on a fresh SQLite store.
    case stdio

    var testDescription: String { rawValue }
}

/// A fresh agent (a server namespace, or a local store) with the test actors, reached through
/// the client library.
struct AgentHarness {
    let client: A2AClient
    let kind: TransportKind

    /// The test actors: `echo` (the default) and `slow` on the test LangGraph server, set up
    /// through `_cleveragents/sync/push` on either transport.
    static func actors() throws -> [SyncPushItem] {
        guard let graphURL = TestEnvironment.langGraphURL else { throw MissingTestService("CLEVERAGENTS_TEST_LANGGRAPH_URL") }
        return try [
            ActorDefinition(name: "echo", graphURL: graphURL, assistantID: "echo", isDefault: true),
            ActorDefinition(name: "slow", graphURL: graphURL, assistantID: "slow"),
        ].map { SyncPushItem(op: .upsert, kind: EntityKinds.actor, name: $0.name, baseRevision: 0, body: try $0.entityBody()) }
    }

    static func with(_ kind: TransportKind, _ body: (AgentHarness) async throws -> Void) async throws {
        switch kind {
        case .http:
            let server = try await TestServer.start()
            do {
                let namespace = try await server.createNamespace(assistant: nil)
                let (transport, card) = try await HTTPTransport.discover(baseURL: server.endpoint(namespace.rawValue))
                #expect(card.supportedInterfaces.first?.url == server.endpoint(namespace.rawValue))
                let client = A2AClient(transport: transport)
                _ = try await client.syncPush(SyncPushRequest(batchId: UUID().uuidString, items: try actors()))
                try await body(AgentHarness(client: client, kind: kind))
                try await client.close()
            } catch {
                try await server.stop()
                throw error
            }
            try await server.stop()
        case .stdio:
            try await withTemporaryDirectory { directory in
                let transport = try await StdioTransport.launch(
                    executable: ChildProcess.cleveragents,
                    arguments: ["stdio", "--store", directory.appendingPathComponent("local.sqlite").path]
                )
                let client = A2AClient(transport: transport)
                do {
                    _ = try await client.syncPush(SyncPushRequest(batchId: UUID().uuidString, items: try actors()))
                    try await body(AgentHarness(client: client, kind: kind))
                } catch {
                    try? await client.close()
                    throw error
                }
                try await client.close()
                #expect(await transport.waitForExit(grace: .seconds(30)) == 0, "local mode exits cleanly at the end of its input")
            }
        }
    }
}

/// Runs `body` with a new empty directory, removed afterwards.
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(TestEnvironment.uniqueName("cleveragents-test"))
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory)
}

/// The JSON-RPC error code a call failed with.
func rpcErrorCode(_ body: () async throws -> Void) async -> Int? {
    do {
        try await body()
        return nil
    } catch let error as A2AClientError {
        return error.rpcError?.code
    } catch {
        return nil
    }
}

extension Message {
    static func user(_ text: String, data: JSONObject? = nil, taskId: String? = nil, actor: String? = nil) -> Message {
        var parts: [Part] = [.text(text)]
        if let data { parts.append(.data(.object(data))) }
        return Message(
            messageId: UUID().uuidString.lowercased(),
            taskId: taskId,
            role: .user,
            parts: parts,
            metadata: actor.map { ["actor": .string($0)] }
        )
    }
}
