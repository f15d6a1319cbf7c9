//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import Testing

/// A scripted agent on a real socket: each request gets the next scripted answer.
final class ScriptedAgent: Sendable {
    struct Answer: Sendable {
        var status: HTTPResponse.Status = .ok
        var contentType = "application/json"
        var body: String
        var headers: [String: String] = [:]
    }

    private let state = Mutex<(answers: [String: [Answer]], requests: [(path: String, body: String, authorization: String?)])>(([:], []))
    private let running: Task<Void, any Error>
    private let group: ServiceGroup
    let port: Int

    private init(port: Int, running: Task<Void, any Error>, group: ServiceGroup) {
        self.port = port
        self.running = running
        self.group = group
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Queues answers for a path (the last one repeats).
    func script(_ path: String, _ answers: [Answer]) {
        state.withLock { $0.answers[path] = answers }
    }

    var requests: [(path: String, body: String, authorization: String?)] { state.withLock { $0.requests } }

    /// Runs `body` with a started agent and stops it afterwards, whether `body` throws or not.
    static func with(_ body: (ScriptedAgent) async throws -> Void) async throws {
        let agent = try await start()
        do {
            try await body(agent)
        } catch {
            try await agent.stop()
            throw error
        }
        try await agent.stop()
    }

    static func start() async throws -> ScriptedAgent {
        let box = Mutex<ScriptedAgent?>(nil)
        let router = Router()
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            let path = request.uri.path
            let answer = box.withLock { $0 }?.state.withLock { state -> Answer? in
                state.requests.append((path, String(buffer: body), request.headers[.authorization]))
                guard var answers = state.answers[path], !answers.isEmpty else { return nil }
                let next = answers.count > 1 ? answers.removeFirst() : answers[0]
                state.answers[path] = answers
                return next
            } ?? Answer(status: .notFound, body: "{}")
            var headers: HTTPFields = [.contentType: answer.contentType]
            for (name, value) in answer.headers { headers[HTTPField.Name(name)!] = value }
            return Response(status: answer.status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: answer.body)))
        }
        router.post("/**", use: handler)
        router.get("/**", use: handler)
        var logger = Logger(label: "scripted-agent")
        logger.logLevel = .critical
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger
        )
        let group = ServiceGroup(services: [app], logger: logger)
        let running = Task { try await group.run() }
        var port = 0
        for await value in ports { port = value }
        let agent = ScriptedAgent(port: port, running: running, group: group)
        box.withLock { $0 = agent }
        return agent
    }

    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
    }

    static func card(url: String, version: String = "1.0", tenant: String? = nil) -> String {
        let tenantField = tenant.map { #","tenant":"\#($0)""# } ?? ""
        return #"{"name":"a","description":"d","version":"1","capabilities":{},"defaultInputModes":[],"defaultOutputModes":[],"skills":[],"supportedInterfaces":[{"url":"\#(url)","protocolBinding":"JSONRPC","protocolVersion":"\#(version)"\#(tenantField)}]}"#
    }

    static let task = #"{"jsonrpc":"2.0","id":"x","result":{"id":"t1","contextId":"c1","status":{"state":"TASK_STATE_COMPLETED"}}}"#
    static let unavailable = Answer(status: .serviceUnavailable, body: #"{"jsonrpc":"2.0","id":null,"error":{"code":-32054,"message":"Service unavailable"}}"#, headers: ["Retry-After": "0"])
}

/// The HTTP transport against a scripted agent: retries, errors, SSE, card discovery, tenant.
@Suite(.serialized, .timeLimit(.minutes(2))) struct HTTPTransportTests {
    let fast = RetryPolicy(maximumAttempts: 3, initialBackoff: .milliseconds(1), maximumBackoff: .milliseconds(5))

    func withAgent(_ body: (ScriptedAgent) async throws -> Void) async throws {
        try await ScriptedAgent.with(body)
    }

    @Test func idempotentCallsAreRetriedOn503AndOthersAreNot() async throws {
        try await withAgent { agent in
            let client = A2AClient(transport: HTTPTransport(endpoint: agent.baseURL + "/rpc", token: "tok", retry: fast))
            agent.script("/rpc", [ScriptedAgent.unavailable, ScriptedAgent.unavailable, .init(body: ScriptedAgent.task)])
            let task = try await client.getTask(GetTaskRequest(id: "t1"))
            #expect(task.id == "t1")
            #expect(agent.requests.count == 3)
            #expect(agent.requests.allSatisfy { $0.authorization == "Bearer tok" })
            #expect(agent.requests.last?.body.contains(#""method":"GetTask""#) == true)

            agent.script("/rpc", [ScriptedAgent.unavailable, .init(body: ScriptedAgent.task)])
            let error = await #expect(throws: A2AClientError.self) {
                _ = try await client.sendMessage(SendMessageRequest(message: Message(messageId: "m", role: .user, parts: [.text("x")])))
            }
            #expect(error?.rpcError?.code == -32054)
            #expect(agent.requests.count == 4, "SendMessage is tried once, as the A2A Python SDK does")

            let once = A2AClient(transport: HTTPTransport(endpoint: agent.baseURL + "/rpc", retry: .none))
            agent.script("/rpc", [ScriptedAgent.unavailable, .init(body: ScriptedAgent.task)])
            await #expect(throws: A2AClientError.self) { _ = try await once.getTask(GetTaskRequest(id: "t1")) }
        }
    }

    @Test func answersThatAreNotJSONRPCAreClearErrors() async throws {
        try await withAgent { agent in
            let client = A2AClient(transport: HTTPTransport(endpoint: agent.baseURL + "/rpc", retry: fast))
            agent.script("/rpc", [.init(status: .badRequest, contentType: "text/plain", body: "nope")])
            let http = await #expect(throws: A2AClientError.self) { _ = try await client.getTask(GetTaskRequest(id: "t")) }
            #expect(http == .http(status: 400, body: "nope"))
            agent.script("/rpc", [.init(body: "[]")])
            let invalid = await #expect(throws: A2AClientError.self) { _ = try await client.getTask(GetTaskRequest(id: "t")) }
            if case .invalidResponse = invalid {} else { Issue.record("expected an invalid response, got \(String(describing: invalid))") }

            let unreachable = A2AClient(transport: HTTPTransport(endpoint: "http://127.0.0.1:1/rpc", retry: fast))
            let transport = await #expect(throws: A2AClientError.self) { _ = try await unreachable.getTask(GetTaskRequest(id: "t")) }
            if case .transport = transport {} else { Issue.record("expected a transport error, got \(String(describing: transport))") }
        }
    }

    @Test func streamsAreServerSentEventsAndAnErrorEventEndsThem() async throws {
        try await withAgent { agent in
            let client = A2AClient(transport: HTTPTransport(endpoint: agent.baseURL + "/rpc"))
            let events = """
                data: {"jsonrpc":"2.0","id":1,"result":{"task":{"id":"t1","contextId":"c1","status":{"state":"TASK_STATE_WORKING"}}}}

                : keep-alive

                event: error
                data: {"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"Internal error"}}


                """
            agent.script("/rpc", [.init(contentType: "text/event-stream", body: events)])
            var received: [StreamResponse] = []
            let error = await #expect(throws: A2AClientError.self) {
                for try await event in try await client.subscribeToTask(SubscribeToTaskRequest(id: "t1")) { received.append(event) }
            }
            #expect(received.count == 1)
            #expect(error?.rpcError?.code == -32603)

            agent.script("/rpc", [.init(body: #"{"jsonrpc":"2.0","id":1,"error":{"code":-32001,"message":"Task not found: t9"}}"#)])
            let early = await #expect(throws: A2AClientError.self) { _ = try await client.subscribeToTask(SubscribeToTaskRequest(id: "t9")) }
            #expect(early?.rpcError?.code == -32001, "an error before the stream is thrown by the call itself")
        }
    }

    @Test func discoveryReadsTheCardAndAddsTheInterfacesTenant() async throws {
        try await withAgent { agent in
            agent.script("/ns/a/.well-known/agent-card.json", [ScriptedAgent.unavailable, .init(body: ScriptedAgent.card(url: agent.baseURL + "/rpc", tenant: "acme"))])
            let (transport, card) = try await HTTPTransport.discover(baseURL: agent.baseURL + "/ns/a/", retry: fast)
            #expect(card.name == "a")
            #expect(transport.endpoint == agent.baseURL + "/rpc")
            #expect(transport.tenant == "acme")
            agent.script("/rpc", [.init(body: ScriptedAgent.task)])
            _ = try await A2AClient(transport: transport).getTask(GetTaskRequest(id: "t1"))
            #expect(agent.requests.last?.body.contains(#""tenant":"acme""#) == true)

            agent.script("/ns/old/.well-known/agent-card.json", [.init(body: #"{"name":"old","url":"http://old.example","protocolVersion":"0.3.0"}"#)])
            let legacy = await #expect(throws: A2AClientError.self) { _ = try await HTTPTransport.discover(baseURL: agent.baseURL + "/ns/old") }
            #expect(legacy?.description.contains("0.3.0") == true)
            agent.script("/ns/bad/.well-known/agent-card.json", [.init(body: "not json")])
            await #expect(throws: A2AClientError.self) { _ = try await HTTPTransport.discover(baseURL: agent.baseURL + "/ns/bad") }
            await #expect(throws: A2AClientError.self) { _ = try await HTTPTransport.discover(baseURL: agent.baseURL + "/ns/missing") }
        }
    }
}
