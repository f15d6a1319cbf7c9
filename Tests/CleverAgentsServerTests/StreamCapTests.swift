//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import CleverAgentsRuntime
@testable import CleverAgentsServer
import CleverAgentsTestSupport
import Foundation
import Logging
import Testing

/// The caps on open streams per caller and per namespace, over HTTP: refusals are HTTP 429 with
/// `-32053`, and a stream frees its slot when its task ends or when its client disconnects.
@Suite(.enabled(if: TestEnvironment.hasServices), .serialized, .timeLimit(.minutes(3))) struct StreamCapTests {
    @Test func streamsBeyondTheCapsAreRefusedAndClosedStreamsFreeTheirSlots() async throws {
        // The server's log, to show that clients leaving their streams are no errors.
        let sink = OutputSink.memory()
        var logger = Logger(label: "cleveragents") { JSONLogHandler(label: $0, level: .info, output: sink) }
        logger.logLevel = .info
        let server = try await TestServer.start(logger: logger) { $0.limits.streams = StreamLimits(perPrincipal: 2, perNamespace: 3) }
        do {
            let namespace = try await server.createNamespace(authMode: .required, assistant: "ask")
            let endpoint = server.endpoint(namespace.rawValue)
            let alicePrincipal = TestEnvironment.uniqueName("alice")
            let alice = try await IsolationTests.token(server, namespace, alicePrincipal, .member)
            let bob = try await IsolationTests.token(server, namespace, TestEnvironment.uniqueName("bob"), .member)
            var aliceTasks: [String] = []
            for index in 0..<3 { aliceTasks.append(try await Self.askingTask(endpoint, token: alice, text: "a\(index)")) }
            let bobTask = try await Self.askingTask(endpoint, token: bob, text: "b")
            // Active: its namespace answered the calls above.
            let actor = try #require(server.server.service.directory.activeActor(for: namespace))

            let first = try await Self.subscribe(server, namespace, aliceTasks[0], token: alice)
            let second = try await Self.subscribe(server, namespace, aliceTasks[1], token: alice)
            let refused = try await Self.subscribeRefused(endpoint, aliceTasks[2], token: alice)
            #expect(refused.status == 429)
            #expect(refused.errorCode == JSONRPCError.rateLimitedCode)
            #expect(refused.text.contains("at most 2 streams may be open per caller"), "\(refused.text)")

            let third = try await Self.subscribe(server, namespace, bobTask, token: bob)
            let full = try await Self.subscribeRefused(endpoint, bobTask, token: bob)
            #expect(full.status == 429)
            #expect(full.text.contains("at most 3 streams may be open in this namespace"), "\(full.text)")
            #expect(await actor.openStreamCount() == 3)

            // A client that disconnects from its quiet stream frees the slot at once.
            await second.close()
            #expect(await waitUntil(.seconds(30)) { await actor.openStreamCount(principal: alicePrincipal) == 1 })
            let replacement = try await Self.subscribe(server, namespace, aliceTasks[2], token: alice)

            // A stream whose task ends frees its slot too.
            let answer = #"{"messageId":"yes","taskId":"\#(aliceTasks[0])","role":"ROLE_USER","parts":[{"text":"yes"}]}"#
            let resumed = try await RPCTestClient().post(
                endpoint,
                body: #"{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":\#(answer),"configuration":{"returnImmediately":true}}}"#,
                headers: [("Content-Type", "application/json"), ("Authorization", "Bearer \(alice)")]
            )
            _ = try resumed.result()
            #expect(await first.wait(for: .seconds(60)) { $0.received.contains("TASK_STATE_COMPLETED") })
            #expect(await waitUntil(.seconds(30)) { await actor.openStreamCount() == 2 })
            for connection in [first, third, replacement] { await connection.close() }
            #expect(await waitUntil(.seconds(30)) { await actor.openStreamCount() == 0 })
            let errors = sink.captured.filter { $0.contains(#""level":"error""#) }
            #expect(errors.isEmpty, "a client that leaves its stream is no error: \(errors)")
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    /// A task of `token`'s caller that waits for input (the `ask` graph).
    static func askingTask(_ endpoint: String, token: String, text: String) async throws -> String {
        let message = #"{"messageId":"\#(text)","role":"ROLE_USER","parts":[{"text":"\#(text)"}]}"#
        let sent = try await RPCTestClient().post(
            endpoint,
            body: #"{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":\#(message)}}"#,
            headers: [("Content-Type", "application/json"), ("Authorization", "Bearer \(token)")]
        )
        let task = try sent.result()["task"]
        #expect(task?.at("status.state") == "TASK_STATE_INPUT_REQUIRED")
        return try #require(task?["id"]?.stringValue)
    }

    /// A `SubscribeToTask` stream on its own connection, once its first event arrived.
    static func subscribe(_ server: TestServer, _ namespace: NamespaceName, _ taskId: String, token: String) async throws -> RawConnection {
        let connection = try await RawConnection.connect(port: server.port)
        let body = #"{"jsonrpc":"2.0","id":1,"method":"SubscribeToTask","params":{"id":"\#(taskId)"}}"#
        try await connection.send(
            "POST /ns/\(namespace.rawValue) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Authorization: Bearer \(token)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        )
        let started = await connection.wait(for: .seconds(30)) { $0.received.contains("TASK_STATE_INPUT_REQUIRED") || $0.isClosed }
        #expect(started && connection.received.contains("text/event-stream"), "the stream began: \(connection.received)")
        return connection
    }

    /// A `SubscribeToTask` that is expected to be refused before its stream starts.
    static func subscribeRefused(_ endpoint: String, _ taskId: String, token: String) async throws -> RPCTestClient.Reply {
        try await RPCTestClient().post(
            endpoint,
            body: #"{"jsonrpc":"2.0","id":1,"method":"SubscribeToTask","params":{"id":"\#(taskId)"}}"#,
            headers: [("Content-Type", "application/json"), ("Authorization", "Bearer \(token)")]
        )
    }
}
