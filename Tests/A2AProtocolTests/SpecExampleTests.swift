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

/// Golden tests over the example payloads of the A2A specification v1.0.1 (see `Fixtures/README.md`).
@Suite("A2A 1.0 specification examples", .timeLimit(.minutes(2)))
struct SpecExampleTests {
    private struct FixtureError: Error, CustomStringConvertible {
        var description: String
    }

    static func fixtureData(_ name: String) throws -> Data {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/v1_0") else {
            throw FixtureError(description: "no fixture Fixtures/v1_0/\(name)")
        }
        return try Data(contentsOf: url)
    }

    static func fixture(_ name: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: fixtureData(name))
    }

    /// A fixture that must decode as `type` and encode back to the same JSON.
    struct RoundTrip: Sendable, CustomTestStringConvertible {
        var file: String
        /// Decodes the fixture with its A2A type and returns the re-encoded JSON.
        var reencode: @Sendable (Data) throws -> JSONValue

        init<T: Codable & Sendable>(_ file: String, as type: T.Type) {
            self.file = file
            self.reencode = { data in try JSONTesting.encodedValue(JSONDecoder().decode(T.self, from: data)) }
        }

        var testDescription: String { file }
    }

    static let roundTrips: [RoundTrip] = [
        RoundTrip("agent-card-signature.json", as: AgentCardSignature.self),
        RoundTrip("artifact-with-extensions.json", as: Artifact.self),
        RoundTrip("part-text.json", as: Part.self),
        RoundTrip("push-notification-payload-status-update.json", as: StreamResponse.self),
        RoundTrip("send-message-request-accepted-output-modes.json", as: SendMessageRequest.self),
        RoundTrip("send-message-request-basic.json", as: SendMessageRequest.self),
        RoundTrip("send-message-request-multiturn-1.json", as: SendMessageRequest.self),
        RoundTrip("send-message-request-multiturn-2-followup.json", as: SendMessageRequest.self),
        RoundTrip("send-message-request-text-part-metadata-schema.json", as: SendMessageRequest.self),
        RoundTrip("send-message-request-version-0_5.json", as: SendMessageRequest.self),
        RoundTrip("send-message-request-with-push-config.json", as: SendMessageRequest.self),
        RoundTrip("send-streaming-message-request.json", as: SendMessageRequest.self),
        RoundTrip("send-message-response-task-completed.json", as: SendMessageResponse.self),
        RoundTrip("send-message-response-task-file-url.json", as: SendMessageResponse.self),
        RoundTrip("send-message-response-task-json-in-text.json", as: SendMessageResponse.self),
        RoundTrip("send-message-response-task-minimal.json", as: SendMessageResponse.self),
        RoundTrip("send-message-response-task-submitted.json", as: SendMessageResponse.self),
        RoundTrip("list-tasks-response-by-context.json", as: ListTasksResponse.self),
        RoundTrip("list-tasks-response-pagination.json", as: ListTasksResponse.self),
        RoundTrip("list-tasks-response-working.json", as: ListTasksResponse.self),
        RoundTrip("error-invalid-params.json", as: JSONRPCErrorResponse.self),
        RoundTrip("error-task-not-found.json", as: JSONRPCErrorResponse.self),
    ]

    /// Every fixture some test below reads; `everyFixtureIsTested` keeps this list honest.
    static let otherFixtures = [
        "agent-card.json", "agent-card-with-extensions.json", "agent-card-extended-partial.json", "message-with-extensions.json",
        "send-message-request-extensions.json", "send-message-request-service-params.json", "send-message-request-file-raw.json",
        "part-file-raw.json", "send-message-response-task-input-required.json", "stream-response-1-task-working.json",
        "stream-response-2-artifact-update.json", "stream-response-3-status-update-completed.json", "jsonrpc-get-task-request.json",
        "jsonrpc-list-tasks-request.json", "jsonrpc-cancel-task-request.json", "jsonrpc-subscribe-to-task-request.json",
        "jsonrpc-get-extended-agent-card-request.json", "jsonrpc-base-request-template.json", "jsonrpc-send-message-request-envelope.json",
        "jsonrpc-send-message-request-template.json", "jsonrpc-send-message-response-envelope.json", "jsonrpc-stream-event-template.json",
    ]

    @Test("every fixture is used by a test")
    func everyFixtureIsTested() throws {
        let directory = try #require(Bundle.module.url(forResource: "v1_0", withExtension: nil, subdirectory: "Fixtures"))
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }
        let tested = Self.roundTrips.map(\.file) + Self.otherFixtures
        #expect(Set(files) == Set(tested))
        #expect(tested.count == Set(tested).count)
    }

    // MARK: Exact round trips

    @Test("decodes with its type and encodes back to the same JSON", arguments: roundTrips)
    func roundTrip(example: RoundTrip) throws {
        let data = try Self.fixtureData(example.file)
        let original = try JSONDecoder().decode(JSONValue.self, from: data)
        let reencoded = try example.reencode(data)
        // Status timestamps come back with exactly three fraction digits (see canonicalizingStatusTimestamps);
        // nothing else is normalised.
        #expect(reencoded == JSONTesting.canonicalizingStatusTimestamps(original))
    }

    @Test("§6.8: a timestamp with microseconds is truncated to milliseconds")
    func microsecondTimestamp() throws {
        let response = try JSONDecoder().decode(SendMessageResponse.self, from: Self.fixtureData("send-message-response-task-json-in-text.json"))
        guard case .task(let task) = response else {
            Issue.record("expected a task, got \(response)")
            return
        }
        #expect(task.status.timestamp?.rfc3339 == "2025-04-17T17:47:09.680Z")
    }

    @Test("§6.5: an empty nextPageToken on the last page is written back explicitly")
    func emptyNextPageToken() throws {
        let response = try JSONDecoder().decode(ListTasksResponse.self, from: Self.fixtureData("list-tasks-response-by-context.json"))
        #expect(response.nextPageToken == "")
        #expect(try JSONTesting.encodedValue(response)["nextPageToken"] == "")
    }

    @Test("§9.5: error details decode as google.rpc.BadRequest and google.rpc.ErrorInfo")
    func errorDetails() throws {
        let invalid = try JSONDecoder().decode(JSONRPCErrorResponse.self, from: Self.fixtureData("error-invalid-params.json"))
        #expect(invalid.id == .number(1))
        #expect(invalid.error.code == JSONRPCError.invalidParamsCode)
        #expect(invalid.error.fieldViolations.map { $0.field } == ["message.parts"])
        let notFound = try JSONDecoder().decode(JSONRPCResponse<A2ATask>.self, from: Self.fixtureData("error-task-not-found.json"))
        #expect(notFound.id == .number(2))
        guard case .failure(let error) = notFound.outcome else {
            Issue.record("expected an error, got \(notFound.outcome)")
            return
        }
        #expect(error.code == JSONRPCError.taskNotFoundCode)
        #expect(error.errorInfoReason == "TASK_NOT_FOUND")
        #expect(error.data?.first?["domain"] == .string(JSONRPCError.a2aDomain))
    }

    // MARK: Agent cards

    @Test("§8.5 sample card: decodes, ignoring the 0.3 `security` field as an unknown field")
    func sampleCardIgnoresLegacySecurity() throws {
        let original = try Self.fixture("agent-card.json")
        let card = try JSONTesting.decode(AgentCard.self, from: original)
        #expect(card.version == "1.2.0")
        #expect(card.supportedInterfaces.map(\.protocolBinding) == ["JSONRPC", "GRPC", "HTTP+JSON"])
        #expect(
            card.securitySchemes["google"]
                == .openIdConnect(OpenIdConnectSecurityScheme(openIdConnectUrl: "https://accounts.google.com/.well-known/openid-configuration"))
        )
        #expect(card.capabilities.extendedAgentCard == true)
        #expect(card.signatures.count == 1)
        // The 0.3 requirement is not turned into a 1.0 securityRequirement: the card then has none.
        #expect(card.securityRequirements.isEmpty)
        // Everything but the 0.3 `security` field comes back unchanged.
        #expect(try JSONTesting.encodedValue(card) == JSONTesting.setting(nil, at: ["security"], in: original))
    }

    @Test("§4.6.1 card: rejected, because it lacks the REQUIRED version")
    func extensionCardRejectedWithoutVersion() throws {
        let original = try Self.fixture("agent-card-with-extensions.json")
        let error = try #require(throws: DecodingError.self) { try JSONTesting.decode(AgentCard.self, from: original) }
        guard case .keyNotFound(let key, _) = error else {
            Issue.record("expected keyNotFound, got \(error)")
            return
        }
        #expect(key.stringValue == "version")
        // With a version, the rest of the example round-trips, extensions and `required: false` included.
        let patched = JSONTesting.setting("1.0.0", at: ["version"], in: original)
        let card = try JSONTesting.decode(AgentCard.self, from: patched)
        #expect(
            card.capabilities.extensions.map(\.uri) == [
                "https://standards.org/extensions/citations/v1", "https://example.com/extensions/geolocation/v1",
            ]
        )
        #expect(try JSONTesting.encodedValue(card) == patched)
    }

    @Test("§6.9 extended card (partial): rejected, because it lacks the REQUIRED description")
    func partialExtendedCardRejected() throws {
        let error = try #require(throws: DecodingError.self) {
            try JSONTesting.decode(AgentCard.self, from: Self.fixture("agent-card-extended-partial.json"))
        }
        guard case .keyNotFound(let key, _) = error else {
            Issue.record("expected keyNotFound, got \(error)")
            return
        }
        #expect(key.stringValue == "description")
    }

    // MARK: Examples missing REQUIRED fields

    @Test("§4.6.2 message: rejected, because it lacks the REQUIRED messageId")
    func messageWithoutMessageIdRejected() throws {
        let original = try Self.fixture("message-with-extensions.json")
        let error = try #require(throws: DecodingError.self) { try JSONTesting.decode(Message.self, from: original) }
        guard case .keyNotFound(let key, _) = error else {
            Issue.record("expected keyNotFound, got \(error)")
            return
        }
        #expect(key.stringValue == "messageId")
        let patched = JSONTesting.setting("m-1", at: ["messageId"], in: original)
        #expect(try JSONTesting.encodedValue(JSONTesting.decode(Message.self, from: patched)) == patched)
    }

    @Test(
        "§4.6.1 and §11.2 requests: SendMessage answers -32602 naming message.messageId, which they lack",
        arguments: ["send-message-request-extensions.json", "send-message-request-service-params.json"]
    )
    func requestsWithoutMessageIdRejected(file: String) throws {
        let params = try Self.fixture(file)
        let error = try Self.sendMessageError(params: params)
        #expect(error.code == -32602)
        #expect(error.fieldViolations.map { $0.field } == ["message.messageId"])
        let patched = JSONTesting.setting("m-1", at: ["message", "messageId"], in: params)
        #expect(try JSONTesting.encodedValue(JSONTesting.decode(SendMessageRequest.self, from: patched)) == patched)
    }

    @Test("§6.7 request: SendMessage answers -32602 naming message.parts[1].raw, whose placeholder is not base64")
    func requestWithInvalidBase64Rejected() throws {
        let params = try Self.fixture("send-message-request-file-raw.json")
        let error = try Self.sendMessageError(params: params)
        #expect(error.code == -32602)
        #expect(error.fieldViolations.map { $0.field } == ["message.parts[1].raw"])
        // With real base64 the file part round-trips, filename and mediaType included.
        let patched = JSONTesting.setting("iVBORw0KGgoAAAANSUhEUgAAAAUA", at: ["message", "parts", 1, "raw"], in: params)
        let request = try JSONTesting.decode(SendMessageRequest.self, from: patched)
        #expect(request.message.parts[1].filename == "input_image.png")
        #expect(request.message.parts[1].content == .raw(Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAUA")!))
        #expect(try JSONTesting.encodedValue(request) == patched)
    }

    @Test("A.2.1 raw part: rejected, because its placeholder is not base64")
    func rawPartRejected() throws {
        let original = try Self.fixture("part-file-raw.json")
        #expect(throws: DecodingError.self) { try JSONTesting.decode(Part.self, from: original) }
        let patched = JSONTesting.setting("iVBORw0KGgo=", at: ["raw"], in: original)
        #expect(try JSONTesting.encodedValue(JSONTesting.decode(Part.self, from: patched)) == patched)
    }

    @Test("§6.3 input-required response: rejected, because its status message lacks the REQUIRED messageId")
    func inputRequiredResponseRejected() throws {
        let original = try Self.fixture("send-message-response-task-input-required.json")
        let error = try #require(throws: DecodingError.self) { try JSONTesting.decode(SendMessageResponse.self, from: original) }
        guard case .keyNotFound(let key, let context) = error else {
            Issue.record("expected keyNotFound, got \(error)")
            return
        }
        #expect((context.codingPath + [key]).map(\.stringValue) == ["task", "status", "message", "messageId"])
        // With a messageId it decodes; the task's missing contextId decodes as empty (A2ATask is lenient there).
        let patched = JSONTesting.setting("m-2", at: ["task", "status", "message", "messageId"], in: original)
        guard case .task(let task) = try JSONTesting.decode(SendMessageResponse.self, from: patched) else {
            Issue.record("expected a task")
            return
        }
        #expect(task.status.state == .inputRequired)
        #expect(task.contextId == "")
    }

    @Test("§6.2 first stream event: accepted; the task's missing contextId decodes empty and is written back as \"\"")
    func streamTaskWithoutContextId() throws {
        let original = try Self.fixture("stream-response-1-task-working.json")
        let event = try JSONTesting.decode(StreamResponse.self, from: original)
        #expect(event == .task(A2ATask(id: "task-uuid", contextId: "", status: TaskStatus(state: .working))))
        // We always write contextId (REQUIRED on Task); the spec example omits it.
        #expect(try JSONTesting.encodedValue(event) == JSONTesting.setting("", at: ["task", "contextId"], in: original))
    }

    @Test("§6.2 artifact update: rejected, because it lacks the REQUIRED contextId (and artifact.artifactId)")
    func streamArtifactUpdateRejected() throws {
        let original = try Self.fixture("stream-response-2-artifact-update.json")
        #expect(try Self.missingKeyPath(StreamResponse.self, original) == ["artifactUpdate", "contextId"])
        let withContext = JSONTesting.setting("ctx", at: ["artifactUpdate", "contextId"], in: original)
        #expect(try Self.missingKeyPath(StreamResponse.self, withContext) == ["artifactUpdate", "artifact", "artifactId"])
        let patched = JSONTesting.setting("a-1", at: ["artifactUpdate", "artifact", "artifactId"], in: withContext)
        #expect(try JSONTesting.encodedValue(JSONTesting.decode(StreamResponse.self, from: patched)) == patched)
    }

    @Test("§6.2 final status update: rejected, because it lacks the REQUIRED contextId")
    func streamStatusUpdateRejected() throws {
        let original = try Self.fixture("stream-response-3-status-update-completed.json")
        #expect(try Self.missingKeyPath(StreamResponse.self, original) == ["statusUpdate", "contextId"])
        let patched = JSONTesting.setting("ctx", at: ["statusUpdate", "contextId"], in: original)
        let event = try JSONTesting.decode(StreamResponse.self, from: patched)
        #expect(try JSONTesting.encodedValue(event) == patched)
        // 1.0 has no `final` flag: the terminal state is what ends the stream.
        #expect(!JSONTesting.allKeys(in: try JSONTesting.encodedValue(event)).contains("final"))
    }

    // MARK: JSON-RPC requests (§9.4)

    @Test(
        "§9.4 request envelopes decode with their typed params, keep the id, and the params re-encode unchanged",
        arguments: [
            ("jsonrpc-get-task-request.json", JSONRPCID.number(2), A2AMethodCall.getTask(GetTaskRequest(id: "task-uuid", historyLength: 10))),
            (
                "jsonrpc-list-tasks-request.json", .number(3),
                .listTasks(ListTasksRequest(contextId: "context-uuid", status: .working, pageSize: 50, pageToken: "cursor-token"))
            ),
            ("jsonrpc-cancel-task-request.json", .number(4), .cancelTask(CancelTaskRequest(id: "task-uuid"))),
            ("jsonrpc-subscribe-to-task-request.json", .number(5), .subscribeToTask(SubscribeToTaskRequest(id: "task-uuid"))),
        ]
    )
    func requestEnvelopes(file: String, id: JSONRPCID, expected: A2AMethodCall) throws {
        let original = try Self.fixture(file)
        let request = try JSONDecoder().decode(JSONRPCRequest<A2AMethodCall>.self, from: Self.fixtureData(file))
        #expect(request.id == id)
        let call = try request.call.get()
        #expect(call == expected)
        let params: JSONValue
        switch call {
        case .getTask(let value): params = try JSONTesting.encodedValue(value)
        case .listTasks(let value): params = try JSONTesting.encodedValue(value)
        case .cancelTask(let value): params = try JSONTesting.encodedValue(value)
        case .subscribeToTask(let value): params = try JSONTesting.encodedValue(value)
        default: throw FixtureError(description: "no params encoder for \(call.method)")
        }
        #expect(params == original["params"])
    }

    @Test("§9.4.8 GetExtendedAgentCard without params is accepted")
    func extendedCardRequestWithoutParams() throws {
        let request = try JSONDecoder().decode(
            JSONRPCRequest<A2AMethodCall>.self,
            from: Self.fixtureData("jsonrpc-get-extended-agent-card-request.json")
        )
        #expect(request.id == .number(6))
        #expect(try request.call.get() == .getExtendedAgentCard(GetExtendedAgentCardRequest()))
    }

    @Test("§9.3 base template: its stale 0.3-style method category/action is -32601, id kept")
    func baseTemplate() throws {
        let request = try JSONDecoder().decode(JSONRPCRequest<A2AMethodCall>.self, from: Self.fixtureData("jsonrpc-base-request-template.json"))
        #expect(request.id == .string("unique-request-id"))
        #expect(request.call == .failure(.methodNotFound("category/action")))
    }

    @Test(
        "§9.2 and §9.4.1 SendMessage templates: params {} lack the message, -32602 naming it",
        arguments: ["jsonrpc-send-message-request-envelope.json", "jsonrpc-send-message-request-template.json"]
    )
    func sendMessageTemplates(file: String) throws {
        let request = try JSONDecoder().decode(JSONRPCRequest<A2AMethodCall>.self, from: Self.fixtureData(file))
        #expect(request.id == .number(1))
        guard case .failure(let error) = request.call else {
            Issue.record("expected a failure, got \(request.call)")
            return
        }
        #expect(error.code == -32602)
        #expect(error.fieldViolations.map { $0.field } == ["message"])
    }

    @Test("every valid SendMessageRequest example is accepted as params of SendMessage and SendStreamingMessage")
    func sendMessageExamplesAsParams() throws {
        let template = try Self.fixture("jsonrpc-send-message-request-envelope.json")
        let files = Self.roundTrips.map(\.file).filter { $0.hasPrefix("send-message-request-") || $0.hasPrefix("send-streaming-message-request") }
        #expect(files.count == 8)
        for file in files {
            let params = try Self.fixture(file)
            let expected = try JSONTesting.decode(SendMessageRequest.self, from: params)
            for method in ["SendMessage", "SendStreamingMessage"] {
                let envelope = JSONTesting.setting(.string(method), at: ["method"], in: JSONTesting.setting(params, at: ["params"], in: template))
                let request = try JSONTesting.decode(JSONRPCRequest<A2AMethodCall>.self, from: envelope)
                let call = try request.call.get()
                #expect(call == (method == "SendMessage" ? .sendMessage(expected) : .sendStreamingMessage(expected)), "\(file)")
            }
        }
    }

    // MARK: JSON-RPC responses (§9.4.1, §9.4.2)

    @Test("§9.4.1 response template: its empty result is not a SendMessageResponse and is rejected")
    func responseTemplateRejected() throws {
        let data = try Self.fixtureData("jsonrpc-send-message-response-envelope.json")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(JSONRPCResponse<SendMessageResponse>.self, from: data) }
        let generic = try JSONDecoder().decode(JSONRPCResponse<JSONValue>.self, from: data)
        #expect(generic.id == .number(1))
        #expect(generic.outcome == .success([:]))
    }

    @Test("§9.4.2 stream event template: rejected as is; with each stream example as result it decodes and re-encodes unchanged")
    func streamEventTemplate() throws {
        let template = try Self.fixture("jsonrpc-stream-event-template.json")
        #expect(throws: DecodingError.self) { try JSONTesting.decode(JSONRPCResponse<StreamResponse>.self, from: template) }
        for file in ["push-notification-payload-status-update.json", "stream-response-1-task-working.json"] {
            let result = try Self.fixture(file)
            let envelope = JSONTesting.setting(result, at: ["result"], in: template)
            let response = try JSONTesting.decode(JSONRPCResponse<StreamResponse>.self, from: envelope)
            #expect(response.id == .number(1))
            let event = try response.outcome.get()
            let reencoded = try JSONTesting.encodedValue(JSONRPCResultResponse(id: response.id, result: event))
            // The same normalisations as for the bare events: canonical status timestamps, contextId always written.
            var expected = JSONTesting.canonicalizingStatusTimestamps(envelope)
            if case .task = event { expected = JSONTesting.setting("", at: ["result", "task", "contextId"], in: expected) }
            #expect(reencoded == expected, "\(file)")
        }
    }

    // MARK: Helpers

    /// The error of a SendMessage request whose params are `params`.
    private static func sendMessageError(params: JSONValue) throws -> JSONRPCError {
        let envelope: JSONValue = ["jsonrpc": "2.0", "id": 1, "method": "SendMessage", "params": params]
        let request = try JSONTesting.decode(JSONRPCRequest<A2AMethodCall>.self, from: envelope)
        guard case .failure(let error) = request.call else {
            throw FixtureError(description: "expected SendMessage to fail, got \(request.call)")
        }
        return error
    }

    /// The full path of the key whose absence made decoding fail.
    private static func missingKeyPath<T: Decodable>(_ type: T.Type, _ value: JSONValue) throws -> [String] {
        do {
            _ = try JSONTesting.decode(T.self, from: value)
        } catch DecodingError.keyNotFound(let key, let context) {
            return (context.codingPath + [key]).map(\.stringValue)
        }
        return []
    }
}
