//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsClient
import CleverAgentsTestSupport
import Foundation
import HTTPTypes
import Testing

/// The HTTP side of the client library at its edges, against a scripted agent on a real socket
/// (behind a fault proxy where a connection must break): retries of broken connections, agent
/// cards that cannot be fetched or used, streams that do not start or end oddly, answers over
/// the size limit, the conversation loop's shortcuts, and the default executable of local
/// profiles.
@Suite(.serialized, .timeLimit(.minutes(2))) struct HTTPClientEdgeTests {
    let fast = RetryPolicy(maximumAttempts: 3, initialBackoff: .milliseconds(1), maximumBackoff: .milliseconds(5))
    let cardPath = "/ns/a/.well-known/agent-card.json"

    func withAgent(_ body: (ScriptedAgent) async throws -> Void) async throws {
        try await ScriptedAgent.with(body)
    }

    /// A scripted agent behind a fault proxy.
    func withProxiedAgent(_ body: (ScriptedAgent, FaultProxy) async throws -> Void) async throws {
        try await withAgent { agent in
            let proxy = try await FaultProxy.start(upstream: agent.baseURL)
            do {
                try await body(agent, proxy)
            } catch {
                try await proxy.stop()
                throw error
            }
            try await proxy.stop()
        }
    }

    // MARK: Broken connections

    @Test func anIdempotentCallIsTriedAgainWhenTheConnectionBreaksBeforeTheAnswer() async throws {
        try await withProxiedAgent { agent, proxy in
            agent.script("/rpc", [.init(body: ScriptedAgent.task)])
            proxy.dropNextResponse()
            proxy.dropNextResponse()
            let client = A2AClient(transport: HTTPTransport(endpoint: proxy.url + "/rpc", retry: fast))
            let task = try await client.getTask(GetTaskRequest(id: "t1"))
            #expect(task.id == "t1")
            #expect(agent.requests.count == 3, "two answers were lost, the third attempt got one")
            #expect(proxy.acceptedConnections == 3)
        }
    }

    @Test func aCallThatIsNotIdempotentIsNotRepeatedWhenItsAnswerIsLost() async throws {
        try await withProxiedAgent { agent, proxy in
            agent.script("/rpc", [.init(body: ScriptedAgent.task)])
            proxy.dropNextResponse()
            let client = A2AClient(transport: HTTPTransport(endpoint: proxy.url + "/rpc", retry: fast))
            let error = await #expect(throws: A2AClientError.self) {
                _ = try await client.sendMessage(SendMessageRequest(message: Message(messageId: "m", role: .user, parts: [.text("x")])))
            }
            if case .transport = error {} else { Issue.record("expected a transport error, got \(String(describing: error))") }
            #expect(agent.requests.count == 1, "the message reached the agent once and was not sent again")
        }
    }

    @Test func aCardFetchIsTriedAgainWhenTheConnectionBreaks() async throws {
        try await withProxiedAgent { agent, proxy in
            agent.script(cardPath, [.init(body: ScriptedAgent.card(url: agent.baseURL + "/rpc"))])
            proxy.dropNextResponse()
            let card = try await AgentCardResolver(retry: fast).fetch(baseURL: proxy.url + "/ns/a")
            #expect(card.supportedInterfaces.first?.url == agent.baseURL + "/rpc")
            #expect(agent.requests.filter { $0.path == cardPath }.count == 2)
        }
    }

    // MARK: Agent cards

    @Test func anUnreachableCardIsAnAgentCardErrorNamingTheURL() async throws {
        let error = await #expect(throws: A2AClientError.self) {
            _ = try await AgentCardResolver(retry: fast).fetch(baseURL: "http://127.0.0.1:1/ns/a")
        }
        guard case .agentCard(let detail) = error else {
            Issue.record("expected an agent card error, got \(String(describing: error))")
            return
        }
        #expect(detail.hasPrefix("GET http://127.0.0.1:1/ns/a/.well-known/agent-card.json failed: cannot reach the agent: "))
    }

    @Test func aCardAnsweredWithAnErrorStatusNamesTheStatus() async throws {
        try await withAgent { agent in
            agent.script(cardPath, [.init(status: .forbidden, body: "{}")])
            let error = await #expect(throws: A2AClientError.self) {
                _ = try await AgentCardResolver(retry: fast).fetch(baseURL: agent.baseURL + "/ns/a")
            }
            #expect(error == .agentCard("GET \(agent.baseURL)\(cardPath) answered HTTP 403"))
        }
    }

    @Test func jsonThatIsNotACardIsRefusedAsNotAnAgentCard() async throws {
        try await withAgent { agent in
            agent.script(cardPath, [.init(body: #"{"name":"a","description":"no interfaces, no version"}"#)])
            let error = await #expect(throws: A2AClientError.self) {
                _ = try await AgentCardResolver(retry: fast).fetch(baseURL: agent.baseURL + "/ns/a")
            }
            guard case .agentCard(let detail) = error else {
                Issue.record("expected an agent card error, got \(String(describing: error))")
                return
            }
            #expect(detail.hasPrefix("\(agent.baseURL)\(cardPath) is not an agent card: "))
        }
    }

    @Test func withoutA10InterfaceANewerOneIsPreferredToAnUnversionedOne() throws {
        let card = AgentCard(
            name: "a",
            description: "d",
            supportedInterfaces: [
                AgentInterface(url: "https://a/unversioned", protocolVersion: ""),
                AgentInterface(url: "https://a/03", protocolVersion: "0.3"),
                AgentInterface(url: "https://a/grpc", protocolBinding: "GRPC", protocolVersion: "1.0"),
                AgentInterface(url: "https://a/11", protocolVersion: "1.1"),
            ],
            version: "1",
            capabilities: AgentCapabilities(),
            defaultInputModes: [],
            defaultOutputModes: [],
            skills: []
        )
        #expect(try AgentCardResolver.jsonRPCInterface(of: card).url == "https://a/11")
    }

    // MARK: Streams

    @Test func aStreamToAnUnreachableAgentIsATransportError() async throws {
        let client = A2AClient(transport: HTTPTransport(endpoint: "http://127.0.0.1:1/rpc", retry: fast))
        let error = await #expect(throws: A2AClientError.self) { _ = try await client.subscribeToTask(SubscribeToTaskRequest(id: "t1")) }
        if case .transport = error {} else { Issue.record("expected a transport error, got \(String(describing: error))") }
    }

    @Test func aStreamingMethodAnsweredWithASuccessInPlainJSONIsAnInvalidResponse() async throws {
        try await withAgent { agent in
            let result = #"{"jsonrpc":"2.0","id":1,"result":{"task":{"id":"t1","contextId":"c1","status":{"state":"TASK_STATE_WORKING"}}}}"#
            agent.script("/rpc", [.init(body: result)])
            let client = A2AClient(transport: HTTPTransport(endpoint: agent.baseURL + "/rpc"))
            let error = await #expect(throws: A2AClientError.self) { _ = try await client.subscribeToTask(SubscribeToTaskRequest(id: "t1")) }
            #expect(error == .invalidResponse("a streaming method answered with application/json"))
        }
    }

    @Test func anEventCutOffBeforeItsBlankLineIsDiscarded() async throws {
        try await withAgent { agent in
            // The body ends right after the second event's data line. The SSE specification
            // says an event is dispatched only at its blank line: the second is dropped.
            let events = """
                data: {"jsonrpc":"2.0","id":1,"result":{"task":{"id":"t1","contextId":"c1","status":{"state":"TASK_STATE_WORKING"}}}}

                data: {"jsonrpc":"2.0","id":1,"result":{"statusUpdate":{"taskId":"t1","contextId":"c1","status":{"state":"TASK_STATE_COMPLETED"}}}}
                """
            agent.script("/rpc", [.init(contentType: "text/event-stream", body: events)])
            let client = A2AClient(transport: HTTPTransport(endpoint: agent.baseURL + "/rpc"))
            let received = try await client.subscribeToTask(SubscribeToTaskRequest(id: "t1")).collect()
            #expect(received.count == 1)
            guard case .task(let task)? = received.first else {
                Issue.record("expected the task event, got \(received)")
                return
            }
            #expect(task.status.state == .working)
        }
    }

    // MARK: Size limit

    @Test func anAnswerOverTheSizeLimitIsNotRead() async throws {
        try await withAgent { agent in
            // A valid answer, 4 KiB larger than the 1 KiB limit.
            let padding = String(repeating: "x", count: 4096)
            let large = #"{"jsonrpc":"2.0","id":"x","result":{"id":"t1","contextId":"c1","status":{"state":"TASK_STATE_COMPLETED"},"metadata":{"padding":"\#(padding)"}}}"#
            agent.script("/rpc", [.init(body: large)])
            let client = A2AClient(transport: HTTPTransport(endpoint: agent.baseURL + "/rpc", retry: fast, maximumResponseBytes: 1024))
            var thrown: (any Error)?
            do {
                let task = try await client.getTask(GetTaskRequest(id: "t1"))
                Issue.record("an oversized answer was read: \(task.id)")
            } catch {
                thrown = error
            }
            #expect(agent.requests.count == 1, "an oversized answer is not a reason to ask again")
            // A2ATransport documents that calls throw A2AClientError.
            guard case .invalidResponse(let reason) = thrown as? A2AClientError else {
                Issue.record("got \(String(describing: thrown))")
                return
            }
            #expect(reason.contains("larger than the client's limit (maximumResponseBytes)"))
        }
    }

    // MARK: Conversations

    @Test func aStreamedConversationAnsweredWithAMessageReturnsIt() async throws {
        try await withAgent { agent in
            let events = """
                data: {"jsonrpc":"2.0","id":1,"result":{"message":{"messageId":"reply-1","role":"ROLE_AGENT","parts":[{"text":"hello"}]}}}


                """
            agent.script("/rpc", [.init(contentType: "text/event-stream", body: events)])
            let client = A2AClient(transport: HTTPTransport(endpoint: agent.baseURL + "/rpc"))
            var asked = 0
            let response = try await client.converse(SendMessageRequest(message: .user("hi")), streaming: true) { _ -> Part? in
                asked += 1
                return .text("never")
            }
            guard case .message(let message) = response else {
                Issue.record("expected the message, got \(response)")
                return
            }
            #expect(message.messageId == "reply-1")
            #expect(asked == 0, "a message ends the conversation: there is no task to answer")
            #expect(agent.requests.count == 1)
            #expect(agent.requests.first?.body.contains(#""method":"SendStreamingMessage""#) == true)
        }
    }

    @Test func aConversationWhoseTaskEndedAsksNothing() async throws {
        try await withAgent { agent in
            let completed = #"{"jsonrpc":"2.0","id":"x","result":{"task":{"id":"t1","contextId":"c1","status":{"state":"TASK_STATE_COMPLETED"}}}}"#
            agent.script("/rpc", [.init(body: completed)])
            let client = A2AClient(transport: HTTPTransport(endpoint: agent.baseURL + "/rpc"))
            var asked = 0
            let response = try await client.converse(SendMessageRequest(message: .user("hi"))) { _ in
                asked += 1
                return "never"
            }
            guard case .task(let task) = response else {
                Issue.record("expected the task, got \(response)")
                return
            }
            #expect(task.status.state == .completed)
            #expect(asked == 0)
            #expect(agent.requests.count == 1)
            #expect(agent.requests.first?.body.contains(#""method":"SendMessage""#) == true)
        }
    }

    @Test func aConversationRepliesOnTheSameTaskAndContextUntilTheTaskEnds() async throws {
        try await withAgent { agent in
            let waiting = #"{"jsonrpc":"2.0","id":"x","result":{"task":{"id":"t1","contextId":"c1","status":{"state":"TASK_STATE_INPUT_REQUIRED","message":{"messageId":"q1","role":"ROLE_AGENT","parts":[{"text":"Which city?"}]}}}}}"#
            let completed = #"{"jsonrpc":"2.0","id":"x","result":{"task":{"id":"t1","contextId":"c1","status":{"state":"TASK_STATE_COMPLETED"}}}}"#
            agent.script("/rpc", [.init(body: waiting), .init(body: completed)])
            let client = A2AClient(transport: HTTPTransport(endpoint: agent.baseURL + "/rpc"))
            var questions: [String] = []
            let response = try await client.converse(SendMessageRequest(message: .user("weather?"))) { task -> Part? in
                questions.append(task.status.message?.parts.first?.text ?? "")
                return .data(["city": "Paris"])
            }
            guard case .task(let task) = response else {
                Issue.record("expected the task, got \(response)")
                return
            }
            #expect(task.status.state == .completed)
            #expect(questions == ["Which city?"])
            #expect(agent.requests.count == 2)
            let reply = try JSONDecoder().decode(JSONValue.self, from: Data(try #require(agent.requests.last?.body).utf8))
            #expect(reply["method"] == "SendMessage")
            #expect(reply.at("params.message.taskId") == "t1")
            #expect(reply.at("params.message.contextId") == "c1")
            #expect(reply.at("params.message.role") == "ROLE_USER")
            #expect(reply.at("params.message.parts.0.data.city") == "Paris")
        }
    }

    // MARK: Local profiles

    @Test func withoutACleveragentsOfItsOwnTheSelectorTakesTheOneOnPATH() throws {
        // This test process is not `cleveragents`, so the executable comes from PATH, or is the
        // bare name when PATH has none.
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin"
        let onPath = path.split(separator: ":").map { "\($0)/cleveragents" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        let selector = TransportSelector(environment: ["HOME": "/h"])
        #expect(selector.defaultExecutable == onPath ?? "cleveragents")
        let selection = try selector.select(.init(store: "/tmp/s.sqlite"), file: ProfileFile())
        #expect(selection.profile == .local(LocalProfile(store: "/tmp/s.sqlite", executable: onPath ?? "cleveragents")))
    }
}
