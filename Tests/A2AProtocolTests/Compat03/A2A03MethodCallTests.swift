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

/// A 0.3 request decoded the way the HTTP front end does it.
func decode03(_ json: String) throws -> JSONRPCRequest<A2A03MethodCall> {
    try decode03(Data(json.utf8))
}

func decode03(_ data: Data) throws -> JSONRPCRequest<A2A03MethodCall> {
    try JSONDecoder().decode(JSONRPCRequest<A2A03MethodCall>.self, from: data)
}

/// The 1.0 call of a 0.3 request with `method` and `params` (nil: no params member).
func call03(_ method: String, _ params: String?) throws -> A2AMethodCall {
    let paramsMember = params.map { #", "params": \#($0)"# } ?? ""
    return try decode03(#"{"jsonrpc": "2.0", "id": 1, "method": "\#(method)"\#(paramsMember)}"#).call.get().call
}

/// The error of a 0.3 request that must fail.
func error03(_ method: String, _ params: String?) throws -> JSONRPCError {
    let paramsMember = params.map { #", "params": \#($0)"# } ?? ""
    let request = try decode03(#"{"jsonrpc": "2.0", "id": 1, "method": "\#(method)"\#(paramsMember)}"#)
    switch request.call {
    case .success(let call):
        Issue.record("expected an error, decoded \(call)")
        return JSONRPCError(code: 0, message: "no error")
    case .failure(let error):
        return error
    }
}

@Suite("A2A03MethodCall", .timeLimit(.minutes(2)))
struct A2A03MethodCallTests {
    static let messageJSON = #"{"kind": "message", "role": "user", "messageId": "m1", "parts": [{"kind": "text", "text": "hi"}]}"#
    static let message = Message(messageId: "m1", role: .user, parts: [.text("hi")])

    /// Every 0.3 method, its params, and the 1.0 call it must decode to.
    static let calls: [(String, String?, A2AMethodCall)] = [
        (
            "message/send", #"{"message": \#(messageJSON), "metadata": {"k": "v"}}"#,
            .sendMessage(SendMessageRequest(message: message, metadata: ["k": "v"]))
        ),
        ("message/stream", #"{"message": \#(messageJSON)}"#, .sendStreamingMessage(SendMessageRequest(message: message))),
        ("tasks/get", #"{"id": "t1", "historyLength": 2, "metadata": {"k": "v"}}"#, .getTask(GetTaskRequest(id: "t1", historyLength: 2))),
        ("tasks/cancel", #"{"id": "t1", "metadata": {"k": "v"}}"#, .cancelTask(CancelTaskRequest(id: "t1", metadata: ["k": "v"]))),
        ("tasks/resubscribe", #"{"id": "t1", "metadata": {"k": "v"}}"#, .subscribeToTask(SubscribeToTaskRequest(id: "t1"))),
        (
            "tasks/pushNotificationConfig/set",
            #"{"taskId": "t1", "pushNotificationConfig": {"id": "c1", "url": "https://h/x", "token": "tok", "authentication": {"schemes": ["Bearer", "Basic"], "credentials": "s"}}}"#,
            .createTaskPushNotificationConfig(
                TaskPushNotificationConfig(
                    id: "c1", taskId: "t1", url: "https://h/x", token: "tok", authentication: AuthenticationInfo(scheme: "Bearer", credentials: "s"))
            )
        ),
        (
            "tasks/pushNotificationConfig/get", #"{"id": "t1", "pushNotificationConfigId": "c1"}"#,
            .getTaskPushNotificationConfig(GetTaskPushNotificationConfigRequest(taskId: "t1", id: "c1"))
        ),
        (
            "tasks/pushNotificationConfig/list", #"{"id": "t1"}"#,
            .listTaskPushNotificationConfigs(ListTaskPushNotificationConfigsRequest(taskId: "t1"))
        ),
        (
            "tasks/pushNotificationConfig/delete", #"{"id": "t1", "pushNotificationConfigId": "c1"}"#,
            .deleteTaskPushNotificationConfig(DeleteTaskPushNotificationConfigRequest(taskId: "t1", id: "c1"))
        ),
        ("agent/getAuthenticatedExtendedCard", nil, .getExtendedAgentCard(GetExtendedAgentCardRequest())),
    ]

    @Test("every 0.3 method decodes into its 1.0 call", arguments: calls)
    func everyMethod(method: String, params: String?, expected: A2AMethodCall) throws {
        let paramsMember = params.map { #", "params": \#($0)"# } ?? ""
        let request = try decode03(#"{"jsonrpc": "2.0", "id": "r1", "method": "\#(method)"\#(paramsMember)}"#)
        let decoded = try request.call.get()
        #expect(decoded.call == expected)
        #expect(decoded.method.rawValue == method)
        #expect(decoded.method.a2aMethod == expected.method)
        #expect(decoded.call.tenant == nil)
        #expect(request.id == .string("r1"))
        #expect(request.method == method)
    }

    @Test("the table above covers every 0.3 method, and they map one-to-one onto 1.0 methods")
    func coversEveryMethod() {
        #expect(Set(Self.calls.map { $0.0 }) == Set(A2A03.Method.allCases.map(\.rawValue)))
        #expect(A2A03.Method.allCases.count == 10)
        #expect(Set(A2A03.Method.allCases.map(\.a2aMethod)) == Set(A2AMethod.allCases).subtracting([.listTasks]))
    }

    @Test("only message/stream and tasks/resubscribe stream")
    func streaming() {
        #expect(Set(A2A03.Method.allCases.filter(\.isStreaming)) == [.messageStream, .tasksResubscribe])
    }

    @Test(
        "names that are not 0.3 JSON-RPC methods are 'method not found'",
        arguments: ["tasks/list", "GetTask", "SendMessage", "message/Send", "agent/authenticatedExtendedCard", "tasks/pushNotificationConfig"]
    )
    func methodNotFound(method: String) throws {
        let error = try error03(method, #"{"id": "t1"}"#)
        #expect(error.code == JSONRPCError.methodNotFoundCode)
    }

    @Test("the 1.0 decoder does not know the 0.3 names, and the 0.3 decoder does not know the 1.0 names")
    func codecsAreSeparate() throws {
        for method in A2A03.Method.allCases {
            let request = try decodeRequest(#"{"jsonrpc": "2.0", "id": 1, "method": "\#(method.rawValue)", "params": {"id": "t1"}}"#)
            #expect(request.call.failure?.code == JSONRPCError.methodNotFoundCode)
        }
        for method in A2AMethod.allCases {
            #expect(try error03(method.rawValue, #"{"id": "t1"}"#).code == JSONRPCError.methodNotFoundCode)
        }
    }

    // MARK: message/send configuration

    static func configuration(_ json: String) throws -> SendMessageConfiguration? {
        guard case .sendMessage(let request) = try call03("message/send", #"{"message": \#(messageJSON), "configuration": \#(json)}"#) else {
            Issue.record("not a sendMessage call")
            return nil
        }
        return request.configuration
    }

    @Test(
        "blocking is the inverse of returnImmediately; absent stays absent, which is blocking",
        arguments: [("{}", Bool?.none), (#"{"blocking": true}"#, false), (#"{"blocking": false}"#, true)]
    )
    func blocking(json: String, returnImmediately: Bool?) throws {
        let configuration = try #require(try Self.configuration(json))
        #expect(configuration.returnImmediately == returnImmediately)
    }

    @Test(
        "historyLength: 0.3 `0` means no limit, so it is unset in 1.0; other values are kept",
        arguments: [(Int?.none, Int?.none), (0, nil), (1, 1), (25, 25), (-1, -1)]
    )
    func historyLength(sent: Int?, expected: Int?) throws {
        let member = sent.map { #"{"historyLength": \#($0)}"# } ?? "{}"
        #expect(try Self.configuration(member)?.historyLength == expected)
        let getParams = sent.map { #"{"id": "t1", "historyLength": \#($0)}"# } ?? #"{"id": "t1"}"#
        #expect(try call03("tasks/get", getParams) == .getTask(GetTaskRequest(id: "t1", historyLength: expected)))
    }

    @Test("acceptedOutputModes is copied; the bare push config becomes the flat 1.0 config with no task id")
    func configurationFields() throws {
        let configuration = try #require(
            try Self.configuration(
                #"{"acceptedOutputModes": ["text/plain", "application/json"], "pushNotificationConfig": {"url": "https://h/x", "token": "tok", "authentication": {"schemes": ["Bearer"]}}}"#
            )
        )
        #expect(configuration.acceptedOutputModes == ["text/plain", "application/json"])
        #expect(
            configuration.taskPushNotificationConfig
                == TaskPushNotificationConfig(taskId: "", url: "https://h/x", token: "tok", authentication: AuthenticationInfo(scheme: "Bearer"))
        )
        #expect(configuration.historyLength == nil)
        #expect(configuration.returnImmediately == nil)
    }

    // MARK: Push notification configs

    @Test("set: a config without id (or with an empty one) gets the task id, as a2a-sdk servers do", arguments: ["", #""id": "", "#])
    func setDefaultsIdToTaskId(idMember: String) throws {
        let call = try call03("tasks/pushNotificationConfig/set", #"{"taskId": "t1", "pushNotificationConfig": {\#(idMember)"url": "https://h/x"}}"#)
        #expect(call == .createTaskPushNotificationConfig(TaskPushNotificationConfig(id: "t1", taskId: "t1", url: "https://h/x")))
    }

    @Test("set: schemes[0] is the 1.0 scheme; an empty list is an empty scheme; empty credentials and token are unset")
    func setAuthentication() throws {
        let call = try call03(
            "tasks/pushNotificationConfig/set",
            #"{"taskId": "t1", "pushNotificationConfig": {"id": "c", "url": "u", "token": "", "authentication": {"schemes": [], "credentials": ""}}}"#
        )
        #expect(
            call
                == .createTaskPushNotificationConfig(
                    TaskPushNotificationConfig(id: "c", taskId: "t1", url: "u", authentication: AuthenticationInfo(scheme: ""))))
    }

    @Test("get without pushNotificationConfigId (deprecated TaskIdParams form) asks for the config whose id is the task id")
    func getWithoutConfigId() throws {
        #expect(
            try call03("tasks/pushNotificationConfig/get", #"{"id": "t1"}"#)
                == .getTaskPushNotificationConfig(GetTaskPushNotificationConfigRequest(taskId: "t1", id: "t1"))
        )
        #expect(
            try call03("tasks/pushNotificationConfig/get", #"{"id": "t1", "pushNotificationConfigId": ""}"#)
                == .getTaskPushNotificationConfig(GetTaskPushNotificationConfigRequest(taskId: "t1", id: "t1"))
        )
    }

    @Test(
        "agent/getAuthenticatedExtendedCard accepts absent, null or object params (a2a-sdk sends {})", arguments: [nil, "null", "{}", #"{"x": 1}"#])
    func extendedCardParams(params: String?) throws {
        #expect(try call03("agent/getAuthenticatedExtendedCard", params) == .getExtendedAgentCard(GetExtendedAgentCardRequest()))
    }

    // MARK: Leniency

    @Test("a message and its parts without kind are accepted (the 0.3 spec examples omit it)")
    func missingKinds() throws {
        let call = try call03(
            "message/send",
            #"{"message": {"role": "agent", "messageId": "m1", "parts": [{"text": "t"}, {"file": {"uri": "https://f"}}, {"data": {"a": 1}}]}}"#
        )
        #expect(
            call
                == .sendMessage(
                    SendMessageRequest(
                        message: Message(messageId: "m1", role: .agent, parts: [.text("t"), Part(.url("https://f")), .data(["a": 1])]))
                )
        )
    }

    @Test(
        "file bytes: standard or URL-safe base64, padded or not",
        arguments: ["+/+/AA==", "+/+/AA", "-_-_AA==", "-_-_AA"]
    )
    func lenientBase64(bytes: String) throws {
        let call = try call03(
            "message/send",
            #"{"message": {"role": "user", "messageId": "m1", "parts": [{"kind": "file", "file": {"bytes": "\#(bytes)", "name": "n", "mimeType": "application/octet-stream"}}]}}"#
        )
        let expected = Part(.raw(Data([0xFB, 0xFF, 0xBF, 0x00])), filename: "n", mediaType: "application/octet-stream")
        #expect(call == .sendMessage(SendMessageRequest(message: Message(messageId: "m1", role: .user, parts: [expected]))))
    }

    @Test("unknown fields are ignored")
    func unknownFields() throws {
        let call = try call03("tasks/cancel", #"{"id": "t1", "tenant": "other", "extra": [1, 2]}"#)
        #expect(call == .cancelTask(CancelTaskRequest(id: "t1")))
    }

    // MARK: Invalid params

    /// Bad params, and the field the -32602 error must name ("" for the whole params).
    static let invalidParams: [(String, String?, String)] = [
        ("message/send", nil, ""),
        ("message/send", "[1]", ""),
        ("message/send", "{}", "message"),
        ("message/send", #"{"message": {"role": "ROLE_USER", "messageId": "x", "parts": [{"text": "hi"}]}}"#, "message.role"),
        ("message/send", #"{"message": {"role": "user", "parts": []}}"#, "message.messageId"),
        ("message/send", #"{"message": {"kind": "task", "role": "user", "messageId": "m", "parts": []}}"#, "message.kind"),
        ("message/send", #"{"message": {"role": "user", "messageId": "m", "parts": [{"kind": "image", "text": "x"}]}}"#, "message.parts[0].kind"),
        ("message/send", #"{"message": {"role": "user", "messageId": "m", "parts": [{"kind": "text"}]}}"#, "message.parts[0].text"),
        ("message/send", #"{"message": {"role": "user", "messageId": "m", "parts": [{"text": "a", "data": {}}]}}"#, "message.parts[0]"),
        ("message/send", #"{"message": {"role": "user", "messageId": "m", "parts": [{"kind": "data", "data": [1, 2]}]}}"#, "message.parts[0].data"),
        (
            "message/send", #"{"message": {"role": "user", "messageId": "m", "parts": [{"kind": "file", "file": {"bytes": "AA==", "uri": "u"}}]}}"#,
            "message.parts[0].file"
        ),
        (
            "message/send", #"{"message": {"role": "user", "messageId": "m", "parts": [{"kind": "file", "file": {"name": "x"}}]}}"#,
            "message.parts[0].file"
        ),
        (
            "message/send", #"{"message": {"role": "user", "messageId": "m", "parts": [{"kind": "file", "file": {"bytes": "A"}}]}}"#,
            "message.parts[0].file.bytes"
        ),
        ("message/send", #"{"message": \#(messageJSON), "configuration": {"blocking": "yes"}}"#, "configuration.blocking"),
        (
            "message/stream", #"{"message": \#(messageJSON), "configuration": {"pushNotificationConfig": {}}}"#,
            "configuration.pushNotificationConfig.url"
        ),
        ("tasks/get", #"{"nope": 1}"#, "id"),
        ("tasks/get", nil, ""),
        ("tasks/get", #"{"id": 7}"#, "id"),
        ("tasks/cancel", "{}", "id"),
        ("tasks/resubscribe", #"{"id": null}"#, "id"),
        ("tasks/pushNotificationConfig/set", #"{"taskId": "t1"}"#, "pushNotificationConfig"),
        ("tasks/pushNotificationConfig/set", #"{"taskId": "t1", "pushNotificationConfig": {"id": "c"}}"#, "pushNotificationConfig.url"),
        ("tasks/pushNotificationConfig/set", #"{"taskId": "", "pushNotificationConfig": {"url": "u"}}"#, "taskId"),
        ("tasks/pushNotificationConfig/set", #"{"pushNotificationConfig": {"url": "u"}}"#, "taskId"),
        (
            "tasks/pushNotificationConfig/set", #"{"taskId": "t", "pushNotificationConfig": {"url": "u", "authentication": {"credentials": "c"}}}"#,
            "pushNotificationConfig.authentication.schemes"
        ),
        ("tasks/pushNotificationConfig/get", #"{"pushNotificationConfigId": "c"}"#, "id"),
        ("tasks/pushNotificationConfig/list", "{}", "id"),
        ("tasks/pushNotificationConfig/delete", #"{"id": "t1"}"#, "pushNotificationConfigId"),
    ]

    @Test("invalid params are -32602 naming the field", arguments: invalidParams)
    func invalidParamsNameTheField(method: String, params: String?, field: String) throws {
        let error = try error03(method, params)
        #expect(error.code == JSONRPCError.invalidParamsCode)
        #expect(error.fieldViolations.map(\.field) == [field])
    }

    @Test("a request id is echoed even when the params are invalid")
    func idSurvivesInvalidParams() throws {
        let request = try decode03(#"{"jsonrpc": "2.0", "id": "keep", "method": "tasks/get", "params": {}}"#)
        #expect(request.responseID == .string("keep"))
        #expect(request.call.failure?.code == JSONRPCError.invalidParamsCode)
    }
}

extension Result {
    /// The failure, if any.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
