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
import CleverAgentsPostgres
import CleverAgentsServer
import CleverAgentsTestSupport
import Foundation
import HTTPTypes
import NIOHTTP1
import Testing

/// The real server on a real socket, against real PostgreSQL and a real LangGraph server.
@Suite(.enabled(if: TestEnvironment.hasServices), .serialized, .timeLimit(.minutes(5))) struct EndToEndTests {
    let client = RPCTestClient()

    @Test func sendMessageStreamingAndGetTaskWorkEndToEnd() async throws {
        let server = try await TestServer.start()
        do {
            let namespace = try await server.createNamespace()
            let endpoint = server.endpoint(namespace.rawValue)

            let sent = try await client.call(endpoint, method: "SendMessage", params: #"{"message":{"messageId":"m1","role":"ROLE_USER","parts":[{"text":"hello"}]}}"#)
            #expect(sent.status == 200)
            #expect(sent.headers.first(name: "content-type")?.contains("application/json") == true)
            let task = try sent.result().at("task")
            #expect(task?.at("status.state") == "TASK_STATE_COMPLETED")
            #expect(task?.at("artifacts.0.parts.0.text") == "echo: hello")
            #expect(task?.at("history.0.messageId") == "m1")
            let taskId = try #require(task?.at("id")?.stringValue)

            let fetched = try await client.call(endpoint, method: "GetTask", params: #"{"id":"\#(taskId)"}"#)
            #expect(try fetched.result() == task)

            let streamed = try await client.stream(endpoint, method: "SendStreamingMessage", params: #"{"message":{"messageId":"m2","role":"ROLE_USER","parts":[{"text":"stream"}]}}"#)
            #expect(streamed.status == 200)
            #expect(streamed.headers.first(name: "content-type")?.hasPrefix("text/event-stream") == true)
            let results = try streamed.results
            let kinds = results.compactMap { $0.objectValue?.keys.first }
            #expect(kinds.first == "task")
            #expect(kinds.contains("artifactUpdate"))
            #expect(results.last?.at("statusUpdate.status.state") == "TASK_STATE_COMPLETED")
            #expect(try streamed.messages.allSatisfy { $0["jsonrpc"] == "2.0" && $0["id"] == 1 })
            let streamedTaskId = try #require(results.first?.at("task.id")?.stringValue)
            #expect(results.dropFirst().allSatisfy { ($0.at("statusUpdate.taskId") ?? $0.at("artifactUpdate.taskId")) == .string(streamedTaskId) })
            let after = try await client.call(endpoint, method: "GetTask", params: #"{"id":"\#(streamedTaskId)"}"#)
            #expect(try after.result().at("status.state") == "TASK_STATE_COMPLETED")
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test(.enabled(if: TestEnvironment.hasPython)) func theOfficialPythonClientDrivesTheServer() async throws {
        let server = try await TestServer.start()
        do {
            let namespace = try await server.createNamespace()
            let python = try #require(TestEnvironment.python)
            let script = TestEnvironment.repositoryRoot.appendingPathComponent("testing/interop/a2a_sdk_skeleton.py").path
            let output = try await ChildProcess.run(python, [script, server.endpoint(namespace.rawValue)])
            #expect(output.status == 0, "\(output.stdout)\n\(output.stderr)")
            let summary = try JSONDecoder().decode(JSONValue.self, from: Data(output.stdout.split(separator: "\n").last.map(String.init)?.utf8 ?? "".utf8))
            #expect(summary["ok"] == true)
            #expect(summary.at("stream.kinds.0") == "task")
            #expect(summary.at("unary.artifacts.0") == "echo: from the sdk")
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func aTaskSurvivesARestartUnchanged() async throws {
        let first = try await TestServer.start()
        let namespace: NamespaceName
        let taskId: String
        let before: JSONValue
        do {
            namespace = try await first.createNamespace()
            let sent = try await client.call(first.endpoint(namespace.rawValue), method: "SendMessage", params: #"{"message":{"messageId":"keep","role":"ROLE_USER","parts":[{"text":"persist me"}]}}"#)
            taskId = try #require(try sent.result().at("task.id")?.stringValue)
            before = try await client.call(first.endpoint(namespace.rawValue), method: "GetTask", params: #"{"id":"\#(taskId)"}"#).result()
        } catch {
            try await first.stop()
            throw error
        }
        try await first.stop()

        let second = try await TestServer.start()
        do {
            let after = try await client.call(second.endpoint(namespace.rawValue), method: "GetTask", params: #"{"id":"\#(taskId)"}"#)
            #expect(try after.result() == before)
            #expect(before.at("status.state") == "TASK_STATE_COMPLETED")
        } catch {
            try await second.stop()
            throw error
        }
        try await second.stop()
    }
}

/// Every A2A method through the official Python SDK, over A2A 1.0 and over its 0.3 compatibility
/// transport, with push notifications to a local webhook.
@Suite(.enabled(if: TestEnvironment.hasPython), .serialized, .timeLimit(.minutes(5))) struct PythonSDKSurfaceTests {
    @Test(arguments: ["1.0", "0.3"])
    func theOfficialPythonClientDrivesEveryMethod(version: String) async throws {
        let server = try await TestServer.start()
        do {
            let namespace = try await server.createNamespace()
            try await server.addActor("slow", to: namespace)
            try await server.addActor("ask", to: namespace)
            let python = try #require(TestEnvironment.python)
            let script = TestEnvironment.repositoryRoot.appendingPathComponent("testing/interop/a2a_sdk_surface.py").path
            let output = try await ChildProcess.run(python, [script, server.endpoint(namespace.rawValue), version])
            #expect(output.status == 0, "\(output.stdout)\n\(output.stderr)")
            let summary = try JSONDecoder().decode(JSONValue.self, from: Data(output.stdout.split(separator: "\n").last.map(String.init)?.utf8 ?? "".utf8))
            #expect(summary["ok"] == true)
            #expect(summary["version"] == .string(version))
            #expect(summary["inputRequired"] == "ok", "an input-required conversation to completion")
            #expect(summary["cancel"] == "ok")
            #expect(summary["pushConfigs"] == "ok")
            #expect(summary.at("push.0") == "task")
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }
}

/// The official A2A 0.3 client (a2a-sdk 0.3.26) starts from the namespace card, as 0.3 clients
/// do: it must read the card (1.0 layout with the 0.3 fields merged in), then send, stream, get
/// and cancel through the 0.3 method names the card points it to.
@Suite(.enabled(if: TestEnvironment.hasPython), .serialized, .timeLimit(.minutes(5))) struct PythonSDK03ClientTests {
    @Test func theOfficial03ClientStartsFromTheCard() async throws {
        let server = try await TestServer.start()
        do {
            let namespace = try await server.createNamespace()
            try await server.addActor("slow", to: namespace)
            let python = try #require(TestEnvironment.pythonA2A03, "CLEVERAGENTS_TEST_PYTHON_A2A03 (scripts/services up)")
            let script = TestEnvironment.repositoryRoot.appendingPathComponent("testing/interop/a2a_sdk_03_client.py").path
            let output = try await ChildProcess.run(python, [script, server.endpoint(namespace.rawValue)])
            #expect(output.status == 0, "\(output.stdout)\n\(output.stderr)")
            let summary = try JSONDecoder().decode(JSONValue.self, from: Data(output.stdout.split(separator: "\n").last.map(String.init)?.utf8 ?? "".utf8))
            #expect(summary["ok"] == true)
            #expect(summary.at("card.url") == .string(server.endpoint(namespace.rawValue)))
            #expect(summary["send"] == "completed")
            #expect(summary.at("stream")?.arrayValue?.last == "completed")
            #expect(summary["cancel"] == "canceled")
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }
}

/// Push notifications are queued durably: a restart while deliveries are pending loses none.
@Suite(.enabled(if: TestEnvironment.hasServices), .serialized, .timeLimit(.minutes(5))) struct PushDurabilityTests {
    @Test func pendingNotificationsSurviveARestartAndArriveInOrder() async throws {
        let webhook = try await WebhookReceiver.start()
        webhook.answer(.serviceUnavailable)
        // The second server is the first one restarted: the same task queue.
        let group = TestEnvironment.uniqueName("restart")
        let configure: (inout ServerConfiguration) -> Void = {
            $0.tasks.queueGroup = group
        }
        let first = try await TestServer.start(configure: configure)
        let namespace: NamespaceName
        let taskId: String
        do {
            namespace = try await first.createNamespace()
            let params = #"{"message":{"messageId":"p","role":"ROLE_USER","parts":[{"text":"push"}]},"configuration":{"taskPushNotificationConfig":{"url":"\#(webhook.url)","authentication":{"scheme":"Bearer","credentials":"restart-token"}}}}"#
            let sent = try await RPCTestClient().call(first.endpoint(namespace.rawValue), method: "SendMessage", params: params)
            taskId = try #require(try sent.result().at("task.id")?.stringValue)
            // Wait until the receiver has refused at least one delivery, so notifications are pending.
            _ = await waitUntil(.seconds(60)) { !webhook.received.isEmpty }
            #expect(!webhook.received.isEmpty)
        } catch {
            try await first.stop()
            try await webhook.stop()
            throw error
        }
        try await first.stop()

        webhook.answer(.ok)
        let second = try await TestServer.start(configure: configure)
        do {
            var accepted: [JSONValue] = []
            for _ in 0..<1200 {
                accepted = try webhook.received.filter { $0.status == 200 }.map { try JSONDecoder().decode(JSONValue.self, from: $0.body) }
                if accepted.last?.at("statusUpdate.status.state") == "TASK_STATE_COMPLETED" { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            // At least once: a notification may arrive again (it was sent when its sender stopped),
            // but only right after itself, since each webhook gets its task's events in order.
            let distinct = accepted.enumerated().filter { $0.offset == 0 || accepted[$0.offset - 1] != $0.element }.map(\.element)
            let kinds = distinct.compactMap { $0.objectValue?.keys.first }
            // The task, WORKING, the graph node's progress, the answer, COMPLETED.
            #expect(kinds == ["task", "statusUpdate", "statusUpdate", "artifactUpdate", "statusUpdate"], "every event, in order")
            #expect(accepted.allSatisfy { ($0.at("task.id") ?? $0.at("statusUpdate.taskId") ?? $0.at("artifactUpdate.taskId")) == .string(taskId) })
            #expect(webhook.received.allSatisfy { $0.headers["authorization"] == "Bearer restart-token" })
        } catch {
            try await second.stop()
            try await webhook.stop()
            throw error
        }
        try await second.stop()
        try await webhook.stop()
    }
}
