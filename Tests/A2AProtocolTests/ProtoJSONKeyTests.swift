//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import Testing

@testable import A2AProtocol

@Suite("ProtoJSONKey", .timeLimit(.minutes(2)))
struct ProtoJSONKeyTests {
    @Test(
        "the proto name of a JSON name is its snake_case form",
        arguments: [
            ("id", "id"), ("historyLength", "history_length"), ("statusTimestampAfter", "status_timestamp_after"),
            ("referenceTaskIds", "reference_task_ids"), ("taskPushNotificationConfig", "task_push_notification_config"), ("tenant", "tenant"),
            ("aB", "a_b"), ("", ""), ("zÄhler", "z_ähler"), ("éA", "é_a"),
        ]
    )
    func protoName(jsonName: String, protoName: String) {
        #expect(ProtoJSONKey.protoName(jsonName) == protoName)
    }

    @Test("a ProtoJSONKey is a string key only")
    func keyKinds() {
        #expect(ProtoJSONKey(stringValue: "a")?.stringValue == "a")
        #expect(ProtoJSONKey(intValue: 0) == nil)
        #expect(ProtoJSONKey("a").intValue == nil)
    }

    /// Pairs of the same params written with JSON names and with proto names.
    static let pairs: [(String, String, String)] = [
        ("GetTask", #"{"id": "t1", "historyLength": 3}"#, #"{"id": "t1", "history_length": 3}"#),
        (
            "ListTasks",
            """
            {"contextId": "c", "pageSize": 5, "pageToken": "p", "historyLength": 1,
             "statusTimestampAfter": "2025-01-01T00:00:00Z", "includeArtifacts": true}
            """,
            """
            {"context_id": "c", "page_size": 5, "page_token": "p", "history_length": 1,
             "status_timestamp_after": "2025-01-01T00:00:00Z", "include_artifacts": true}
            """
        ),
        ("GetTaskPushNotificationConfig", #"{"taskId": "t1", "id": "c"}"#, #"{"task_id": "t1", "id": "c"}"#),
        (
            "ListTaskPushNotificationConfigs", #"{"taskId": "t1", "pageSize": 2, "pageToken": "p"}"#,
            #"{"task_id": "t1", "page_size": 2, "page_token": "p"}"#
        ),
        ("DeleteTaskPushNotificationConfig", #"{"taskId": "t1", "id": "c"}"#, #"{"task_id": "t1", "id": "c"}"#),
        ("CreateTaskPushNotificationConfig", #"{"taskId": "t1", "url": "https://x"}"#, #"{"task_id": "t1", "url": "https://x"}"#),
        (
            "SendMessage",
            """
            {"message": {"messageId": "m", "contextId": "c", "taskId": "t", "role": "ROLE_USER", "referenceTaskIds": ["r"],
                         "parts": [{"url": "https://x", "mediaType": "image/png"}]},
             "configuration": {"acceptedOutputModes": ["text/plain"], "historyLength": 0, "returnImmediately": true,
                               "taskPushNotificationConfig": {"url": "https://x/hook"}}}
            """,
            """
            {"message": {"message_id": "m", "context_id": "c", "task_id": "t", "role": "ROLE_USER", "reference_task_ids": ["r"],
                         "parts": [{"url": "https://x", "media_type": "image/png"}]},
             "configuration": {"accepted_output_modes": ["text/plain"], "history_length": 0, "return_immediately": true,
                               "task_push_notification_config": {"url": "https://x/hook"}}}
            """
        ),
    ]

    @Test("params written with proto names decode the same as with JSON names", arguments: pairs)
    func protoNamesDecodeTheSame(method: String, camelCase: String, snakeCase: String) throws {
        let camel = try decodeRequest(#"{"jsonrpc": "2.0", "id": 1, "method": "\#(method)", "params": \#(camelCase)}"#)
        let snake = try decodeRequest(#"{"jsonrpc": "2.0", "id": 1, "method": "\#(method)", "params": \#(snakeCase)}"#)
        let camelCall = try camel.call.get()
        // If a proto name were ignored the field would keep its default (or be missing) and differ.
        #expect(try snake.call.get() == camelCall)
    }

    @Test("ListTasks proto names set every filter")
    func listTasksProtoNames() throws {
        let request = try decodeRequest(
            """
            {"jsonrpc": "2.0", "id": 1, "method": "ListTasks",
             "params": {"context_id": "c", "page_size": 5, "history_length": 1, "include_artifacts": true,
                        "status_timestamp_after": "1970-01-01T00:00:01Z"}}
            """
        )
        guard case .listTasks(let params) = try request.call.get() else {
            Issue.record("expected ListTasks, got \(request.call)")
            return
        }
        #expect(params.contextId == "c")
        #expect(params.pageSize == 5)
        #expect(params.historyLength == 1)
        #expect(params.includeArtifacts == true)
        #expect(params.statusTimestampAfter == A2ATimestamp(millisecondsSinceEpoch: 1000))
    }
}
