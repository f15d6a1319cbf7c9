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

@Suite("TaskPushNotificationConfig", .timeLimit(.minutes(2)))
struct TaskPushNotificationConfigTests {
    @Test("the flat 1.0 shape with authentication {scheme, credentials} round-trips")
    func fullConfig() throws {
        let json = """
            {"tenant": "acme", "id": "cfg-1", "taskId": "t1", "url": "https://client.example.com/hook", "token": "tok",
             "authentication": {"scheme": "Bearer", "credentials": "secret"}}
            """
        let config = try JSONTesting.decode(TaskPushNotificationConfig.self, json)
        #expect(
            config
                == TaskPushNotificationConfig(
                    tenant: "acme",
                    id: "cfg-1",
                    taskId: "t1",
                    url: "https://client.example.com/hook",
                    token: "tok",
                    authentication: AuthenticationInfo(scheme: "Bearer", credentials: "secret")
                )
        )
        #expect(try JSONTesting.encodedValue(config) == JSONTesting.value(json))
    }

    @Test("a minimal config writes only what is set")
    func minimalConfig() throws {
        let config = TaskPushNotificationConfig(taskId: "t1", url: "https://x/hook")
        #expect(try JSONTesting.encodedString(config) == #"{"taskId":"t1","url":"https://x/hook"}"#)
        #expect(try JSONTesting.encodedString(AuthenticationInfo(scheme: "Basic")) == #"{"scheme":"Basic"}"#)
    }

    @Test("inside SendMessageConfiguration the taskId may be absent; it decodes empty and is left out again")
    func emptyTaskId() throws {
        let config = try JSONTesting.decode(TaskPushNotificationConfig.self, #"{"url": "https://x/hook"}"#)
        #expect(config.taskId == "")
        #expect(try JSONTesting.encodedString(config) == #"{"url":"https://x/hook"}"#)
    }

    @Test("the proto name task_id is accepted")
    func protoName() throws {
        let config = try JSONTesting.decode(TaskPushNotificationConfig.self, #"{"task_id": "t1", "url": "https://x/hook"}"#)
        #expect(config.taskId == "t1")
    }

    @Test("the url is required")
    func urlRequired() throws {
        let error = try #require(throws: DecodingError.self) { try JSONTesting.decode(TaskPushNotificationConfig.self, #"{"taskId": "t1"}"#) }
        guard case .keyNotFound(let key, _) = error else {
            Issue.record("expected keyNotFound, got \(error)")
            return
        }
        #expect(key.stringValue == "url")
    }

    @Test("the 0.3 nested shape (pushNotificationConfig) has no url at the top and is rejected")
    func legacyShape() {
        #expect(throws: DecodingError.self) {
            try JSONTesting.decode(TaskPushNotificationConfig.self, #"{"taskId": "t1", "pushNotificationConfig": {"url": "https://x/hook"}}"#)
        }
    }

    @Test("the list response always writes nextPageToken, empty on the last page")
    func listResponse() throws {
        let response = ListTaskPushNotificationConfigsResponse(configs: [TaskPushNotificationConfig(id: "c", taskId: "t1", url: "https://x")])
        #expect(try JSONTesting.encodedString(response) == #"{"configs":[{"id":"c","taskId":"t1","url":"https://x"}],"nextPageToken":""}"#)
        #expect(try JSONDecoder().decode(ListTaskPushNotificationConfigsResponse.self, from: JSONEncoder().encode(response)) == response)
    }
}
