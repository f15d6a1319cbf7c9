//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import CleverAgentsHTTP
import CleverAgentsServer
import CleverAgentsTestSupport
import Foundation
import Synchronization
import Testing

/// What one client may hold of the server's connections, on real sockets: the request head
/// deadline (slowloris), the idle timeout, the connection cap, and streams that outlive the
/// idle timeout.
@Suite(.enabled(if: TestEnvironment.hasServices), .serialized, .timeLimit(.minutes(3))) struct ConnectionBoundsTests {
    /// Connections that trickle a request head, one byte every 100 ms, are closed once the head
    /// is overdue, while a connection that sent its request at once is served and kept.
    @Test func connectionsTricklingARequestHeadAreClosedAfterTheHeaderTimeout() async throws {
        let server = try await TestServer.start {
            $0.http.connectionBounds = HTTPConnectionBounds(idleTimeoutSeconds: 600, headerTimeoutSeconds: 2, maximumConnections: 10_000)
        }
        do {
            let count = 500
            var opening: [RawConnection] = []
            for _ in 0..<count {
                let connection = try await RawConnection.connect(port: server.port)
                try await connection.send("POST /ns/slowloris HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                opening.append(connection)
            }
            let slow = opening
            let served = try await RawConnection.connect(port: server.port)
            try await served.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")

            let opened = ContinuousClock.now
            let trickling = Task {
                // One header byte per connection every 100 ms, for as long as the server listens.
                let header = Array("X-Slow: " + String(repeating: "a", count: 4096))
                for index in header.indices {
                    if Task.isCancelled || slow.allSatisfy(\.isClosed) { return }
                    for connection in slow where !connection.isClosed {
                        try? await connection.send(String(header[index]))
                    }
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            // Held over time, for the record: how many trickling connections are still open.
            var held: [String] = []
            for seconds in [1, 2, 3, 4, 6, 10] {
                try await Task.sleep(until: opened + .seconds(seconds), clock: .continuous)
                held.append("\(seconds) s: \(slow.filter { !$0.isClosed }.count)")
            }
            print("slowloris connections still open of \(count) (header timeout 2 s): \(held.joined(separator: ", "))")
            let allClosed = await waitUntil(.seconds(60)) { slow.allSatisfy(\.isClosed) }
            trickling.cancel()
            #expect(allClosed, "\(slow.filter { !$0.isClosed }.count) of \(count) trickling connections are still open")
            #expect(served.responseCount == 1, "the prompt request was answered")
            #expect(!served.isClosed, "a connection resting after its response is kept (idle timeout 600 s)")
            for connection in slow { #expect(connection.received.isEmpty, "a late head gets no answer, only a close") }
            await served.close()
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    /// Over HTTPS the deadline covers the TLS handshake: a client that connects and never
    /// completes it is closed, as is one that stops halfway through a handshake.
    @Test func aStalledTLSHandshakeIsClosedAfterTheHeaderTimeout() async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        let server = try await TestServer.start {
            $0.http.tlsCertificatePath = certificates.certificate
            $0.http.tlsKeyPath = certificates.key
            $0.http.connectionBounds = HTTPConnectionBounds(idleTimeoutSeconds: 600, headerTimeoutSeconds: 1, maximumConnections: 10_000)
        }
        do {
            let silent = try await RawConnection.connect(port: server.port)
            let partial = try await RawConnection.connect(port: server.port)
            // The first bytes of a TLS record header (handshake, TLS 1.0 record version), then nothing.
            try await partial.send("\u{16}\u{03}\u{01}")
            #expect(await waitUntil(.seconds(30)) { silent.isClosed && partial.isClosed }, "both stalled handshakes were closed")
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    /// A keep-alive connection that stops sending requests is closed after the idle timeout; the
    /// answer it had is complete.
    @Test func anIdleKeepAliveConnectionIsClosed() async throws {
        let server = try await TestServer.start {
            $0.http.connectionBounds = HTTPConnectionBounds(idleTimeoutSeconds: 1, headerTimeoutSeconds: 10, maximumConnections: 10_000)
        }
        do {
            let connection = try await RawConnection.connect(port: server.port)
            try await connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let answered = await connection.wait(for: .seconds(30)) { $0.received.contains(#"{"status":"ok"}"#) }
            #expect(answered)
            let closed = await connection.wait(for: .seconds(30)) { $0.isClosed }
            #expect(closed, "the server closed the idle connection")
            #expect(connection.responseCount == 1)
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    /// With a cap of 4, eight clients connect (the kernel completes their connections) and send a
    /// request: four are served and the rest wait unaccepted; each connection that closes lets
    /// exactly one more in. The server never has more than 4 open.
    @Test func theConnectionCapHolds() async throws {
        let cap = 4
        let server = try await TestServer.start {
            $0.http.connectionBounds = HTTPConnectionBounds(idleTimeoutSeconds: 600, headerTimeoutSeconds: 60, maximumConnections: cap)
        }
        let peak = Mutex(0)
        let sampler = Task {
            while !Task.isCancelled {
                let open = server.server.openConnections.current
                peak.withLock { $0 = max($0, open) }
                try? await Task.sleep(for: .milliseconds(2))
            }
        }
        do {
            var connections: [RawConnection] = []
            for _ in 0..<(2 * cap) {
                let connection = try await RawConnection.connect(port: server.port)
                try await connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                connections.append(connection)
            }
            func served() -> [RawConnection] { connections.filter { $0.responseCount > 0 } }
            #expect(await waitUntil(.seconds(30)) { served().count == cap })
            #expect(server.server.openConnections.current == cap)

            // Each close admits exactly one waiting connection.
            for round in 1...cap {
                let done = served().first { !$0.isClosed }
                await done?.close()
                #expect(await waitUntil(.seconds(30)) { served().count == cap + round }, "round \(round)")
                #expect(server.server.openConnections.current <= cap)
            }
            #expect(served().count == 2 * cap)
            sampler.cancel()
            #expect(peak.withLock { $0 } <= cap, "the server held \(peak.withLock { $0 }) connections at once")
            for connection in connections { await connection.close() }
        } catch {
            sampler.cancel()
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    /// A `SubscribeToTask` stream on a task waiting for input sends nothing for longer than the
    /// idle timeout: it stays open (an idle connection beside it is closed meanwhile), and it
    /// delivers the task's completion when the task resumes.
    @Test func aQuietStreamOutlivesTheIdleTimeout() async throws {
        let server = try await TestServer.start {
            $0.http.connectionBounds = HTTPConnectionBounds(idleTimeoutSeconds: 1, headerTimeoutSeconds: 10, maximumConnections: 10_000)
        }
        do {
            let namespace = try await server.createNamespace(assistant: "ask")
            let endpoint = server.endpoint(namespace.rawValue)
            let asked = try await RPCTestClient().call(
                endpoint, method: "SendMessage", params: #"{"message":{"messageId":"q","role":"ROLE_USER","parts":[{"text":"deploy"}]}}"#
            )
            let task = try asked.result()["task"]
            #expect(task?.at("status.state") == "TASK_STATE_INPUT_REQUIRED")
            let taskId = try #require(task?["id"]?.stringValue)

            let stream = try await RawConnection.connect(port: server.port)
            let body = #"{"jsonrpc":"2.0","id":1,"method":"SubscribeToTask","params":{"id":"\#(taskId)"}}"#
            try await stream.send(
                "POST /ns/\(namespace.rawValue) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            )
            #expect(await stream.wait(for: .seconds(30)) { $0.received.contains("TASK_STATE_INPUT_REQUIRED") }, "the stream began")

            // Two idle periods pass, measured by connections that rest after their answer.
            for _ in 0..<2 {
                let clock = try await RawConnection.connect(port: server.port)
                try await clock.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                #expect(await clock.wait(for: .seconds(30)) { $0.isClosed }, "an idle connection is closed")
            }
            #expect(!stream.isClosed, "the quiet stream is still open")

            let answer = #"{"messageId":"a","taskId":"\#(taskId)","role":"ROLE_USER","parts":[{"text":"yes"}]}"#
            let resumed = try await RPCTestClient().call(
                endpoint, method: "SendMessage", params: #"{"message":\#(answer),"configuration":{"returnImmediately":true}}"#
            )
            _ = try resumed.result()
            #expect(await stream.wait(for: .seconds(60)) { $0.received.contains("TASK_STATE_COMPLETED") }, "the stream delivered the completion")
            await stream.close()
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }
}
