//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import Foundation
import Testing

@Suite("A2AMethodCall", .timeLimit(.minutes(2)))
struct A2AMethodCallTests {
    static let message = Message(messageId: "m1", role: .user, parts: [.text("hi")])
    static let messageJSON = #"{"messageId": "m1", "role": "ROLE_USER", "parts": [{"text": "hi"}]}"#

    /// Every 1.0 method with params carrying a tenant, and the call they must decode to.
    static let calls: [(String, String, A2AMethodCall)] = [
        ("SendMessage", #"{"tenant": "acme", "message": \#(messageJSON)}"#, .sendMessage(SendMessageRequest(tenant: "acme", message: message))),
        (
            "SendStreamingMessage", #"{"tenant": "acme", "message": \#(messageJSON)}"#,
            .sendStreamingMessage(SendMessageRequest(tenant: "acme", message: message))
        ),
        ("GetTask", #"{"tenant": "acme", "id": "t1", "historyLength": 2}"#, .getTask(GetTaskRequest(tenant: "acme", id: "t1", historyLength: 2))),
        ("ListTasks", #"{"tenant": "acme", "pageSize": 3}"#, .listTasks(ListTasksRequest(tenant: "acme", pageSize: 3))),
        ("CancelTask", #"{"tenant": "acme", "id": "t1"}"#, .cancelTask(CancelTaskRequest(tenant: "acme", id: "t1"))),
        ("SubscribeToTask", #"{"tenant": "acme", "id": "t1"}"#, .subscribeToTask(SubscribeToTaskRequest(tenant: "acme", id: "t1"))),
        (
            "CreateTaskPushNotificationConfig", #"{"tenant": "acme", "taskId": "t1", "url": "https://x"}"#,
            .createTaskPushNotificationConfig(TaskPushNotificationConfig(tenant: "acme", taskId: "t1", url: "https://x"))
        ),
        (
            "GetTaskPushNotificationConfig", #"{"tenant": "acme", "taskId": "t1", "id": "c1"}"#,
            .getTaskPushNotificationConfig(GetTaskPushNotificationConfigRequest(tenant: "acme", taskId: "t1", id: "c1"))
        ),
        (
            "ListTaskPushNotificationConfigs", #"{"tenant": "acme", "taskId": "t1"}"#,
            .listTaskPushNotificationConfigs(ListTaskPushNotificationConfigsRequest(tenant: "acme", taskId: "t1"))
        ),
        (
            "DeleteTaskPushNotificationConfig", #"{"tenant": "acme", "taskId": "t1", "id": "c1"}"#,
            .deleteTaskPushNotificationConfig(DeleteTaskPushNotificationConfigRequest(tenant: "acme", taskId: "t1", id: "c1"))
        ),
        ("GetExtendedAgentCard", #"{"tenant": "acme"}"#, .getExtendedAgentCard(GetExtendedAgentCardRequest(tenant: "acme"))),
    ]

    @Test("every method decodes its typed params, knows its method and its tenant", arguments: calls)
    func typedParams(method: String, params: String, expected: A2AMethodCall) throws {
        let request = try decodeRequest(#"{"jsonrpc": "2.0", "id": 1, "method": "\#(method)", "params": \#(params)}"#)
        let call = try request.call.get()
        #expect(call == expected)
        #expect(call.method.rawValue == method)
        #expect(call.tenant == "acme")
        #expect(request.method == method)
    }

    @Test("the table above covers every method")
    func coversEveryMethod() {
        #expect(Set(Self.calls.map { $0.0 }) == Set(A2AMethod.allCases.map(\.rawValue)))
        #expect(A2AMethod.allCases.count == 11)
    }

    @Test("the tenant is nil when not sent")
    func noTenant() throws {
        let request = try decodeRequest(#"{"jsonrpc": "2.0", "id": 1, "method": "GetTask", "params": {"id": "t1"}}"#)
        #expect(try request.call.get().tenant == nil)
    }

    @Test("only SendStreamingMessage and SubscribeToTask stream")
    func streaming() {
        #expect(Set(A2AMethod.allCases.filter(\.isStreaming)) == [.sendStreamingMessage, .subscribeToTask])
    }

    @Test("a method that is not an A2A method makes the call initializer return nil")
    func unknownMethodIsNil() throws {
        // Decode an envelope through a call type that records what the initializer returned.
        let request = try JSONDecoder().decode(JSONRPCRequest<Probe>.self, from: Data(#"{"jsonrpc": "2.0", "id": 1, "method": "tasks/get"}"#.utf8))
        #expect(request.call == .failure(.methodNotFound("tasks/get")))
    }

    /// Wraps A2AMethodCall, so the test sees the nil of an unknown method as -32601.
    struct Probe: JSONRPCMethodCall, Equatable {
        var call: A2AMethodCall

        init?(method: String, params: JSONRPCParams) throws {
            guard let call = try A2AMethodCall(method: method, params: params) else { return nil }
            self.call = call
        }
    }
}
