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

@Suite("A2ATask and TaskStatus", .timeLimit(.minutes(2)))
struct A2ATaskTests {
    static let timestamp = A2ATimestamp(millisecondsSinceEpoch: 1_762_684_200_000)

    static func task(artifacts: [Artifact]? = [], history: [Message] = []) -> A2ATask {
        A2ATask(
            id: "t1",
            contextId: "c1",
            status: TaskStatus(state: .working, timestamp: timestamp),
            artifacts: artifacts,
            history: history
        )
    }

    @Test("a task with artifacts and history writes them")
    func fullTask() throws {
        let task = Self.task(
            artifacts: [Artifact(artifactId: "a1", parts: [.text("out")])],
            history: [Message(messageId: "m1", role: .user, parts: [.text("in")])]
        )
        let expected = try JSONTesting.value(
            """
            {"id": "t1", "contextId": "c1", "status": {"state": "TASK_STATE_WORKING", "timestamp": "2025-11-09T10:30:00.000Z"},
             "artifacts": [{"artifactId": "a1", "parts": [{"text": "out"}]}],
             "history": [{"messageId": "m1", "role": "ROLE_USER", "parts": [{"text": "in"}]}]}
            """
        )
        #expect(try JSONTesting.encodedValue(task) == expected)
        #expect(try JSONDecoder().decode(A2ATask.self, from: JSONEncoder().encode(task)) == task)
    }

    @Test("artifacts left out on purpose (nil) omit the key, as ListTasks without includeArtifacts needs")
    func artifactsNilOmitted() throws {
        let encoded = try JSONTesting.encodedValue(Self.task(artifacts: nil))
        #expect(encoded["artifacts"] == nil)
        #expect(encoded.objectValue?.keys.sorted() == ["contextId", "id", "status"])
    }

    @Test("empty artifacts and history are omitted, as ProtoJSON omits empty repeated fields")
    func emptyCollectionsOmitted() throws {
        let encoded = try JSONTesting.encodedValue(Self.task(artifacts: [], history: []))
        #expect(encoded["artifacts"] == nil)
        #expect(encoded["history"] == nil)
        #expect(encoded["metadata"] == nil)
    }

    @Test("decoding a task without artifacts or history gives empty arrays")
    func decodingDefaults() throws {
        let task = try JSONTesting.decode(A2ATask.self, #"{"id": "t1", "contextId": "c1", "status": {"state": "TASK_STATE_SUBMITTED"}}"#)
        #expect(task.artifacts == [])
        #expect(task.history == [])
        #expect(task.metadata == nil)
        #expect(task.status == TaskStatus(state: .submitted))
    }

    @Test("a task without contextId decodes with an empty contextId (lenient; the spec's §6.2 and §6.3 examples omit it)")
    func missingContextId() throws {
        let task = try JSONTesting.decode(A2ATask.self, #"{"id": "t1", "status": {"state": "TASK_STATE_WORKING"}}"#)
        #expect(task.contextId == "")
    }

    @Test("a task needs an id and a status")
    func requiredFields() {
        #expect(throws: DecodingError.self) {
            try JSONTesting.decode(A2ATask.self, #"{"contextId": "c1", "status": {"state": "TASK_STATE_WORKING"}}"#)
        }
        #expect(throws: DecodingError.self) { try JSONTesting.decode(A2ATask.self, #"{"id": "t1", "contextId": "c1"}"#) }
    }

    @Test("metadata round-trips")
    func metadata() throws {
        var task = Self.task()
        task.metadata = ["actor": "echo", "n": 1]
        #expect(try JSONTesting.encodedValue(task)["metadata"] == ["actor": "echo", "n": 1])
        #expect(try JSONDecoder().decode(A2ATask.self, from: JSONEncoder().encode(task)) == task)
    }

    @Test("a status writes its state, message and timestamp, and leaves out what is nil")
    func status() throws {
        let message = Message(messageId: "m2", role: .agent, parts: [.text("Where to?")])
        let status = TaskStatus(state: .inputRequired, message: message, timestamp: Self.timestamp)
        #expect(
            try JSONTesting.encodedValue(status)
                == JSONTesting.value(
                    """
                    {"state": "TASK_STATE_INPUT_REQUIRED", "timestamp": "2025-11-09T10:30:00.000Z",
                     "message": {"messageId": "m2", "role": "ROLE_AGENT", "parts": [{"text": "Where to?"}]}}
                    """
                )
        )
        #expect(try JSONTesting.encodedString(TaskStatus(state: .completed)) == #"{"state":"TASK_STATE_COMPLETED"}"#)
    }

    @Test("a status with a malformed timestamp is rejected")
    func statusMalformedTimestamp() {
        #expect(throws: DecodingError.self) {
            try JSONTesting.decode(TaskStatus.self, #"{"state": "TASK_STATE_WORKING", "timestamp": "2025-02-30T00:00:00Z"}"#)
        }
    }
}
