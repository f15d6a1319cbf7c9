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

@Suite("JSON-RPC request envelope", .timeLimit(.minutes(2)))
struct JSONRPCRequestTests {
    static let sendParams = #"{"message": {"messageId": "m1", "role": "ROLE_USER", "parts": [{"text": "hi"}]}}"#

    /// The error of a request that decoded as an envelope but failed inside it.
    private func failure(_ json: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> (JSONRPCID?, JSONRPCError) {
        let request = try decodeRequest(json)
        guard case .failure(let error) = request.call else {
            Issue.record("expected a failure, got \(request.call)", sourceLocation: sourceLocation)
            throw UnexpectedSuccess()
        }
        return (request.id, error)
    }

    private struct UnexpectedSuccess: Error {}

    // MARK: -32700 and -32600 outside the envelope

    @Test(
        "invalid JSON makes the decoder throw (the front end answers -32700)",
        arguments: ["", "{", #"{"jsonrpc": "2.0" "id": 1}"#, "nul", "{'a': 1}", #"{"id": 1, "method": "GetTask"#]
    )
    func invalidJSON(json: String) throws {
        let error = try #require(throws: (any Error).self) { try decodeRequest(json) }
        #expect(!(error is JSONRPCError))
        #expect(error is DecodingError)
    }

    @Test(
        "a top level that is not an object throws invalid request -32600",
        arguments: ["[]", #"[{"jsonrpc": "2.0", "method": "GetTask"}]"#, #""x""#, "1", "null", "true"]
    )
    func nonObjectTopLevel(json: String) throws {
        let error = try #require(throws: JSONRPCError.self) { try decodeRequest(json) }
        #expect(error.code == -32600)
        #expect(error.code == JSONRPCError.invalidRequestCode)
    }

    // MARK: -32600 inside the envelope, id kept

    @Test(
        "a missing or wrong jsonrpc member is an invalid request that keeps the id",
        arguments: [
            #"{"id": 7, "method": "GetTask", "params": {"id": "t"}}"#, #"{"jsonrpc": "1.0", "id": 7, "method": "GetTask", "params": {"id": "t"}}"#,
            #"{"jsonrpc": 2.0, "id": 7, "method": "GetTask", "params": {"id": "t"}}"#, #"{"jsonrpc": null, "id": 7, "method": "GetTask"}"#,
        ]
    )
    func wrongVersion(json: String) throws {
        let (id, error) = try failure(json)
        #expect(id == .number(7))
        #expect(error.code == -32600)
        #expect(error.message.contains("jsonrpc"))
    }

    @Test(
        "a missing, empty or non-string method is an invalid request that keeps the id",
        arguments: [
            #"{"jsonrpc": "2.0", "id": "r1", "params": {}}"#, #"{"jsonrpc": "2.0", "id": "r1", "method": ""}"#,
            #"{"jsonrpc": "2.0", "id": "r1", "method": 5}"#, #"{"jsonrpc": "2.0", "id": "r1", "method": null}"#,
        ]
    )
    func badMethod(json: String) throws {
        let (id, error) = try failure(json)
        #expect(id == .string("r1"))
        #expect(error.code == -32600)
        #expect(error.message.contains("method"))
    }

    @Test(
        "an id that is not a string, an integer or null is an invalid request answered with a null id",
        arguments: [#"{"a": 1}"#, "[1]", "true", "1.5"]
    )
    func invalidID(id: String) throws {
        let (decodedID, error) = try failure(#"{"jsonrpc": "2.0", "id": \#(id), "method": "GetTask", "params": {"id": "t"}}"#)
        #expect(decodedID == .null)
        #expect(error.code == -32600)
        #expect(error.message.contains("id"))
    }

    // MARK: ids

    @Test(
        "ids may be strings, integers or null",
        arguments: [
            (#""abc""#, JSONRPCID.string("abc")), (#""""#, .string("")), ("0", .number(0)), ("-5", .number(-5)),
            ("9223372036854775807", .number(Int64.max)), ("null", .null),
        ]
    )
    func ids(json: String, expected: JSONRPCID) throws {
        let request = try decodeRequest(#"{"jsonrpc": "2.0", "id": \#(json), "method": "GetTask", "params": {"id": "t"}}"#)
        #expect(request.id == expected)
        #expect(request.responseID == expected)
        #expect(request.method == "GetTask")
        #expect(try request.call.get() == .getTask(GetTaskRequest(id: "t")))
    }

    @Test("a request without an id is a notification, answered (if at all) with a null id")
    func notification() throws {
        let request = try decodeRequest(#"{"jsonrpc": "2.0", "method": "GetTask", "params": {"id": "t"}}"#)
        #expect(request.id == nil)
        #expect(request.responseID == .null)
    }

    @Test("an id null is kept as null, not as a notification")
    func explicitNullID() throws {
        let request = try decodeRequest(#"{"jsonrpc": "2.0", "id": null, "method": "GetTask", "params": {"id": "t"}}"#)
        #expect(request.id == .some(.null))
    }

    // MARK: -32601

    @Test(
        "an unknown method is -32601 with the id kept and the method named",
        arguments: ["message/send", "tasks/get", "category/action", "getTask", "Unknown"]
    )
    func unknownMethod(method: String) throws {
        let (id, error) = try failure(#"{"jsonrpc": "2.0", "id": 3, "method": "\#(method)", "params": {}}"#)
        #expect(id == .number(3))
        #expect(error.code == -32601)
        #expect(error.message.contains(method))
        #expect(error.errorInfoReason == "METHOD_NOT_FOUND")
        #expect(error.data?.first?["metadata"]?["method"]?.stringValue == method)
    }

    @Test("method names are case-sensitive")
    func caseSensitiveMethod() throws {
        let (_, error) = try failure(#"{"jsonrpc": "2.0", "id": 3, "method": "sendmessage", "params": \#(Self.sendParams)}"#)
        #expect(error.code == -32601)
    }

    // MARK: params presence and shape

    @Test("params may be absent (or null) for ListTasks and GetExtendedAgentCard", arguments: ["", #", "params": null"#])
    func optionalParams(params: String) throws {
        let list = try decodeRequest(#"{"jsonrpc": "2.0", "id": 1, "method": "ListTasks"\#(params)}"#)
        #expect(try list.call.get() == .listTasks(ListTasksRequest()))
        let card = try decodeRequest(#"{"jsonrpc": "2.0", "id": 1, "method": "GetExtendedAgentCard"\#(params)}"#)
        #expect(try card.call.get() == .getExtendedAgentCard(GetExtendedAgentCardRequest()))
    }

    @Test(
        "params absent (or null) are invalid params for every other method",
        arguments: A2AMethod.allCases.filter { $0 != .listTasks && $0 != .getExtendedAgentCard }
    )
    func requiredParams(method: A2AMethod) throws {
        for params in ["", #", "params": null"#] {
            let (id, error) = try failure(#"{"jsonrpc": "2.0", "id": 1, "method": "\#(method.rawValue)"\#(params)}"#)
            #expect(id == .number(1))
            #expect(error.code == -32602)
            #expect(error.message.contains("params is required"))
        }
    }

    @Test(
        "params that are not an object are invalid params",
        arguments: [#"[]"#, #"["t1"]"#, #""t1""#, "1", "true"]
    )
    func nonObjectParams(params: String) throws {
        for method in ["GetTask", "ListTasks"] {
            let (id, error) = try failure(#"{"jsonrpc": "2.0", "id": 9, "method": "\#(method)", "params": \#(params)}"#)
            #expect(id == .number(9))
            #expect(error.code == -32602)
            #expect(error.message.contains("params must be an object"))
        }
    }

    // MARK: -32602 naming the field

    @Test(
        "invalid params name the offending field path",
        arguments: [
            (#"{"message": {"messageId": "m", "role": "ROLE_USER", "parts": [{"text": 5}]}}"#, "message.parts[0].text"),
            (#"{"message": {"messageId": "m", "role": "ROLE_USER", "parts": [{"text": "a"}, {"text": ["b"]}]}}"#, "message.parts[1].text"),
            (#"{"message": {"messageId": "m", "role": "ROLE_BOSS", "parts": []}}"#, "message.role"),
            (#"{"message": {"messageId": "m", "role": true, "parts": []}}"#, "message.role"),
            (#"{"message": {"role": "ROLE_USER", "parts": [{"text": "x"}]}}"#, "message.messageId"),
            (#"{"message": {"messageId": "m", "parts": [{"text": "x"}]}}"#, "message.role"),
            (#"{"message": {"messageId": "m", "role": "ROLE_USER"}}"#, "message.parts"),
            (#"{"message": {"messageId": "m", "role": "ROLE_USER", "parts": {}}}"#, "message.parts"),
            (#"{"message": {"messageId": 12, "role": "ROLE_USER", "parts": []}}"#, "message.messageId"),
            (#"{"message": {"messageId": null, "role": "ROLE_USER", "parts": []}}"#, "message.messageId"),
            (#"{"message": {"messageId": "m", "role": "ROLE_USER", "parts": [{}]}}"#, "message.parts[0]"),
            (#"{"message": {"messageId": "m", "role": "ROLE_USER", "parts": [{"raw": "not base64!"}]}}"#, "message.parts[0].raw"),
            (#"{"message": {"messageId": "m", "role": "ROLE_USER", "parts": [], "metadata": []}}"#, "message.metadata"),
            (#"{"message": "hello"}"#, "message"),
            (#"{}"#, "message"),
            (
                #"{"message": {"messageId": "m", "role": "ROLE_USER", "parts": []}, "configuration": {"historyLength": "2"}}"#,
                "configuration.historyLength"
            ),
        ]
    )
    func sendMessageFieldPaths(params: String, field: String) throws {
        let (id, error) = try failure(#"{"jsonrpc": "2.0", "id": "s", "method": "SendMessage", "params": \#(params)}"#)
        #expect(id == .string("s"))
        #expect(error.code == -32602)
        #expect(error.fieldViolations.first?.field == field)
        #expect(error.message.contains("'\(field)'"))
    }

    @Test(
        "invalid params of the task methods name the field",
        arguments: [
            ("GetTask", "{}", "id"), ("GetTask", #"{"id": 5}"#, "id"), ("GetTask", #"{"id": "t", "historyLength": "ten"}"#, "historyLength"),
            ("GetTask", #"{"id": "t", "history_length": "ten"}"#, "history_length"), ("CancelTask", #"{"tenant": "a"}"#, "id"),
            ("SubscribeToTask", "{}", "id"), ("ListTasks", #"{"status": "TASK_STATE_BOGUS"}"#, "status"),
            ("ListTasks", #"{"statusTimestampAfter": "yesterday"}"#, "statusTimestampAfter"), ("ListTasks", #"{"pageSize": "20"}"#, "pageSize"),
            ("ListTasks", #"{"includeArtifacts": "yes"}"#, "includeArtifacts"), ("GetTaskPushNotificationConfig", #"{"id": "c"}"#, "taskId"),
            ("DeleteTaskPushNotificationConfig", #"{"taskId": "t"}"#, "id"), ("ListTaskPushNotificationConfigs", "{}", "taskId"),
            ("CreateTaskPushNotificationConfig", #"{"taskId": "t"}"#, "url"),
            ("CreateTaskPushNotificationConfig", #"{"url": "https://x"}"#, "taskId"),
            ("GetExtendedAgentCard", #"{"tenant": 1}"#, "tenant"),
        ]
    )
    func taskMethodFieldPaths(method: String, params: String, field: String) throws {
        let (id, error) = try failure(#"{"jsonrpc": "2.0", "id": 2, "method": "\#(method)", "params": \#(params)}"#)
        #expect(id == .number(2))
        #expect(error.code == -32602)
        #expect(error.fieldViolations.map { $0.field } == [field])
    }

    @Test("an unknown role lists the valid roles in the violation")
    func unknownRoleDescription() throws {
        let (_, error) = try failure(
            #"{"jsonrpc": "2.0", "id": 1, "method": "SendMessage", "params": {"message": {"messageId": "m", "role": "user", "parts": []}}}"#
        )
        let description = try #require(error.fieldViolations.first?.description)
        #expect(description.contains("ROLE_USER"))
        #expect(description.contains("ROLE_AGENT"))
    }

    @Test("an unknown task state lists the valid states in the violation")
    func unknownStateDescription() throws {
        let (_, error) = try failure(#"{"jsonrpc": "2.0", "id": 1, "method": "ListTasks", "params": {"status": "working"}}"#)
        let description = try #require(error.fieldViolations.first?.description)
        #expect(description.contains("TASK_STATE_WORKING"))
        #expect(description.contains("TASK_STATE_INPUT_REQUIRED"))
    }

    @Test("a type mismatch says what was expected")
    func typeMismatchDescription() throws {
        let (_, error) = try failure(#"{"jsonrpc": "2.0", "id": 1, "method": "GetTask", "params": {"id": "t", "historyLength": "ten"}}"#)
        #expect(error.fieldViolations.first?.description == "expected a number")
        let (_, missing) = try failure(#"{"jsonrpc": "2.0", "id": 1, "method": "GetTask", "params": {}}"#)
        #expect(missing.fieldViolations.first?.description == "required field is missing")
    }

    // MARK: Leniency

    @Test("unknown members of the envelope and of the params are ignored")
    func unknownFieldsIgnored() throws {
        let request = try decodeRequest(
            """
            {"jsonrpc": "2.0", "id": 1, "method": "SendMessage", "extra": true,
             "params": {"message": {"messageId": "m1", "role": "ROLE_USER", "parts": [{"text": "hi", "kind": "text"}], "kind": "message"},
                        "unknownTopLevel": {"a": 1}, "configuration": {"blocking": true}}}
            """
        )
        let expected = SendMessageRequest(
            message: Message(messageId: "m1", role: .user, parts: [.text("hi")]),
            configuration: SendMessageConfiguration()
        )
        #expect(try request.call.get() == .sendMessage(expected))
    }

    @Test("member order does not matter: params before method")
    func memberOrder() throws {
        let request = try decodeRequest(#"{"params": {"id": "t"}, "id": 1, "method": "GetTask", "jsonrpc": "2.0"}"#)
        #expect(try request.call.get() == .getTask(GetTaskRequest(id: "t")))
    }

    @Test("a hand-built request keeps what it is given")
    func memberwise() {
        let request = JSONRPCRequest<A2AMethodCall>(id: nil, method: "GetTask", call: .failure(.internalError()))
        #expect(request.responseID == .null)
        #expect(request.method == "GetTask")
    }
}
