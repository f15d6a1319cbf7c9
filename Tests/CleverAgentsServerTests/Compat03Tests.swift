//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import CleverAgentsServer
import CleverAgentsTestSupport
import Foundation
import Testing

/// A2A 0.3 clients on the same endpoint: slash method names and 0.3 shapes.
@Suite(.enabled(if: TestEnvironment.hasServices), .serialized, .timeLimit(.minutes(5))) struct Compat03Tests {
    let client = RPCTestClient()
    static let send = #"{"message":{"kind":"message","messageId":"m","role":"user","parts":[{"kind":"text","text":"hi"}]}}"#

    @Test func aSlashMethodWithoutAVersionHeaderIsServedIn03Shapes() async throws {
        let server = try await TestServer.start()
        do {
            let endpoint = server.endpoint(try await server.createNamespace().rawValue)
            let reply = try await client.post(endpoint, body: #"{"jsonrpc":"2.0","id":1,"method":"message/send","params":\#(Self.send)}"#, headers: [("Content-Type", "application/json")])
            let task = try reply.result()
            #expect(task["kind"] == "task")
            #expect(task.at("status.state") == "completed")
            #expect(task.at("history.0.role") == "user")
            #expect(task.at("history.0.kind") == "message")
            #expect(task.at("artifacts.0.parts.0.kind") == "text")
            #expect(task.at("artifacts.0.parts.0.text") == "echo: hi")

            let id = try #require(task["id"]?.stringValue)
            let fetched = try await client.post(endpoint, body: #"{"jsonrpc":"2.0","id":2,"method":"tasks/get","params":{"id":"\#(id)","historyLength":0}}"#, headers: [("Content-Type", "application/json"), ("A2A-Version", "0.3")])
            #expect(try fetched.result()["kind"] == "task")
            #expect(try fetched.result().at("history.0") != nil, "in 0.3, historyLength 0 means no limit")
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func streamsCarryKindsAndAFinalFlagOnTheLastEvent() async throws {
        let server = try await TestServer.start()
        do {
            let endpoint = server.endpoint(try await server.createNamespace().rawValue)
            var request = HTTPClientRequestBuilder(url: endpoint, body: #"{"jsonrpc":"2.0","id":"s","method":"message/stream","params":\#(Self.send)}"#)
            request.headers = [("Content-Type", "application/json"), ("A2A-Version", "0.3")]
            let reply = try await client.postStream(request)
            let results = try reply.results
            #expect(results.first?["kind"] == "task")
            let kinds = results.compactMap { $0["kind"]?.stringValue }
            #expect(kinds.contains("artifact-update"))
            let finals = results.filter { $0["kind"] == "status-update" }.map { $0["final"] }
            #expect(finals.last == true)
            #expect(finals.dropLast().allSatisfy { $0 == false })
            #expect(results.last?.at("status.state") == "completed")
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func versionsAndMethodNamesMustAgree() async throws {
        let server = try await TestServer.start()
        do {
            let endpoint = server.endpoint(try await server.createNamespace().rawValue)
            let slashOn10 = try await client.post(endpoint, body: #"{"jsonrpc":"2.0","id":1,"method":"message/send","params":\#(Self.send)}"#)
            #expect(slashOn10.errorCode == JSONRPCError.methodNotFoundCode, "a 1.0 request names 1.0 methods")
            let pascalOn03 = try await client.post(endpoint, body: #"{"jsonrpc":"2.0","id":1,"method":"GetTask","params":{"id":"x"}}"#, headers: [("Content-Type", "application/json"), ("A2A-Version", "0.3")])
            #expect(pascalOn03.errorCode == JSONRPCError.methodNotFoundCode)
            let listOn03 = try await client.post(endpoint, body: #"{"jsonrpc":"2.0","id":1,"method":"tasks/list","params":{}}"#, headers: [("Content-Type", "application/json")])
            #expect(listOn03.errorCode == JSONRPCError.methodNotFoundCode, "0.3 has no tasks/list over JSON-RPC")
            let notFound = try await client.post(endpoint, body: #"{"jsonrpc":"2.0","id":7,"method":"tasks/get","params":{"id":"none"}}"#, headers: [("Content-Type", "application/json")])
            #expect(notFound.errorCode == JSONRPCError.taskNotFoundCode)
            #expect(try notFound.json["id"] == 7)
            let invalid = try await client.post(endpoint, body: #"{"jsonrpc":"2.0","id":8,"method":"message/send","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[]}}}"#, headers: [("Content-Type", "application/json")])
            #expect(invalid.errorCode == JSONRPCError.invalidParamsCode)
            #expect(try invalid.json.at("error.message")?.stringValue?.contains("message.role") == true)
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func pushConfigsUseThe03NestedShape() async throws {
        let server = try await TestServer.start()
        do {
            let endpoint = server.endpoint(try await server.createNamespace().rawValue)
            let headers = [("Content-Type", "application/json"), ("A2A-Version", "0.3")]
            let task = try await client.post(endpoint, body: #"{"jsonrpc":"2.0","id":1,"method":"message/send","params":\#(Self.send)}"#, headers: headers).result()
            let id = try #require(task["id"]?.stringValue)
            let set = try await client.post(
                endpoint,
                body: #"{"jsonrpc":"2.0","id":2,"method":"tasks/pushNotificationConfig/set","params":{"taskId":"\#(id)","pushNotificationConfig":{"id":"c1","url":"http://127.0.0.1:9/hook","authentication":{"schemes":["Bearer"],"credentials":"x"}}}}"#,
                headers: headers
            ).result()
            #expect(set["taskId"] == .string(id))
            #expect(set.at("pushNotificationConfig.id") == "c1")
            #expect(set.at("pushNotificationConfig.authentication.schemes.0") == "Bearer")
            let list = try await client.post(endpoint, body: #"{"jsonrpc":"2.0","id":3,"method":"tasks/pushNotificationConfig/list","params":{"id":"\#(id)"}}"#, headers: headers).result()
            #expect(list.arrayValue?.count == 1)
            let deleted = try await client.post(
                endpoint,
                body: #"{"jsonrpc":"2.0","id":4,"method":"tasks/pushNotificationConfig/delete","params":{"id":"\#(id)","pushNotificationConfigId":"c1"}}"#,
                headers: headers
            )
            #expect(try deleted.json["result"] == .null)
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }
}
