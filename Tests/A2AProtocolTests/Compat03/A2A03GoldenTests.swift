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

/// Golden tests over the A2A v0.3.0 specification examples and the a2a-sdk 1.3.0 capture
/// (`Fixtures/v0_3`, see its README.md).
@Suite("A2A 0.3 golden payloads", .timeLimit(.minutes(2)))
struct A2A03GoldenTests {
    /// Rewrites every `status.timestamp` the way we write it (UTC, milliseconds, `Z`), reading
    /// zone-less timestamps as UTC like the 0.3 decoder does. Nothing else is touched.
    static func canonicalTimestamps(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let array):
            return .array(array.map(canonicalTimestamps))
        case .object(var object):
            if case .object(var status)? = object["status"], let string = status["timestamp"]?.stringValue,
                let timestamp = A2ATimestamp(rfc3339: string) ?? A2ATimestamp(rfc3339: string + "Z")
            {
                status["timestamp"] = .string(timestamp.rfc3339)
                object["status"] = .object(status)
            }
            return .object(object.mapValues(canonicalTimestamps))
        default:
            return value
        }
    }

    @Test("every 0.3 fixture is used by a test")
    func everyFixtureIsUsed() throws {
        let directory = try #require(Bundle.module.url(forResource: "v0_3", withExtension: nil, subdirectory: "Fixtures"))
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }
        let used =
            [
                "jsonrpc-message-send-request.json", "jsonrpc-message-send-request-multiturn-2-blocking.json",
                "jsonrpc-message-send-request-push-config.json", "jsonrpc-message-send-request-text-part-metadata-schema.json",
                "jsonrpc-get-authenticated-extended-card-request.json", "push-notification-payload-task.json", "agent-card.json",
                A2A03Fixtures.captureFile, "sdk-1.3.0-capture-server-card.json",
            ] + Self.invalidSpecRequests.map(\.0) + Self.specResults + Self.invalidSpecResults.map(\.0) + Self.crossVersionPairs.map(\.1)
        #expect(Set(files) == Set(used))
    }

    // MARK: Spec requests

    @Test("§9.2 message/send: decodes to SendMessage, params metadata kept")
    func basicSend() throws {
        let request = try decode03(A2A03Fixtures.data("jsonrpc-message-send-request.json"))
        #expect(request.id == .number(1))
        let call = try request.call.get()
        #expect(call.method == .messageSend)
        #expect(
            call.call
                == .sendMessage(
                    SendMessageRequest(
                        message: Message(messageId: "9229e770-767c-417b-a0b0-f0741243c589", role: .user, parts: [.text("tell me a joke")]),
                        metadata: [:]
                    )
                )
        )
    }

    @Test("§9.4 step 3: blocking: true is returnImmediately: false; the message continues the task")
    func multiTurnBlocking() throws {
        let request = try decode03(A2A03Fixtures.data("jsonrpc-message-send-request-multiturn-2-blocking.json"))
        #expect(request.id == .string("req-004"))
        guard case .sendMessage(let params) = try request.call.get().call else {
            Issue.record("expected SendMessage")
            return
        }
        #expect(params.message.taskId == "3f36680c-7f37-4a5f-945e-d78981fafd36")
        #expect(params.message.contextId == "c295ea44-7543-4f78-b524-7a38915ad6e4")
        #expect(params.message.messageId == "0db1d6c4-3976-40ed-b9b8-0043ea7a03d3")
        #expect(params.message.role == .user)
        #expect(
            params.message.parts.map(\.text) == ["I want to fly from New York (JFK) to London (LHR) around October 10th, returning October 17th."])
        #expect(params.configuration == SendMessageConfiguration(returnImmediately: false))
        #expect(params.tenant == nil && params.metadata == nil)
    }

    @Test("§9.5 step 1: the bare push config becomes the flat 1.0 taskPushNotificationConfig")
    func sendWithPushConfig() throws {
        let request = try decode03(A2A03Fixtures.data("jsonrpc-message-send-request-push-config.json"))
        guard case .sendMessage(let params) = try request.call.get().call else {
            Issue.record("expected SendMessage")
            return
        }
        #expect(
            params.configuration
                == SendMessageConfiguration(
                    taskPushNotificationConfig: TaskPushNotificationConfig(
                        taskId: "",
                        url: "https://client.example.com/webhook/a2a-notifications",
                        token: "secure-client-token-for-task-aaa",
                        authentication: AuthenticationInfo(scheme: "Bearer")
                    )
                )
        )
        #expect(params.message.messageId == "6dbc13b5-bd57-4c2b-b503-24e381b6c8d6")
    }

    @Test("§9.7 step 1: text part metadata is kept as is")
    func textPartMetadata() throws {
        let request = try decode03(A2A03Fixtures.data("jsonrpc-message-send-request-text-part-metadata-schema.json"))
        #expect(request.id == .number(9))
        guard case .sendMessage(let params) = try request.call.get().call else {
            Issue.record("expected SendMessage")
            return
        }
        let original = try A2A03Fixtures.value("jsonrpc-message-send-request-text-part-metadata-schema.json")
        let part = try #require(params.message.parts.first)
        #expect(part.text == "Show me a list of my open IT tickets")
        #expect(part.metadata.map(JSONValue.object) == original.at("params", "message")?["parts"]?.arrayValue?.first?["metadata"])
        #expect(params.metadata == [:])
    }

    @Test("§9.1 agent/getAuthenticatedExtendedCard without params")
    func extendedCardRequest() throws {
        let request = try decode03(A2A03Fixtures.data("jsonrpc-get-authenticated-extended-card-request.json"))
        #expect(
            try request.call.get()
                == A2A03MethodCall(method: .getAuthenticatedExtendedCard, call: .getExtendedAgentCard(GetExtendedAgentCardRequest())))
    }

    /// Spec requests that are invalid, and the field our -32602 names.
    static let invalidSpecRequests: [(String, String)] = [
        // `messageId` sits in params instead of in the message.
        ("jsonrpc-message-send-request-multiturn-1.json", "message.messageId"),
        // The file part has `data` where `bytes` or `uri` belongs.
        ("jsonrpc-message-stream-request.json", "message.parts[1].file"),
        // `bytes` ends in "..." (a placeholder), which is not base64.
        ("jsonrpc-message-send-request-file-bytes.json", "message.parts[1].file.bytes"),
    ]

    @Test("spec requests that break the 0.3 schema are -32602 naming the field", arguments: invalidSpecRequests)
    func invalidSpecRequest(file: String, field: String) throws {
        let request = try decode03(A2A03Fixtures.data(file))
        let error = try #require(request.call.failure)
        #expect(error.code == JSONRPCError.invalidParamsCode)
        #expect(error.fieldViolations.map(\.field) == [field])
    }

    @Test("§9.6: the same file part with real base64 decodes to a raw 1.0 part with filename and mediaType")
    func fileBytesWithValidBase64() throws {
        let original = try A2A03Fixtures.value("jsonrpc-message-send-request-file-bytes.json")
        let fixed = JSONTesting.setting("iVBORw0KGgoAAAANSUhEUgAAAAUA", at: ["params", "message", "parts", 1, "file", "bytes"], in: original)
        let call = try decode03(JSONEncoder().encode(fixed)).call.get().call
        guard case .sendMessage(let params) = call else {
            Issue.record("expected SendMessage")
            return
        }
        let file = try #require(params.message.parts.last)
        #expect(
            file == Part(.raw(try #require(Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAUA"))), filename: "input_image.png", mediaType: "image/png")
        )
    }

    // MARK: Spec results

    /// Valid spec results: decoded with the 0.3 types, converted to 1.0 and back, and written again.
    static let specResults = [
        "jsonrpc-message-send-response-task.json",
        "jsonrpc-message-send-response-task-input-required.json",
        "jsonrpc-message-send-response-task-file-uri.json",
        "jsonrpc-message-send-response-task-json-in-text.json",
        "jsonrpc-message-send-response-task-submitted.json",
        "jsonrpc-message-stream-event-2-artifact-update.json",
        "jsonrpc-message-stream-event-3-artifact-update-append.json",
        "jsonrpc-message-stream-event-4-artifact-update-last-chunk.json",
        "jsonrpc-message-stream-event-5-status-update-final.json",
    ]

    @Test("spec results survive 0.3 → 1.0 → 0.3 and are written as the spec shows them (plus kind)", arguments: specResults)
    func specResult(file: String) throws {
        let original = try A2A03Fixtures.value(file)
        let result = try #require(original["result"])
        let event = try JSONTesting.decode(A2A03.StreamEvent.self, from: result)
        let rewritten = try JSONTesting.encodedValue(A2A03.streamEvent(StreamResponse(a2a03: event)))
        let expected = result["status"] != nil && result["taskId"] == nil ? A2A03Fixtures.addingKinds(toTask: result) : result
        #expect(rewritten == Self.canonicalTimestamps(expected))
    }

    @Test("§9.5 webhook body: a bare Task survives 0.3 → 1.0 → 0.3")
    func webhookTask() throws {
        let original = try A2A03Fixtures.value("push-notification-payload-task.json")
        let task = try JSONTesting.decode(A2A03.Task.self, from: original)
        #expect(try JSONTesting.encodedValue(A2A03.Task(A2ATask(a2a03: task))) == Self.canonicalTimestamps(original))
    }

    /// Spec results that are invalid, and the key the decoding error is about.
    static let invalidSpecResults: [(String, String)] = [
        // The Message lacks the REQUIRED role.
        ("jsonrpc-message-send-response-message.json", "role"),
        // status.message lacks the REQUIRED messageId.
        ("jsonrpc-message-send-response-task-completed-data-part.json", "messageId"),
        // The history's file part has `data` instead of `bytes`/`uri`.
        ("jsonrpc-message-stream-event-1-task-submitted.json", "file"),
    ]

    @Test("spec results that break the 0.3 schema are rejected by the 0.3 decoder", arguments: invalidSpecResults)
    func invalidSpecResult(file: String, key: String) throws {
        let result = try #require(try A2A03Fixtures.value(file)["result"])
        let error = try #require(throws: DecodingError.self) { try JSONTesting.decode(A2A03.StreamEvent.self, from: result) }
        switch error {
        case .keyNotFound(let missing, _): #expect(missing.stringValue == key)
        case .dataCorrupted(let context): #expect(context.codingPath.last?.stringValue == key)
        default: Issue.record("unexpected \(error)")
        }
    }

    /// The same scenario in the 1.0 and 0.3 specifications: the 1.0 result, converted, must be the 0.3 one.
    static let crossVersionPairs: [(String, String)] = [
        ("send-message-response-task-file-url.json", "jsonrpc-message-send-response-task-file-uri.json"),
        ("send-message-response-task-json-in-text.json", "jsonrpc-message-send-response-task-json-in-text.json"),
        ("send-message-response-task-submitted.json", "jsonrpc-message-send-response-task-submitted.json"),
    ]

    @Test("a 1.0 spec result converts to the 0.3 spec result of the same scenario", arguments: crossVersionPairs)
    func crossVersion(v1File: String, v03File: String) throws {
        let response = try JSONDecoder().decode(SendMessageResponse.self, from: A2A03Fixtures.v1Data(v1File))
        let expected = try #require(try A2A03Fixtures.value(v03File)["result"])
        #expect(try JSONTesting.encodedValue(A2A03.Response(response)) == Self.canonicalTimestamps(A2A03Fixtures.addingKinds(toTask: expected)))
    }

    @Test("§5.7 sample card: decodes as a 0.3 card and encodes back unchanged")
    func sampleCard() throws {
        let original = try A2A03Fixtures.value("agent-card.json")
        let card = try JSONTesting.decode(A2A03.AgentCard.self, from: original)
        #expect(card.protocolVersion == "0.2.9")
        #expect(card.additionalInterfaces.map(\.transport) == ["JSONRPC", "GRPC", "HTTP+JSON"])
        #expect(card.security == [["google": ["openid", "profile", "email"]]])
        #expect(card.supportsAuthenticatedExtendedCard == true)
        #expect(card.capabilities.stateTransitionHistory == false)
        #expect(try JSONTesting.encodedValue(card) == original)
    }

    // MARK: The a2a-sdk 1.3.0 capture

    /// Exchanges our 0.3 decoder must refuse, with the code. The SDK answers some of them differently (see the README).
    static let refusedExchanges: [String: Int] = [
        "tasks/list (not a 0.3 JSON-RPC method)": JSONRPCError.methodNotFoundCode,
        "1.0 method with no header (error)": JSONRPCError.methodNotFoundCode,
        "1.0 SendMessage with returnImmediately": JSONRPCError.methodNotFoundCode,
        "1.0 GetTask same task (for comparison)": JSONRPCError.methodNotFoundCode,
        // a2a-sdk: -32600 with a pydantic message; the 0.3 spec says -32602.
        "tasks/get missing id (invalid params)": JSONRPCError.invalidParamsCode,
        "tasks/get with no params": JSONRPCError.invalidParamsCode,
        "message/send with A2A-Version 0.3 and 1.0-style message (no kind, ROLE_USER)": JSONRPCError.invalidParamsCode,
    ]

    @Test("every captured request decodes, or is refused with the expected code")
    func everyCapturedRequest() throws {
        let exchanges = try A2A03Fixtures.exchanges()
        #expect(exchanges.count == 44)
        for exchange in exchanges {
            if exchange.title == "parse error" {
                #expect(throws: (any Error).self) { try decode03(exchange.requestData) }
                continue
            }
            let request = try decode03(exchange.requestData)
            #expect(request.id == exchange.request["id"].flatMap { try? JSONTesting.decode(JSONRPCID.self, from: $0) })
            if let code = Self.refusedExchanges[exchange.title] {
                #expect(request.call.failure?.code == code, "\(exchange.title)")
            } else {
                let call = try request.call.get()
                #expect(call.method.rawValue == exchange.request["method"]?.stringValue, "\(exchange.title)")
                #expect(call.call.method == call.method.a2aMethod, "\(exchange.title)")
            }
        }
        #expect(Set(Self.refusedExchanges.keys).isSubset(of: Set(exchanges.map(\.title))))
    }

    static let longTaskId = "1410c1a9-a5ad-4760-883a-6e224ab836da"

    /// Captured requests and the 1.0 call each must decode to.
    static let capturedCalls: [(String, A2AMethodCall)] = [
        (
            "message/send blocking:false historyLength:0, A2A-Version: 0.3",
            .sendMessage(
                SendMessageRequest(
                    message: Message(messageId: "m-hello-two", role: .user, parts: [.text("hello two")]),
                    configuration: SendMessageConfiguration(acceptedOutputModes: ["text/plain"], historyLength: nil, returnImmediately: true)
                )
            )
        ),
        (
            "message/send with NO kind fields on message/part (lenient SDK)",
            .sendMessage(SendMessageRequest(message: Message(messageId: "m-nokind", role: .user, parts: [.text("no kind fields")])))
        ),
        (
            "message/send with file(bytes), file(uri), data parts",
            .sendMessage(
                SendMessageRequest(
                    message: Message(
                        messageId: "m-file",
                        role: .user,
                        parts: [
                            Part(.raw(Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])), filename: "x.png", mediaType: "image/png"),
                            Part(.url("https://e/x.pdf")),
                            .data(["a": 1]),
                        ]
                    )
                )
            )
        ),
        (
            "message/send continuing input-required task",
            .sendMessage(
                SendMessageRequest(
                    message: Message(
                        messageId: "m-follow-up",
                        contextId: "99ae996e-a978-417e-b79e-fabdeba917d0",
                        taskId: "e386b689-ad78-40e6-90ec-e53624f9f761",
                        role: .user,
                        parts: [.text("follow up")]
                    )
                )
            )
        ),
        (
            "message/send with configuration.pushNotificationConfig",
            .sendMessage(
                SendMessageRequest(
                    message: Message(messageId: "m-with-push", role: .user, parts: [.text("with push")]),
                    configuration: SendMessageConfiguration(
                        taskPushNotificationConfig: TaskPushNotificationConfig(
                            taskId: "",
                            url: "https://client.example.com/hook",
                            token: "tok",
                            authentication: AuthenticationInfo(scheme: "Bearer", credentials: "secret")
                        ),
                        returnImmediately: true
                    )
                )
            )
        ),
        (
            "message/stream",
            .sendStreamingMessage(SendMessageRequest(message: Message(messageId: "m-stream-me", role: .user, parts: [.text("stream me")])))
        ),
        ("tasks/get historyLength 1", .getTask(GetTaskRequest(id: longTaskId, historyLength: 1))),
        ("tasks/get historyLength 0 (0.3: 0 == unlimited per SDK)", .getTask(GetTaskRequest(id: longTaskId, historyLength: nil))),
        ("tasks/cancel on completed task (error)", .cancelTask(CancelTaskRequest(id: longTaskId))),
        ("tasks/resubscribe on working task", .subscribeToTask(SubscribeToTaskRequest(id: "2d617de5-4996-4554-8401-a8ba2384e87e"))),
        (
            "pushNotificationConfig/set with id",
            .createTaskPushNotificationConfig(
                TaskPushNotificationConfig(
                    id: "cfg-1",
                    taskId: longTaskId,
                    url: "https://client.example.com/hook",
                    token: "tok",
                    authentication: AuthenticationInfo(scheme: "Bearer", credentials: "secret")
                )
            )
        ),
        (
            "pushNotificationConfig/set without id",
            .createTaskPushNotificationConfig(TaskPushNotificationConfig(id: longTaskId, taskId: longTaskId, url: "https://client.example.com/hook2"))
        ),
        (
            "pushNotificationConfig/get with pushNotificationConfigId",
            .getTaskPushNotificationConfig(GetTaskPushNotificationConfigRequest(taskId: longTaskId, id: "cfg-1"))
        ),
        // a2a-sdk 1.3.0 rejects this deprecated form with -32602; we accept it (research doc §8 #5).
        (
            "pushNotificationConfig/get WITHOUT pushNotificationConfigId (deprecated TaskIdParams form)",
            .getTaskPushNotificationConfig(GetTaskPushNotificationConfigRequest(taskId: longTaskId, id: longTaskId))
        ),
        ("pushNotificationConfig/list", .listTaskPushNotificationConfigs(ListTaskPushNotificationConfigsRequest(taskId: longTaskId))),
        (
            "pushNotificationConfig/delete",
            .deleteTaskPushNotificationConfig(DeleteTaskPushNotificationConfigRequest(taskId: longTaskId, id: "cfg-1"))
        ),
        ("agent/getAuthenticatedExtendedCard", .getExtendedAgentCard(GetExtendedAgentCardRequest())),
    ]

    @Test("captured requests decode to the expected 1.0 calls, field by field", arguments: capturedCalls)
    func capturedCall(title: String, expected: A2AMethodCall) throws {
        let exchange = try A2A03Fixtures.exchange(title)
        #expect(try decode03(exchange.requestData).call.get().call == expected)
    }

    @Test("invalid captured requests: -32602 naming the field, where a2a-sdk sent -32600")
    func capturedInvalidParams() throws {
        let missingId = try decode03(A2A03Fixtures.exchange("tasks/get missing id (invalid params)").requestData)
        #expect(missingId.call.failure?.fieldViolations.map(\.field) == ["id"])
        let role = try decode03(A2A03Fixtures.exchange("message/send with A2A-Version 0.3 and 1.0-style message (no kind, ROLE_USER)").requestData)
        #expect(role.call.failure?.fieldViolations.map(\.field) == ["message.role"])
        let noParams = try decode03(A2A03Fixtures.exchange("tasks/get with no params").requestData)
        #expect(noParams.call.failure?.fieldViolations.map(\.field) == [""])
    }

    // MARK: Captured results

    /// The captured `result`, converted to 1.0 with the 0.3 decoder and written again by the 0.3 encoder.
    static func rewrittenResult(of exchange: A2A03Fixtures.Exchange) throws -> JSONValue? {
        let result = try #require(try exchange.response["result"])
        switch exchange.request["method"]?.stringValue {
        case "message/send":
            let event = try JSONTesting.decode(A2A03.StreamEvent.self, from: result)
            switch StreamResponse(a2a03: event) {
            case .task(let task): return try JSONTesting.encodedValue(A2A03.Response(SendMessageResponse.task(task)))
            case .message(let message): return try JSONTesting.encodedValue(A2A03.Response(SendMessageResponse.message(message)))
            default: return nil
            }
        case "tasks/get", "tasks/cancel":
            return try JSONTesting.encodedValue(A2A03.Response(A2ATask(a2a03: JSONTesting.decode(A2A03.Task.self, from: result))))
        case "tasks/pushNotificationConfig/set", "tasks/pushNotificationConfig/get":
            let config = try JSONTesting.decode(A2A03.TaskPushNotificationConfig.self, from: result)
            return try JSONTesting.encodedValue(A2A03.Response(TaskPushNotificationConfig(a2a03: config)))
        case "tasks/pushNotificationConfig/list":
            let configs = try JSONTesting.decode([A2A03.TaskPushNotificationConfig].self, from: result)
            let list = ListTaskPushNotificationConfigsResponse(configs: configs.map { TaskPushNotificationConfig(a2a03: $0) })
            return try JSONTesting.encodedValue(A2A03.Response(list))
        default:
            return nil
        }
    }

    @Test("every captured JSON result survives 0.3 → 1.0 → 0.3 and is written exactly as a2a-sdk wrote it")
    func capturedResults() throws {
        var compared = 0
        for exchange in try A2A03Fixtures.exchanges() where exchange.ctype == "application/json" {
            guard let method = exchange.request["method"]?.stringValue, A2A03.Method(rawValue: method) != nil,
                try exchange.response["result"] != nil, method != "agent/getAuthenticatedExtendedCard"
            else { continue }
            let rewritten = try #require(try Self.rewrittenResult(of: exchange), "\(exchange.title)")
            #expect(rewritten == Self.canonicalTimestamps(try #require(try exchange.response["result"])), "\(exchange.title)")
            compared += 1
        }
        #expect(compared == 20)
    }

    @Test("every captured stream event survives 0.3 → 1.0 → 0.3; final differs only where we end on input-required")
    func capturedStreams() throws {
        var compared = 0
        for exchange in try A2A03Fixtures.exchanges() where exchange.ctype.hasPrefix("text/event-stream") {
            let events = try exchange.events
            for (index, event) in events.enumerated() {
                guard let result = event["result"] else {
                    // Error events: only the pre-stream terminal-task errors were captured.
                    #expect(event.at("error", "code") == .number(Double(JSONRPCError.unsupportedOperationCode)), "\(exchange.title)")
                    continue
                }
                let decoded = try JSONTesting.decode(A2A03.StreamEvent.self, from: result)
                let rewritten = try JSONTesting.encodedValue(A2A03.streamEvent(StreamResponse(a2a03: decoded)))
                var expected = Self.canonicalTimestamps(result)
                if exchange.title == "message/stream -> input-required", index == events.count - 1 {
                    // a2a-sdk 1.3.0 marks only terminal states final; our stream ends on input-required, so it is final.
                    #expect(result["final"] == false)
                    expected = JSONTesting.setting(true, at: ["final"], in: expected)
                }
                #expect(rewritten == expected, "\(exchange.title) #\(index)")
                // The last event of every successful stream, and only that one, is final.
                #expect(A2A03.streamEvent(StreamResponse(a2a03: decoded)).isFinal == (index == events.count - 1), "\(exchange.title) #\(index)")
                compared += 1
            }
        }
        #expect(compared == 13)
    }

    @Test("a 1.0 GetTask result from a2a-sdk converts to the 0.3 result a2a-sdk sent for the same task")
    func crossVersionCapture() throws {
        let v1 = try A2A03Fixtures.exchange("1.0 GetTask same task (for comparison)").response
        let task = try JSONTesting.decode(A2ATask.self, from: try #require(v1["result"]))
        let v03 = try A2A03Fixtures.exchange("message/send (setup)").response
        #expect(try JSONTesting.encodedValue(A2A03.Response(task)) == Self.canonicalTimestamps(try #require(v03["result"])))
        // The data part with mediaType "text/x" lost its media type on the way, as in a2a-sdk.
        #expect(task.artifacts?.first?.parts.last == Part(.data("str"), mediaType: "text/x"))
    }

    @Test("the capture server's 1.0 card converts to the 0.3 card a2a-sdk returned from agent/getAuthenticatedExtendedCard")
    func capturedExtendedCard() throws {
        let card = try JSONDecoder().decode(AgentCard.self, from: A2A03Fixtures.data("sdk-1.3.0-capture-server-card.json"))
        let expected = try #require(try A2A03Fixtures.exchange("agent/getAuthenticatedExtendedCard").response["result"])
        #expect(try JSONTesting.encodedValue(A2A03.Response(agentCard: card)) == expected)
        // The decoder reads it back as the same 0.3 card.
        let decoded = try JSONTesting.decode(A2A03.AgentCard.self, from: expected)
        #expect(decoded == A2A03.AgentCard(card))
    }

    @Test("delete answers result: null, where a2a-sdk leaves result out")
    func capturedDelete() throws {
        let captured = try A2A03Fixtures.exchange("pushNotificationConfig/delete").response
        #expect(captured["result"] == nil)
        let ours = try JSONTesting.encodedString(JSONRPCResultResponse(id: .number(1), result: A2A03.Response(EmptyResult())))
        #expect(ours == #"{"id":1,"jsonrpc":"2.0","result":null}"#)
    }

    @Test("A2A errors keep the captured codes; data is left out instead of null")
    func capturedErrors() throws {
        let cases: [(String, JSONRPCError)] = [
            ("tasks/get unknown id (error)", .taskNotFound("nope")),
            ("tasks/cancel on completed task (error)", .taskNotCancelable(Self.longTaskId, state: .completed)),
            ("message/send to a completed task (error)", .unsupportedOperation("Task is in terminal state")),
            ("tasks/list (not a 0.3 JSON-RPC method)", .methodNotFound("tasks/list")),
        ]
        for (title, error) in cases {
            let exchange = try A2A03Fixtures.exchange(title)
            let captured = try exchange.response
            let id = try JSONTesting.decode(JSONRPCID.self, from: try #require(exchange.request["id"]))
            let ours = try JSONTesting.encodedValue(A2A03.ErrorResponse(id: id, error: error))
            #expect(ours.at("error", "code") == captured.at("error", "code"), "\(title)")
            #expect(ours.at("error", "data") == nil, "\(title)")
            #expect(ours["id"] == captured["id"] && ours["jsonrpc"] == "2.0", "\(title)")
        }
    }

    @Test("invalid params carry data.errors[].field like a2a-sdk's own 0.3 validation error")
    func invalidParamsDataShape() throws {
        let captured = try A2A03Fixtures.exchange("pushNotificationConfig/get WITHOUT pushNotificationConfigId (deprecated TaskIdParams form)")
            .response
        let ours = try JSONTesting.encodedValue(A2A03.ErrorObject(.invalidParams(field: "id", description: "required field is missing")))
        #expect(ours["code"] == captured.at("error", "code"))
        #expect(ours.at("data", "errors")?.arrayValue?.first?["field"] == captured.at("error", "data", "errors")?.arrayValue?.first?["field"])
    }
}
