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

@Suite("Message and Artifact", .timeLimit(.minutes(2)))
struct MessageTests {
    @Test("a message with every field round-trips")
    func fullMessage() throws {
        let json = """
            {"messageId": "m1", "contextId": "c1", "taskId": "t1", "role": "ROLE_AGENT", "parts": [{"text": "hi"}],
             "metadata": {"k": [1, 2]}, "extensions": ["https://ext/1"], "referenceTaskIds": ["t0"]}
            """
        let message = try JSONTesting.decode(Message.self, json)
        #expect(
            message
                == Message(
                    messageId: "m1",
                    contextId: "c1",
                    taskId: "t1",
                    role: .agent,
                    parts: [.text("hi")],
                    metadata: ["k": [1, 2]],
                    extensions: ["https://ext/1"],
                    referenceTaskIds: ["t0"]
                )
        )
        #expect(try JSONTesting.encodedValue(message) == JSONTesting.value(json))
    }

    @Test("a minimal message writes only messageId, role and parts")
    func minimalMessage() throws {
        let message = Message(messageId: "m1", role: .user, parts: [.text("hi")])
        #expect(try JSONTesting.encodedString(message) == #"{"messageId":"m1","parts":[{"text":"hi"}],"role":"ROLE_USER"}"#)
    }

    @Test("proto names are accepted for every multi-word field")
    func protoNames() throws {
        let message = try JSONTesting.decode(
            Message.self,
            #"{"message_id": "m1", "context_id": "c1", "task_id": "t1", "role": "ROLE_USER", "parts": [], "reference_task_ids": ["t0"]}"#
        )
        #expect(message.messageId == "m1")
        #expect(message.contextId == "c1")
        #expect(message.taskId == "t1")
        #expect(message.referenceTaskIds == ["t0"])
    }

    @Test("the JSON name wins when a field is sent under both names")
    func jsonNameWins() throws {
        let message = try JSONTesting.decode(Message.self, #"{"messageId": "json", "message_id": "proto", "role": 1, "parts": []}"#)
        #expect(message.messageId == "json")
    }

    @Test("required fields are required", arguments: ["messageId", "role", "parts"])
    func requiredFields(field: String) throws {
        var object: [String: JSONValue] = ["messageId": "m1", "role": "ROLE_USER", "parts": [["text": "x"]]]
        object[field] = nil
        let data = try JSONEncoder().encode(JSONValue.object(object))
        let error = try #require(throws: DecodingError.self) { try JSONDecoder().decode(Message.self, from: data) }
        guard case .keyNotFound(let key, _) = error else {
            Issue.record("expected keyNotFound, got \(error)")
            return
        }
        #expect(key.stringValue == field)
    }

    @Test("0.3 fields (kind) are ignored as unknown fields")
    func unknownFieldsIgnored() throws {
        let message = try JSONTesting.decode(Message.self, #"{"kind": "message", "messageId": "m1", "role": "ROLE_USER", "parts": [], "x": {}}"#)
        #expect(message == Message(messageId: "m1", role: .user, parts: []))
    }

    @Test("an artifact with every field round-trips")
    func fullArtifact() throws {
        let json = """
            {"artifactId": "a1", "name": "Report", "description": "The report", "parts": [{"text": "x"}, {"data": {"k": 1}}],
             "metadata": {"k": "v"}, "extensions": ["https://ext/1"]}
            """
        let artifact = try JSONTesting.decode(Artifact.self, json)
        #expect(artifact.artifactId == "a1")
        #expect(artifact.name == "Report")
        #expect(artifact.description == "The report")
        #expect(artifact.parts == [.text("x"), .data(["k": 1])])
        #expect(artifact.extensions == ["https://ext/1"])
        #expect(try JSONTesting.encodedValue(artifact) == JSONTesting.value(json))
    }

    @Test("a minimal artifact writes only artifactId and parts")
    func minimalArtifact() throws {
        let artifact = Artifact(artifactId: "a1", parts: [.text("x")])
        #expect(try JSONTesting.encodedString(artifact) == #"{"artifactId":"a1","parts":[{"text":"x"}]}"#)
    }

    @Test("an artifact needs an artifactId (proto name accepted) and parts")
    func artifactRequiredFields() throws {
        #expect(try JSONTesting.decode(Artifact.self, #"{"artifact_id": "a1", "parts": []}"#).artifactId == "a1")
        #expect(throws: DecodingError.self) { try JSONTesting.decode(Artifact.self, #"{"parts": [{"text": "x"}]}"#) }
        #expect(throws: DecodingError.self) { try JSONTesting.decode(Artifact.self, #"{"artifactId": "a1"}"#) }
    }
}
