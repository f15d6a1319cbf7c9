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

@Suite("StreamResponse and SendMessageResponse", .timeLimit(.minutes(2)))
struct StreamResponseTests {
    static let task = A2ATask(id: "t1", contextId: "c1", status: TaskStatus(state: .submitted))
    static let message = Message(messageId: "m1", contextId: "c1", role: .agent, parts: [.text("hi")])
    static let statusUpdate = TaskStatusUpdateEvent(taskId: "t1", contextId: "c1", status: TaskStatus(state: .completed))
    static let artifactUpdate = TaskArtifactUpdateEvent(taskId: "t1", contextId: "c1", artifact: Artifact(artifactId: "a1", parts: [.text("x")]))

    static let allEvents: [StreamResponse] = [.task(task), .message(message), .statusUpdate(statusUpdate), .artifactUpdate(artifactUpdate)]

    @Test("each event is an object with the 1.0 wrapper key of its case")
    func wrapperKeys() throws {
        let keys = try Self.allEvents.map { try JSONTesting.encodedValue($0).objectValue?.keys.sorted() }
        #expect(keys == [["task"], ["message"], ["statusUpdate"], ["artifactUpdate"]])
    }

    @Test("no kind or final key is written anywhere")
    func noLegacyKeys() throws {
        var events = Self.allEvents
        events.append(
            .artifactUpdate(
                TaskArtifactUpdateEvent(taskId: "t1", contextId: "c1", artifact: Self.artifactUpdate.artifact, append: true, lastChunk: true)
            )
        )
        for event in events {
            let keys = JSONTesting.allKeys(in: try JSONTesting.encodedValue(event))
            #expect(!keys.contains("kind"))
            #expect(!keys.contains("final"))
        }
        for response in [SendMessageResponse.task(Self.task), .message(Self.message)] {
            let keys = JSONTesting.allKeys(in: try JSONTesting.encodedValue(response))
            #expect(!keys.contains("kind"))
            #expect(!keys.contains("final"))
        }
    }

    @Test("each event round-trips")
    func roundTrip() throws {
        for event in Self.allEvents {
            #expect(try JSONDecoder().decode(StreamResponse.self, from: JSONEncoder().encode(event)) == event)
        }
    }

    @Test("a status update writes taskId, contextId and status")
    func statusUpdateShape() throws {
        #expect(
            try JSONTesting.encodedString(StreamResponse.statusUpdate(Self.statusUpdate))
                == #"{"statusUpdate":{"contextId":"c1","status":{"state":"TASK_STATE_COMPLETED"},"taskId":"t1"}}"#
        )
    }

    @Test("append and lastChunk are written only when true, as ProtoJSON omits false")
    func artifactFlags() throws {
        let plain = try JSONTesting.encodedValue(Self.artifactUpdate)
        #expect(plain["append"] == nil)
        #expect(plain["lastChunk"] == nil)
        let chunk = TaskArtifactUpdateEvent(taskId: "t1", contextId: "c1", artifact: Self.artifactUpdate.artifact, append: true, lastChunk: true)
        let encoded = try JSONTesting.encodedValue(chunk)
        #expect(encoded["append"] == true)
        #expect(encoded["lastChunk"] == true)
        #expect(try JSONDecoder().decode(TaskArtifactUpdateEvent.self, from: JSONEncoder().encode(chunk)) == chunk)
    }

    @Test("absent append and lastChunk decode as false")
    func artifactFlagsDefault() throws {
        let event = try JSONTesting.decode(
            TaskArtifactUpdateEvent.self,
            #"{"taskId": "t1", "contextId": "c1", "artifact": {"artifactId": "a1", "parts": []}}"#
        )
        #expect(!event.append)
        #expect(!event.lastChunk)
    }

    @Test("event metadata round-trips")
    func eventMetadata() throws {
        let status = TaskStatusUpdateEvent(taskId: "t1", contextId: "c1", status: TaskStatus(state: .working), metadata: ["k": "v"])
        #expect(try JSONTesting.encodedValue(status)["metadata"] == ["k": "v"])
        #expect(try JSONDecoder().decode(TaskStatusUpdateEvent.self, from: JSONEncoder().encode(status)) == status)
    }

    @Test(
        "a stream response with zero or several members is rejected",
        arguments: [
            "{}", #"{"task": {"id": "t1", "status": {"state": "TASK_STATE_WORKING"}}, "message": {"messageId": "m", "role": 2, "parts": []}}"#,
        ]
    )
    func notExactlyOneMember(json: String) {
        #expect(throws: DecodingError.self) { try JSONTesting.decode(StreamResponse.self, json) }
    }

    @Test("unknown members next to the one known member are ignored")
    func unknownMembers() throws {
        let event = try JSONTesting.decode(
            StreamResponse.self,
            #"{"kind": "status-update", "statusUpdate": {"taskId": "t1", "contextId": "c1", "status": {"state": "TASK_STATE_COMPLETED"}}}"#
        )
        #expect(event == .statusUpdate(Self.statusUpdate))
    }

    @Test("a send-message response is {task} or {message}")
    func sendMessageResponse() throws {
        #expect(try JSONTesting.encodedValue(SendMessageResponse.task(Self.task)).objectValue?.keys.sorted() == ["task"])
        #expect(try JSONTesting.encodedValue(SendMessageResponse.message(Self.message)).objectValue?.keys.sorted() == ["message"])
        for response in [SendMessageResponse.task(Self.task), .message(Self.message)] {
            #expect(try JSONDecoder().decode(SendMessageResponse.self, from: JSONEncoder().encode(response)) == response)
        }
        #expect(throws: DecodingError.self) { try JSONTesting.decode(SendMessageResponse.self, "{}") }
    }
}
