//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsTestSupport
import Foundation
import Testing

/// Encodes a 0.3 value and reads it back, so conversions are checked through the wire.
func throughWire<T: Codable>(_ value: T) throws -> T {
    try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value))
}

@Suite("A2A 0.3 ⇄ 1.0 conversions", .timeLimit(.minutes(2)))
struct A2A03ConversionTests {
    // MARK: States and roles

    @Test("every state maps both ways; unknown is TASK_STATE_UNSPECIFIED")
    func states() throws {
        let pairs: [(A2A03.TaskState, TaskState, String)] = [
            (.submitted, .submitted, "submitted"), (.working, .working, "working"), (.inputRequired, .inputRequired, "input-required"),
            (.completed, .completed, "completed"), (.canceled, .canceled, "canceled"), (.failed, .failed, "failed"),
            (.rejected, .rejected, "rejected"), (.authRequired, .authRequired, "auth-required"), (.unknown, .unspecified, "unknown"),
        ]
        #expect(pairs.count == A2A03.TaskState.allCases.count)
        #expect(Set(pairs.map(\.1)) == Set(TaskState.allCases))
        for (state03, state10, wire) in pairs {
            #expect(A2A03.TaskState(state10) == state03)
            #expect(TaskState(a2a03: state03) == state10)
            #expect(try JSONTesting.encodedValue(state03) == .string(wire))
            #expect(try JSONTesting.decode(A2A03.TaskState.self, "\"\(wire)\"") == state03)
        }
    }

    @Test("1.0 state names and other strings are not 0.3 states", arguments: ["TASK_STATE_WORKING", "input_required", "cancelled", "Working", ""])
    func foreignStates(name: String) {
        #expect(throws: DecodingError.self) { try JSONTesting.decode(A2A03.TaskState.self, "\"\(name)\"") }
    }

    @Test("roles: user ⇄ ROLE_USER, agent ⇄ ROLE_AGENT; ROLE_UNSPECIFIED is written as agent")
    func roles() throws {
        #expect(A2A03.Role(Role.user) == .user)
        #expect(A2A03.Role(Role.agent) == .agent)
        #expect(A2A03.Role(Role.unspecified) == .agent)
        #expect(Role(a2a03: .user) == .user)
        #expect(Role(a2a03: .agent) == .agent)
        #expect(try JSONTesting.encodedValue(A2A03.Role.user) == "user")
        for name in ["ROLE_USER", "User", "assistant"] {
            #expect(throws: DecodingError.self) { try JSONTesting.decode(A2A03.Role.self, "\"\(name)\"") }
        }
    }

    // MARK: Parts

    @Test("1.0 parts become 0.3 parts as the research doc's table says")
    func partsTo03() throws {
        let cases: [(Part, String)] = [
            (.text("hi", metadata: ["m": 1]), #"{"kind": "text", "text": "hi", "metadata": {"m": 1}}"#),
            (Part(.text("hi"), filename: "dropped.txt", mediaType: "text/plain"), #"{"kind": "text", "text": "hi"}"#),
            (
                Part(.raw(Data([0x89, 0x50, 0x4E, 0x47])), filename: "a.png", mediaType: "image/png"),
                #"{"kind": "file", "file": {"bytes": "iVBORw==", "name": "a.png", "mimeType": "image/png"}}"#
            ),
            (Part(.raw(Data([1])), filename: "", mediaType: ""), #"{"kind": "file", "file": {"bytes": "AQ=="}}"#),
            (
                Part(.url("https://x/y.pdf"), mediaType: "application/pdf"),
                #"{"kind": "file", "file": {"uri": "https://x/y.pdf", "mimeType": "application/pdf"}}"#
            ),
            (.data(["k": 1]), #"{"kind": "data", "data": {"k": 1}}"#),
            (Part(.data(["k": 1]), filename: "x", mediaType: "application/json"), #"{"kind": "data", "data": {"k": 1}}"#),
            (.data([1, 2]), #"{"kind": "data", "data": {"value": [1, 2]}, "metadata": {"data_part_compat": true}}"#),
            (Part(.data("str"), mediaType: "text/x"), #"{"kind": "data", "data": {"value": "str"}, "metadata": {"data_part_compat": true}}"#),
            (.data(nil, metadata: ["m": "v"]), #"{"kind": "data", "data": {"value": null}, "metadata": {"m": "v", "data_part_compat": true}}"#),
            (.data(true), #"{"kind": "data", "data": {"value": true}, "metadata": {"data_part_compat": true}}"#),
        ]
        for (part, json) in cases {
            #expect(try JSONTesting.encodedValue(A2A03.Part(part)) == JSONTesting.value(json), "\(part)")
        }
    }

    @Test("0.3 parts become 1.0 parts; the data_part_compat wrapper is undone")
    func partsTo10() throws {
        let cases: [(String, Part)] = [
            (#"{"kind": "text", "text": "hi", "metadata": {}}"#, .text("hi", metadata: [:])),
            (
                #"{"kind": "file", "file": {"bytes": "iVBORw==", "name": "a.png", "mimeType": "image/png"}}"#,
                Part(.raw(Data([0x89, 0x50, 0x4E, 0x47])), filename: "a.png", mediaType: "image/png")
            ),
            (#"{"kind": "file", "file": {"uri": "u", "name": "", "mimeType": ""}}"#, Part(.url("u"))),
            (#"{"kind": "data", "data": {"k": 1}, "metadata": {"m": 1}}"#, .data(["k": 1], metadata: ["m": 1])),
            (#"{"kind": "data", "data": {"value": [1, 2]}, "metadata": {"data_part_compat": true}}"#, .data([1, 2])),
            (#"{"kind": "data", "data": {"value": "s"}, "metadata": {"data_part_compat": true, "m": 1}}"#, .data("s", metadata: ["m": 1])),
            // Without the marker a {"value": …} object is just an object.
            (#"{"kind": "data", "data": {"value": [1]}}"#, .data(["value": [1]])),
            // A false marker is removed but nothing is unwrapped; so is a marker without a value.
            (#"{"kind": "data", "data": {"value": 1}, "metadata": {"data_part_compat": false}}"#, .data(["value": 1])),
            (#"{"kind": "data", "data": {"other": 1}, "metadata": {"data_part_compat": true}}"#, .data(["other": 1])),
        ]
        for (json, part) in cases {
            #expect(Part(a2a03: try JSONTesting.decode(A2A03.Part.self, json)) == part, "\(json)")
        }
    }

    @Test("a part is recognised without kind; with kind the member must match")
    func partKinds() throws {
        #expect(try JSONTesting.decode(A2A03.Part.self, #"{"text": "t"}"#) == .text(A2A03.TextPart(text: "t")))
        #expect(try JSONTesting.decode(A2A03.Part.self, #"{"data": {}}"#) == .data(A2A03.DataPart(data: [:])))
        #expect(throws: DecodingError.self) { try JSONTesting.decode(A2A03.Part.self, #"{"kind": "file", "text": "t"}"#) }
        #expect(throws: DecodingError.self) { try JSONTesting.decode(A2A03.Part.self, #"{"metadata": {}}"#) }
    }

    // MARK: Messages, tasks, events

    @Test("1.0 message → 0.3: kind and lowercase role added, empty ids and lists left out")
    func messageTo03() throws {
        let message = Message(
            messageId: "m", contextId: "", taskId: "t", role: .agent, parts: [.text("x")], metadata: ["a": 1], extensions: [], referenceTaskIds: ["r"]
        )
        #expect(
            try JSONTesting.encodedValue(A2A03.Message(message))
                == JSONTesting.value(
                    #"{"kind": "message", "messageId": "m", "taskId": "t", "role": "agent", "parts": [{"kind": "text", "text": "x"}], "metadata": {"a": 1}, "referenceTaskIds": ["r"]}"#
                )
        )
    }

    @Test("1.0 task → 0.3: kind added, empty history and artifacts left out, timestamps in UTC with Z")
    func taskTo03() throws {
        let task = A2ATask(
            id: "t",
            contextId: "c",
            status: TaskStatus(state: .inputRequired, timestamp: A2ATimestamp(millisecondsSinceEpoch: 1_700_000_000_123)),
            artifacts: nil
        )
        #expect(
            try JSONTesting.encodedValue(A2A03.Task(task))
                == JSONTesting.value(
                    #"{"kind": "task", "id": "t", "contextId": "c", "status": {"state": "input-required", "timestamp": "2023-11-14T22:13:20.123Z"}}"#)
        )
    }

    @Test("timestamps without a zone are read as UTC; other forms are rejected")
    func timestamps() throws {
        let status = try JSONTesting.decode(A2A03.TaskStatus.self, #"{"state": "completed", "timestamp": "2025-04-02T16:59:25.331844"}"#)
        #expect(status.timestamp?.rfc3339 == "2025-04-02T16:59:25.331Z")
        let offset = try JSONTesting.decode(A2A03.TaskStatus.self, #"{"state": "completed", "timestamp": "2025-04-02T18:59:25+02:00"}"#)
        #expect(offset.timestamp?.rfc3339 == "2025-04-02T16:59:25.000Z")
        #expect(throws: DecodingError.self) { try JSONTesting.decode(A2A03.TaskStatus.self, #"{"state": "completed", "timestamp": "yesterday"}"#) }
    }

    @Test("artifact updates always carry append and lastChunk, false included; missing ones read as false")
    func artifactUpdateFlags() throws {
        let event = TaskArtifactUpdateEvent(taskId: "t", contextId: "c", artifact: Artifact(artifactId: "a", parts: [.text("x")]))
        let encoded = try JSONTesting.encodedValue(A2A03.TaskArtifactUpdateEvent(event))
        #expect(encoded["append"] == false)
        #expect(encoded["lastChunk"] == false)
        #expect(encoded["kind"] == "artifact-update")
        let decoded = try JSONTesting.decode(
            A2A03.TaskArtifactUpdateEvent.self,
            #"{"taskId": "t", "contextId": "c", "artifact": {"artifactId": "a", "parts": []}}"#
        )
        #expect(decoded.append == false && decoded.lastChunk == false)
    }

    // MARK: Stream events and `final`

    static func statusEvent(_ state: TaskState) -> StreamResponse {
        .statusUpdate(TaskStatusUpdateEvent(taskId: "t", contextId: "c", status: TaskStatus(state: state)))
    }

    @Test("final is derived from the state: terminal and interrupted states end our streams", arguments: TaskState.allCases)
    func derivedFinal(state: TaskState) throws {
        let expected = [TaskState.completed, .failed, .canceled, .rejected, .inputRequired, .authRequired].contains(state)
        let event = A2A03.streamEvent(Self.statusEvent(state))
        guard case .statusUpdate(let update) = event else {
            Issue.record("expected a status update, got \(event)")
            return
        }
        #expect(update.final == expected)
        #expect(A2A03.endsStream(Self.statusEvent(state)) == expected)
        #expect(A2A03.StreamEvent(Self.statusEvent(state)) == event)
        #expect(try JSONTesting.encodedValue(event)["final"] == .bool(expected))
    }

    @Test("an explicit isFinal wins over the state, and only status updates carry final")
    func explicitFinal() throws {
        for isFinal in [true, false] {
            #expect(try JSONTesting.encodedValue(A2A03.streamEvent(Self.statusEvent(.working), isFinal: isFinal))["final"] == .bool(isFinal))
            #expect(try JSONTesting.encodedValue(A2A03.streamEvent(Self.statusEvent(.completed), isFinal: isFinal))["final"] == .bool(isFinal))
        }
        let task = A2A03.streamEvent(.task(A2ATask(id: "t", contextId: "c", status: TaskStatus(state: .completed))), isFinal: true)
        #expect(try JSONTesting.encodedValue(task)["final"] == nil)
        #expect(try JSONTesting.encodedValue(task)["kind"] == "task")
        let message = A2A03.streamEvent(.message(Message(messageId: "m", role: .agent, parts: [])), isFinal: false)
        #expect(try JSONTesting.encodedValue(message)["kind"] == "message")
        #expect(message.isFinal)
    }

    @Test("stream events decode by kind, and without kind the way a2a-sdk's 0.3 client guesses it")
    func streamEventKinds() throws {
        let cases: [(String, String)] = [
            (#"{"kind": "status-update", "taskId": "t", "contextId": "c", "status": {"state": "working"}}"#, "statusUpdate"),
            (#"{"taskId": "t", "contextId": "c", "status": {"state": "working"}, "final": false}"#, "statusUpdate"),
            (#"{"kind": "artifact-update", "taskId": "t", "contextId": "c", "artifact": {"artifactId": "a", "parts": []}}"#, "artifactUpdate"),
            (#"{"role": "agent", "messageId": "m", "parts": []}"#, "message"),
            (#"{"id": "t", "contextId": "c", "status": {"state": "working"}}"#, "task"),
        ]
        for (json, member) in cases {
            let event = StreamResponse(a2a03: try JSONTesting.decode(A2A03.StreamEvent.self, json))
            #expect(try JSONTesting.encodedValue(event).objectValue?.keys.first == member, "\(json)")
        }
        #expect(throws: DecodingError.self) { try JSONTesting.decode(A2A03.StreamEvent.self, #"{"kind": "update"}"#) }
    }

    // MARK: Push configs

    @Test("1.0 flat push config → 0.3 nested; tenant dropped, scheme → [scheme], empty values left out")
    func pushConfigTo03() throws {
        let config = TaskPushNotificationConfig(
            tenant: "acme",
            id: "c1",
            taskId: "t1",
            url: "https://h/x",
            token: "",
            authentication: AuthenticationInfo(scheme: "Bearer", credentials: "s")
        )
        #expect(
            try JSONTesting.encodedValue(A2A03.TaskPushNotificationConfig(config))
                == JSONTesting.value(
                    #"{"taskId": "t1", "pushNotificationConfig": {"id": "c1", "url": "https://h/x", "authentication": {"schemes": ["Bearer"], "credentials": "s"}}}"#
                )
        )
        let noScheme = A2A03.PushNotificationAuthenticationInfo(AuthenticationInfo(scheme: ""))
        #expect(noScheme.schemes.isEmpty)
        #expect(try JSONTesting.encodedValue(noScheme) == JSONTesting.value(#"{"schemes": []}"#))
    }

    @Test("the research doc's push config example, 0.3 → 1.0")
    func pushConfigDocExample() throws {
        let nested = try JSONTesting.decode(
            A2A03.TaskPushNotificationConfig.self,
            #"{"taskId":"t1","pushNotificationConfig":{"id":"c1","url":"https://h/x","token":"tok","authentication":{"schemes":["Bearer"],"credentials":"s"}}}"#
        )
        #expect(
            try JSONTesting.encodedValue(TaskPushNotificationConfig(a2a03: nested))
                == JSONTesting.value(
                    #"{"taskId":"t1","id":"c1","url":"https://h/x","token":"tok","authentication":{"scheme":"Bearer","credentials":"s"}}"#)
        )
    }

    @Test("1.0 → 0.3 send configuration: blocking = !returnImmediately, always written")
    func sendConfigurationTo03() throws {
        #expect(A2A03.MessageSendConfiguration(SendMessageConfiguration()).blocking == true)
        #expect(A2A03.MessageSendConfiguration(SendMessageConfiguration(returnImmediately: true)).blocking == false)
        #expect(A2A03.MessageSendConfiguration(SendMessageConfiguration(returnImmediately: false)).blocking == true)
        #expect(A2A03.MessageSendConfiguration(SendMessageConfiguration(historyLength: 3)).historyLength == 3)
    }

    // MARK: Property-style round trips

    @Test("1.0 part → 0.3 → wire → 1.0 is the identity (for parts 0.3 can carry)", arguments: 0..<8)
    func partRoundTrip(seed: UInt64) throws {
        var random = Random(seed: seed)
        for _ in 0..<64 {
            let part = random.part()
            let back = Part(a2a03: try throughWire(A2A03.Part(part)))
            #expect(back == part)
        }
    }

    @Test("1.0 message → 0.3 → wire → 1.0 is the identity", arguments: 0..<8)
    func messageRoundTrip(seed: UInt64) throws {
        var random = Random(seed: 1000 + seed)
        for _ in 0..<32 {
            let message = random.message()
            #expect(Message(a2a03: try throughWire(A2A03.Message(message))) == message)
        }
    }

    @Test("1.0 task → 0.3 → wire → 1.0 is the identity", arguments: 0..<8)
    func taskRoundTrip(seed: UInt64) throws {
        var random = Random(seed: 2000 + seed)
        for _ in 0..<16 {
            let task = random.task()
            #expect(A2ATask(a2a03: try throughWire(A2A03.Task(task))) == task)
        }
    }

    @Test("1.0 stream events → 0.3 → wire → 1.0 is the identity", arguments: 0..<8)
    func streamRoundTrip(seed: UInt64) throws {
        var random = Random(seed: 3000 + seed)
        for _ in 0..<32 {
            let event = random.streamResponse()
            let wire = try throughWire(A2A03.streamEvent(event))
            #expect(StreamResponse(a2a03: wire) == event)
        }
    }

    @Test("1.0 push config → 0.3 → wire → 1.0 is the identity (without tenant)", arguments: 0..<4)
    func pushConfigRoundTrip(seed: UInt64) throws {
        var random = Random(seed: 4000 + seed)
        for _ in 0..<32 {
            let config = random.pushConfig()
            #expect(TaskPushNotificationConfig(a2a03: try throughWire(A2A03.TaskPushNotificationConfig(config))) == config)
        }
    }

    @Test("0.3 JSON → 0.3 type → 1.0 → 0.3 → JSON gives the same JSON (for canonical 0.3 values)", arguments: 0..<8)
    func wireRoundTrip03(seed: UInt64) throws {
        var random = Random(seed: 5000 + seed)
        for _ in 0..<16 {
            // Canonical: what our own encoder writes, so every optional is as 0.3 writes it.
            let json = try JSONTesting.encodedValue(A2A03.Task(random.task()))
            let task03 = try JSONTesting.decode(A2A03.Task.self, from: json)
            #expect(try JSONTesting.encodedValue(A2A03.Task(A2ATask(a2a03: task03))) == json)
        }
    }
}

/// Random A2A 1.0 values for round trips, restricted to what 0.3 can carry:
/// no `filename`/`mediaType` on text and data parts, no empty strings where 0.3 leaves them out,
/// no `ROLE_UNSPECIFIED`, metadata either absent or non-empty and without the compat marker.
struct Random {
    var generator: SeededGenerator

    init(seed: UInt64) {
        self.generator = SeededGenerator(seed: seed)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &generator) }
    mutating func bool() -> Bool { Bool.random(using: &generator) }

    mutating func string() -> String {
        let alphabet = Array("abcXYZ019 -_/é😀\"\\\n")
        return String((0..<int(1...12)).map { _ in alphabet[int(0...(alphabet.count - 1))] })
    }

    mutating func optionalString() -> String? { bool() ? string() : nil }

    mutating func json(depth: Int = 0) -> JSONValue {
        switch int(0...(depth > 2 ? 3 : 5)) {
        case 0: return .null
        case 1: return .bool(bool())
        case 2: return .number(Double(int(-1000...1000)) / 4)
        case 3: return .string(string())
        case 4: return .array((0..<int(0...3)).map { _ in json(depth: depth + 1) })
        default: return .object(object(depth: depth + 1))
        }
    }

    mutating func object(depth: Int = 0) -> JSONObject {
        var object: JSONObject = [:]
        for _ in 0..<int(0...3) { object[string()] = json(depth: depth + 1) }
        return object
    }

    mutating func metadata() -> JSONObject? {
        guard bool() else { return nil }
        var object = object()
        object.removeValue(forKey: A2A03.dataPartCompatMetadataKey)
        if object.isEmpty { object["k"] = .string(string()) }
        return object
    }

    mutating func part() -> Part {
        switch int(0...4) {
        case 0: return .text(string(), metadata: metadata())
        case 1:
            return Part(
                .raw(Data((0..<int(0...9)).map { _ in UInt8(int(0...255)) })), metadata: metadata(), filename: optionalString(),
                mediaType: optionalString())
        case 2: return Part(.url("https://h/\(int(0...999))"), metadata: metadata(), filename: optionalString(), mediaType: optionalString())
        case 3: return .data(.object(object()), metadata: metadata())
        default: return .data(json(), metadata: metadata())
        }
    }

    mutating func strings() -> [String] { (0..<int(0...2)).map { _ in string() } }

    mutating func message() -> Message {
        Message(
            messageId: string(),
            contextId: optionalString(),
            taskId: optionalString(),
            role: bool() ? .user : .agent,
            parts: (0..<int(0...3)).map { _ in part() },
            metadata: metadata(),
            extensions: strings(),
            referenceTaskIds: strings()
        )
    }

    mutating func status() -> TaskStatus {
        TaskStatus(
            state: TaskState.allCases[int(0...(TaskState.allCases.count - 1))],
            message: bool() ? message() : nil,
            timestamp: bool() ? A2ATimestamp(millisecondsSinceEpoch: Int64(int(0...4_000_000_000)) * 1000 + Int64(int(0...999))) : nil
        )
    }

    mutating func artifact() -> Artifact {
        Artifact(
            artifactId: string(),
            name: optionalString(),
            description: optionalString(),
            parts: (0..<int(0...3)).map { _ in part() },
            metadata: metadata(),
            extensions: strings()
        )
    }

    mutating func task() -> A2ATask {
        A2ATask(
            id: string(),
            contextId: string(),
            status: status(),
            artifacts: (0..<int(0...2)).map { _ in artifact() },
            history: (0..<int(0...2)).map { _ in message() },
            metadata: metadata()
        )
    }

    mutating func streamResponse() -> StreamResponse {
        switch int(0...3) {
        case 0: return .task(task())
        case 1: return .message(message())
        case 2: return .statusUpdate(TaskStatusUpdateEvent(taskId: string(), contextId: string(), status: status(), metadata: metadata()))
        default:
            return .artifactUpdate(
                TaskArtifactUpdateEvent(
                    taskId: string(), contextId: string(), artifact: artifact(), append: bool(), lastChunk: bool(), metadata: metadata())
            )
        }
    }

    mutating func pushConfig() -> TaskPushNotificationConfig {
        TaskPushNotificationConfig(
            id: optionalString(),
            taskId: string(),
            url: "https://h/\(string())",
            token: optionalString(),
            authentication: bool() ? AuthenticationInfo(scheme: bool() ? string() : "", credentials: optionalString()) : nil
        )
    }
}
