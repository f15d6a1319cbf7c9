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

@Suite("A2A request and response params", .timeLimit(.minutes(2)))
struct A2ARequestsTests {
    static let message = Message(messageId: "m1", role: .user, parts: [.text("hi")])

    // MARK: SendMessageRequest

    @Test("SendMessageRequest with a full configuration")
    func sendMessageFull() throws {
        let request = try JSONTesting.decode(
            SendMessageRequest.self,
            """
            {"tenant": "acme", "message": {"messageId": "m1", "role": "ROLE_USER", "parts": [{"text": "hi"}]},
             "configuration": {"acceptedOutputModes": ["text/plain"], "historyLength": 2, "returnImmediately": true,
                               "taskPushNotificationConfig": {"url": "https://x/hook", "token": "t"}},
             "metadata": {"actor": "echo"}}
            """
        )
        #expect(request.tenant == "acme")
        #expect(request.message == Self.message)
        #expect(request.configuration?.acceptedOutputModes == ["text/plain"])
        #expect(request.configuration?.historyLength == 2)
        #expect(request.configuration?.returnImmediately == true)
        #expect(request.configuration?.taskPushNotificationConfig == TaskPushNotificationConfig(taskId: "", url: "https://x/hook", token: "t"))
        #expect(request.metadata == ["actor": "echo"])
    }

    @Test("SendMessageRequest with only a message leaves everything else unset")
    func sendMessageMinimal() throws {
        let request = try JSONTesting.decode(
            SendMessageRequest.self,
            #"{"message": {"messageId": "m1", "role": "ROLE_USER", "parts": [{"text": "hi"}]}}"#
        )
        #expect(request == SendMessageRequest(message: Self.message))
        #expect(try JSONTesting.encodedString(request) == #"{"message":{"messageId":"m1","parts":[{"text":"hi"}],"role":"ROLE_USER"}}"#)
    }

    @Test("the 0.3 configuration field blocking is not returnImmediately; it is ignored")
    func blockingIgnored() throws {
        let configuration = try JSONTesting.decode(SendMessageConfiguration.self, #"{"blocking": false}"#)
        #expect(configuration == SendMessageConfiguration())
    }

    @Test("SendMessageRequest needs a message")
    func sendMessageNeedsMessage() {
        #expect(throws: DecodingError.self) { try JSONTesting.decode(SendMessageRequest.self, "{}") }
    }

    // MARK: Task methods

    @Test("GetTaskRequest")
    func getTask() throws {
        #expect(try JSONTesting.decode(GetTaskRequest.self, #"{"id": "t1"}"#) == GetTaskRequest(id: "t1"))
        #expect(
            try JSONTesting.decode(GetTaskRequest.self, #"{"id": "t1", "historyLength": 0, "tenant": "a"}"#)
                == GetTaskRequest(tenant: "a", id: "t1", historyLength: 0)
        )
        #expect(throws: DecodingError.self) { try JSONTesting.decode(GetTaskRequest.self, #"{"historyLength": 1}"#) }
        #expect(throws: DecodingError.self) { try JSONTesting.decode(GetTaskRequest.self, #"{"id": "t1", "historyLength": "ten"}"#) }
    }

    @Test("ListTasksRequest with every filter")
    func listTasks() throws {
        let request = try JSONTesting.decode(
            ListTasksRequest.self,
            """
            {"tenant": "a", "contextId": "c1", "status": "TASK_STATE_WORKING", "pageSize": 20, "pageToken": "p",
             "historyLength": 3, "statusTimestampAfter": "2025-11-09T10:30:00Z", "includeArtifacts": true}
            """
        )
        #expect(
            request
                == ListTasksRequest(
                    tenant: "a",
                    contextId: "c1",
                    status: .working,
                    pageSize: 20,
                    pageToken: "p",
                    historyLength: 3,
                    statusTimestampAfter: A2ATimestamp(millisecondsSinceEpoch: 1_762_684_200_000),
                    includeArtifacts: true
                )
        )
        #expect(try JSONTesting.decode(ListTasksRequest.self, "{}") == ListTasksRequest())
    }

    @Test("ListTasksRequest accepts the status as its enum number")
    func listTasksStatusNumber() throws {
        #expect(try JSONTesting.decode(ListTasksRequest.self, #"{"status": 3}"#).status == .completed)
    }

    @Test("ListTasksRequest encodes its timestamp in RFC 3339")
    func listTasksEncoding() throws {
        let request = ListTasksRequest(status: .completed, statusTimestampAfter: A2ATimestamp(millisecondsSinceEpoch: 0))
        #expect(try JSONTesting.encodedString(request) == #"{"status":"TASK_STATE_COMPLETED","statusTimestampAfter":"1970-01-01T00:00:00.000Z"}"#)
    }

    @Test("ListTasksResponse always writes nextPageToken, pageSize and totalSize")
    func listTasksResponse() throws {
        let response = ListTasksResponse(tasks: [], nextPageToken: "", pageSize: 10, totalSize: 0)
        #expect(try JSONTesting.encodedString(response) == #"{"nextPageToken":"","pageSize":10,"tasks":[],"totalSize":0}"#)
    }

    @Test("CancelTaskRequest and SubscribeToTaskRequest need an id")
    func idRequests() throws {
        #expect(
            try JSONTesting.decode(CancelTaskRequest.self, #"{"id": "t1", "metadata": {"why": "x"}}"#)
                == CancelTaskRequest(id: "t1", metadata: ["why": "x"])
        )
        #expect(try JSONTesting.decode(SubscribeToTaskRequest.self, #"{"id": "t1", "tenant": "a"}"#) == SubscribeToTaskRequest(tenant: "a", id: "t1"))
        #expect(throws: DecodingError.self) { try JSONTesting.decode(CancelTaskRequest.self, "{}") }
        #expect(throws: DecodingError.self) { try JSONTesting.decode(SubscribeToTaskRequest.self, "{}") }
    }

    // MARK: Push configs and card

    @Test("push-config get and delete need taskId and id")
    func pushConfigGetDelete() throws {
        #expect(
            try JSONTesting.decode(GetTaskPushNotificationConfigRequest.self, #"{"taskId": "t1", "id": "c1"}"#)
                == GetTaskPushNotificationConfigRequest(taskId: "t1", id: "c1")
        )
        #expect(
            try JSONTesting.decode(DeleteTaskPushNotificationConfigRequest.self, #"{"task_id": "t1", "id": "c1", "tenant": "a"}"#)
                == DeleteTaskPushNotificationConfigRequest(tenant: "a", taskId: "t1", id: "c1")
        )
        #expect(throws: DecodingError.self) { try JSONTesting.decode(GetTaskPushNotificationConfigRequest.self, #"{"id": "c1"}"#) }
        #expect(throws: DecodingError.self) { try JSONTesting.decode(DeleteTaskPushNotificationConfigRequest.self, #"{"taskId": "t1"}"#) }
    }

    @Test("push-config list needs a taskId and pages optionally")
    func pushConfigList() throws {
        #expect(
            try JSONTesting.decode(ListTaskPushNotificationConfigsRequest.self, #"{"taskId": "t1", "pageSize": 5, "pageToken": "p"}"#)
                == ListTaskPushNotificationConfigsRequest(taskId: "t1", pageSize: 5, pageToken: "p")
        )
        #expect(throws: DecodingError.self) { try JSONTesting.decode(ListTaskPushNotificationConfigsRequest.self, "{}") }
    }

    @Test("GetExtendedAgentCardRequest has only the tenant")
    func extendedCard() throws {
        #expect(try JSONTesting.decode(GetExtendedAgentCardRequest.self, "{}") == GetExtendedAgentCardRequest())
        #expect(try JSONTesting.decode(GetExtendedAgentCardRequest.self, #"{"tenant": "a"}"#).tenant == "a")
    }

    @Test("an empty result is written as {}")
    func emptyResult() throws {
        #expect(try JSONTesting.encodedString(EmptyResult()) == "{}")
    }
}
