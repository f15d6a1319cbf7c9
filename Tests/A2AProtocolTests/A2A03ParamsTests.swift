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

/// The A2A 0.3 params structs as a 0.3 client builds them: the JSON they write is the 0.3
/// layout (`types.ts` of A2A v0.3.0), and the server decodes it into the 1.0 call it stands for.
/// Also the params every 0.3 method requires.
@Suite(.timeLimit(.minutes(2))) struct A2A03ParamsTests {
    static let message = Message(messageId: "m1", role: .user, parts: [.text("hi")])
    /// The 0.3 JSON of ``message``, written by hand from the 0.3 schema.
    static let messageJSON: JSONValue = ["kind": "message", "messageId": "m1", "role": "user", "parts": [["kind": "text", "text": "hi"]]]

    /// A 0.3 request of `method` whose params are `params` encoded, decoded as the server does.
    static func serverCall(_ method: String, _ params: some Encodable) throws -> A2AMethodCall {
        let paramsText = String(decoding: try JSONEncoder().encode(params), as: UTF8.self)
        return try call03(method, paramsText)
    }

    // MARK: Params every method requires

    /// The 0.3 methods whose params are required (all but the extended card, which takes none).
    static let methodsWithParams = [
        "message/send", "message/stream", "tasks/get", "tasks/cancel", "tasks/resubscribe",
        "tasks/pushNotificationConfig/set", "tasks/pushNotificationConfig/get",
        "tasks/pushNotificationConfig/list", "tasks/pushNotificationConfig/delete",
    ]

    @Test(arguments: methodsWithParams, [nil, "null"])
    func absentOrNullParamsAreInvalidParamsForTheWholeParams(method: String, params: String?) throws {
        let error = try error03(method, params)
        #expect(error.code == -32602)
        #expect(error.message == "Invalid params: params is required")
        // The field of a violation of the whole params is empty (JSON-RPC has no name for it).
        #expect(error.fieldViolations.map(\.field) == [""])
    }

    @Test func theIdOfARequestWithoutParamsIsStillEchoed() throws {
        let request = try decode03(#"{"jsonrpc": "2.0", "id": "no-params", "method": "tasks/cancel"}"#)
        #expect(request.responseID == .string("no-params"))
        #expect(request.call.failure?.code == -32602)
    }

    // MARK: The 0.3 layout of the params structs

    @Test func taskIdParamsWriteIdAndMetadataAndCancelOrResubscribeThatTask() throws {
        let params = A2A03.TaskIdParams(id: "t1", metadata: ["reason": "done"])
        #expect(try JSONTesting.encodedValue(params) == ["id": "t1", "metadata": ["reason": "done"]])
        #expect(try JSONTesting.encodedValue(A2A03.TaskIdParams(id: "t2")) == ["id": "t2"])
        #expect(try Self.serverCall("tasks/cancel", params) == .cancelTask(CancelTaskRequest(id: "t1", metadata: ["reason": "done"])))
        // 1.0 SubscribeToTask has no metadata: it is dropped.
        #expect(try Self.serverCall("tasks/resubscribe", params) == .subscribeToTask(SubscribeToTaskRequest(id: "t1")))
        // `list` takes the same params, `id` being the task.
        let list: A2A03.ListTaskPushNotificationConfigParams = A2A03.TaskIdParams(id: "t3")
        #expect(
            try Self.serverCall("tasks/pushNotificationConfig/list", list)
                == .listTaskPushNotificationConfigs(ListTaskPushNotificationConfigsRequest(taskId: "t3"))
        )
    }

    @Test func taskQueryParamsWriteHistoryLengthAndZeroMeansNoLimit() throws {
        let params = A2A03.TaskQueryParams(id: "t1", historyLength: 4, metadata: ["k": "v"])
        #expect(try JSONTesting.encodedValue(params) == ["id": "t1", "historyLength": 4, "metadata": ["k": "v"]])
        #expect(try Self.serverCall("tasks/get", params) == .getTask(GetTaskRequest(id: "t1", historyLength: 4)))
        // 0.3 `0` is "no limit": the 1.0 call leaves it unset (the whole history).
        #expect(try Self.serverCall("tasks/get", A2A03.TaskQueryParams(id: "t1", historyLength: 0)) == .getTask(GetTaskRequest(id: "t1")))
        #expect(try JSONTesting.encodedValue(A2A03.TaskQueryParams(id: "t1")) == ["id": "t1"])
    }

    @Test func getPushConfigParamsNameTheTaskAsIdAndTheConfigAsPushNotificationConfigId() throws {
        let params = A2A03.GetTaskPushNotificationConfigParams(id: "t1", pushNotificationConfigId: "c1", metadata: ["k": 1])
        #expect(try JSONTesting.encodedValue(params) == ["id": "t1", "pushNotificationConfigId": "c1", "metadata": ["k": 1]])
        #expect(
            try Self.serverCall("tasks/pushNotificationConfig/get", params)
                == .getTaskPushNotificationConfig(GetTaskPushNotificationConfigRequest(taskId: "t1", id: "c1"))
        )
        // The deprecated form, without the config id, asks for the config named after the task.
        let deprecated = A2A03.GetTaskPushNotificationConfigParams(id: "t1")
        #expect(try JSONTesting.encodedValue(deprecated) == ["id": "t1"])
        #expect(
            try Self.serverCall("tasks/pushNotificationConfig/get", deprecated)
                == .getTaskPushNotificationConfig(GetTaskPushNotificationConfigRequest(taskId: "t1", id: "t1"))
        )
    }

    @Test func deletePushConfigParamsNameTheTaskAsIdAndTheConfigAsPushNotificationConfigId() throws {
        let params = A2A03.DeleteTaskPushNotificationConfigParams(id: "t1", pushNotificationConfigId: "c1", metadata: ["k": true])
        #expect(try JSONTesting.encodedValue(params) == ["id": "t1", "pushNotificationConfigId": "c1", "metadata": ["k": true]])
        #expect(
            try Self.serverCall("tasks/pushNotificationConfig/delete", params)
                == .deleteTaskPushNotificationConfig(DeleteTaskPushNotificationConfigRequest(taskId: "t1", id: "c1"))
        )
    }

    @Test func messageSendParamsWriteTheMessageWithItsKindAndTheConfiguration() throws {
        let params = A2A03.MessageSendParams(
            message: A2A03.Message(Self.message),
            configuration: A2A03.MessageSendConfiguration(acceptedOutputModes: ["text/plain"], historyLength: 2, blocking: false),
            metadata: ["trace": "x"]
        )
        #expect(
            try JSONTesting.encodedValue(params)
                == [
                    "message": Self.messageJSON,
                    "configuration": ["acceptedOutputModes": ["text/plain"], "historyLength": 2, "blocking": false],
                    "metadata": ["trace": "x"],
                ]
        )
        let expected = SendMessageRequest(
            message: Self.message,
            configuration: SendMessageConfiguration(acceptedOutputModes: ["text/plain"], historyLength: 2, returnImmediately: true),
            metadata: ["trace": "x"]
        )
        #expect(try Self.serverCall("message/send", params) == .sendMessage(expected))
        #expect(try Self.serverCall("message/stream", params) == .sendStreamingMessage(expected))
        #expect(try JSONTesting.encodedValue(A2A03.MessageSendParams(message: A2A03.Message(Self.message))) == ["message": Self.messageJSON])
    }

    // MARK: From a 1.0 request (the client side)

    @Test func aOnePointZeroRequestBecomesThe03ParamsWithoutItsTenant() throws {
        let push = TaskPushNotificationConfig(
            id: "c1", taskId: "", url: "https://hooks.example.com/a2a", token: "tok",
            authentication: AuthenticationInfo(scheme: "Bearer", credentials: "secret"))
        let request = SendMessageRequest(
            tenant: "acme",
            message: Self.message,
            configuration: SendMessageConfiguration(
                acceptedOutputModes: ["application/json"], taskPushNotificationConfig: push, historyLength: 5, returnImmediately: true),
            metadata: ["k": "v"]
        )
        let params = A2A03.MessageSendParams(request)
        // 0.3 has no tenant; `returnImmediately: true` is `blocking: false`; the push config is the
        // bare 0.3 config, with the schemes as a list.
        #expect(
            try JSONTesting.encodedValue(params)
                == [
                    "message": Self.messageJSON,
                    "configuration": [
                        "acceptedOutputModes": ["application/json"],
                        "historyLength": 5,
                        "blocking": false,
                        "pushNotificationConfig": [
                            "id": "c1", "url": "https://hooks.example.com/a2a", "token": "tok",
                            "authentication": ["schemes": ["Bearer"], "credentials": "secret"],
                        ],
                    ],
                    "metadata": ["k": "v"],
                ]
        )
        // A 0.3 server reads back the same request, less the tenant.
        var withoutTenant = request
        withoutTenant.tenant = nil
        #expect(try Self.serverCall("message/send", params) == .sendMessage(withoutTenant))
    }

    @Test func aOnePointZeroRequestWithoutOptionsIsBlockingIn03() throws {
        let params = A2A03.MessageSendParams(SendMessageRequest(message: Self.message, configuration: SendMessageConfiguration()))
        // 1.0 blocks unless told otherwise; 0.3 says so explicitly.
        #expect(try JSONTesting.encodedValue(params) == ["message": Self.messageJSON, "configuration": ["blocking": true]])
        let bare = A2A03.MessageSendParams(SendMessageRequest(message: Self.message))
        #expect(bare.configuration == nil)
        #expect(bare.metadata == nil)
        #expect(try JSONTesting.encodedValue(bare) == ["message": Self.messageJSON])
    }
}
