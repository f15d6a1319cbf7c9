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

@Suite("JSONRPCError", .timeLimit(.minutes(2)))
struct JSONRPCErrorTests {
    @Test("the JSON-RPC 2.0 and A2A 1.0 codes (spec §5.4, §9.5)")
    func codes() {
        #expect(JSONRPCError.parseErrorCode == -32700)
        #expect(JSONRPCError.invalidRequestCode == -32600)
        #expect(JSONRPCError.methodNotFoundCode == -32601)
        #expect(JSONRPCError.invalidParamsCode == -32602)
        #expect(JSONRPCError.internalErrorCode == -32603)
        #expect(JSONRPCError.taskNotFoundCode == -32001)
        #expect(JSONRPCError.taskNotCancelableCode == -32002)
        #expect(JSONRPCError.pushNotificationNotSupportedCode == -32003)
        #expect(JSONRPCError.unsupportedOperationCode == -32004)
        #expect(JSONRPCError.contentTypeNotSupportedCode == -32005)
        #expect(JSONRPCError.invalidAgentResponseCode == -32006)
        #expect(JSONRPCError.extendedAgentCardNotConfiguredCode == -32007)
        #expect(JSONRPCError.extensionSupportRequiredCode == -32008)
        #expect(JSONRPCError.versionNotSupportedCode == -32009)
    }

    @Test(
        "every A2A error carries a google.rpc.ErrorInfo with its reason and the a2a-protocol.org domain",
        arguments: [
            (JSONRPCError.taskNotFound("t1"), -32001, "TASK_NOT_FOUND"), (.taskNotCancelable("t1", state: .completed), -32002, "TASK_NOT_CANCELABLE"),
            (.pushNotificationNotSupported(), -32003, "PUSH_NOTIFICATION_NOT_SUPPORTED"),
            (.unsupportedOperation("no"), -32004, "UNSUPPORTED_OPERATION"),
            (.contentTypeNotSupported("text/csv"), -32005, "CONTENT_TYPE_NOT_SUPPORTED"),
            (.invalidAgentResponse("bad"), -32006, "INVALID_AGENT_RESPONSE"),
            (.extendedAgentCardNotConfigured(), -32007, "EXTENDED_AGENT_CARD_NOT_CONFIGURED"),
            (.extensionSupportRequired("https://ext/1"), -32008, "EXTENSION_SUPPORT_REQUIRED"),
            (.versionNotSupported("0.5", supported: ["1.0"]), -32009, "VERSION_NOT_SUPPORTED"), (.methodNotFound("X"), -32601, "METHOD_NOT_FOUND"),
        ]
    )
    func errorInfo(error: JSONRPCError, code: Int, reason: String) throws {
        #expect(error.code == code)
        let detail = try #require(error.data?.first)
        #expect(error.data?.count == 1)
        #expect(detail["@type"] == "type.googleapis.com/google.rpc.ErrorInfo")
        #expect(detail["reason"]?.stringValue == reason)
        #expect(detail["domain"] == "a2a-protocol.org")
        // google.rpc.ErrorInfo.metadata is map<string, string>.
        let metadata = try #require(detail["metadata"]?.objectValue)
        #expect(metadata.values.allSatisfy { $0.stringValue != nil })
    }

    @Test("error metadata names the subject of the error")
    func errorMetadata() {
        #expect(JSONRPCError.taskNotFound("t1").data?.first?["metadata"] == ["taskId": "t1"])
        #expect(JSONRPCError.taskNotCancelable("t1", state: .failed).data?.first?["metadata"] == ["taskId": "t1", "state": "TASK_STATE_FAILED"])
        #expect(JSONRPCError.taskNotCancelable("t1", state: .failed).message.contains("TASK_STATE_FAILED"))
        #expect(
            JSONRPCError.versionNotSupported("0.5", supported: ["0.3", "1.0"]).data?.first?["metadata"]
                == ["version": "0.5", "supportedVersions": "0.3,1.0"]
        )
        #expect(
            JSONRPCError.versionNotSupported("0.5", supported: ["0.3", "1.0"]).message
                == "A2A version '0.5' is not supported; supported versions: 0.3, 1.0"
        )
        #expect(JSONRPCError.extensionSupportRequired("https://ext/1").data?.first?["metadata"] == ["extension": "https://ext/1"])
    }

    @Test("invalid params carry a google.rpc.BadRequest with one field violation")
    func badRequest() throws {
        let error = JSONRPCError.invalidParams(field: "message.parts", description: "At least one part is required")
        #expect(error.code == -32602)
        #expect(error.message == "Invalid params: 'message.parts': At least one part is required")
        #expect(
            error.data == [
                [
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [["field": "message.parts", "description": "At least one part is required"]],
                ]
            ]
        )
        #expect(JSONRPCError.invalidParams(field: "", description: "params is required").message == "Invalid params: params is required")
    }

    @Test("the plain JSON-RPC errors carry no data")
    func plainErrors() {
        #expect(JSONRPCError.parseError() == JSONRPCError(code: -32700, message: "Invalid JSON payload"))
        #expect(JSONRPCError.invalidRequest().code == -32600)
        #expect(JSONRPCError.invalidRequest().data == nil)
        #expect(JSONRPCError.internalError() == JSONRPCError(code: -32603, message: "Internal error"))
    }

    @Test("an error encodes code, message and data, and leaves data out when nil")
    func encoding() throws {
        #expect(try JSONTesting.encodedString(JSONRPCError(code: -32600, message: "bad")) == #"{"code":-32600,"message":"bad"}"#)
        let error = JSONRPCError.taskNotFound("t1")
        #expect(
            try JSONTesting.encodedString(error)
                == #"{"code":-32001,"data":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","domain":"a2a-protocol.org","#
                + #""metadata":{"taskId":"t1"},"reason":"TASK_NOT_FOUND"}],"message":"Task not found: t1"}"#
        )
        #expect(try JSONDecoder().decode(JSONRPCError.self, from: JSONEncoder().encode(error)) == error)
    }

    @Test("data that is not an array (as 0.3 peers send) is wrapped in one", arguments: [#"{"detail": "x"}"#, #""text""#, "42"])
    func legacyData(data: String) throws {
        let error = try JSONTesting.decode(JSONRPCError.self, #"{"code": -32001, "message": "m", "data": \#(data)}"#)
        #expect(error.data == [try JSONTesting.value(data)])
    }

    @Test("data null or absent decodes as nil", arguments: [#", "data": null"#, ""])
    func noData(data: String) throws {
        #expect(try JSONTesting.decode(JSONRPCError.self, #"{"code": -32001, "message": "m"\#(data)}"#).data == nil)
    }

    @Test("code and message are required")
    func requiredMembers() {
        #expect(throws: DecodingError.self) { try JSONTesting.decode(JSONRPCError.self, #"{"message": "m"}"#) }
        #expect(throws: DecodingError.self) { try JSONTesting.decode(JSONRPCError.self, #"{"code": 1}"#) }
    }

    // MARK: invalidParams(from:)

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int?
        init(_ string: String) {
            self.stringValue = string
            self.intValue = nil
        }
        init(index: Int) {
            self.stringValue = "Index \(index)"
            self.intValue = index
        }
        init?(stringValue: String) { self.init(stringValue) }
        init?(intValue: Int) { self.init(index: intValue) }
    }

    @Test("a missing key names the full path, without the params prefix")
    func fromKeyNotFound() {
        let error = DecodingError.keyNotFound(Key("messageId"), .init(codingPath: [Key("params"), Key("message")], debugDescription: ""))
        let converted = JSONRPCError.invalidParams(from: error)
        #expect(converted.fieldViolations.map { $0.field } == ["message.messageId"])
        #expect(converted.fieldViolations.first?.description == "required field is missing")
    }

    @Test("array indexes are written in brackets")
    func fromTypeMismatch() {
        let path: [any CodingKey] = [Key("params"), Key("message"), Key("parts"), Key(index: 2), Key("text")]
        let error = DecodingError.typeMismatch(String.self, .init(codingPath: path, debugDescription: ""))
        let converted = JSONRPCError.invalidParams(from: error)
        #expect(converted.fieldViolations.first?.field == "message.parts[2].text")
        #expect(converted.fieldViolations.first?.description == "expected a string")
    }

    @Test("type mismatches name the JSON type that was expected")
    func typeNames() {
        let cases: [(Any.Type, String)] = [
            (String.self, "a string"), (Bool.self, "a boolean"), (Int.self, "a number"), (Double.self, "a number"), (Int64.self, "a number"),
            ([String].self, "an array"), ([String: String].self, "an object"), (Message.self, "an object"),
        ]
        for (type, name) in cases {
            let error = DecodingError.typeMismatch(type, .init(codingPath: [Key("params"), Key("x")], debugDescription: ""))
            #expect(JSONRPCError.invalidParams(from: error).fieldViolations.first?.description == "expected \(name)", "\(type)")
        }
    }

    @Test("a null where a value is required says so")
    func fromValueNotFound() {
        let error = DecodingError.valueNotFound(Int.self, .init(codingPath: [Key("params"), Key("pageSize")], debugDescription: ""))
        let converted = JSONRPCError.invalidParams(from: error)
        #expect(converted.fieldViolations.first?.field == "pageSize")
        #expect(converted.fieldViolations.first?.description == "expected a number, found null")
    }

    @Test("corrupted data keeps the decoder's description")
    func fromDataCorrupted() {
        let error = DecodingError.dataCorrupted(.init(codingPath: [Key("params"), Key("status")], debugDescription: "Unknown task state"))
        let converted = JSONRPCError.invalidParams(from: error)
        #expect(converted.fieldViolations.first?.field == "status")
        #expect(converted.fieldViolations.first?.description == "Unknown task state")
    }

    @Test("only a leading params key is dropped, and the prefix can be changed or disabled")
    func prefixes() {
        let inner = DecodingError.keyNotFound(Key("id"), .init(codingPath: [Key("config"), Key("params")], debugDescription: ""))
        #expect(JSONRPCError.invalidParams(from: inner).fieldViolations.first?.field == "config.params.id")
        let outer = DecodingError.keyNotFound(Key("id"), .init(codingPath: [Key("params")], debugDescription: ""))
        #expect(JSONRPCError.invalidParams(from: outer, droppingPrefix: nil).fieldViolations.first?.field == "params.id")
        let body = DecodingError.keyNotFound(Key("id"), .init(codingPath: [Key("body")], debugDescription: ""))
        #expect(JSONRPCError.invalidParams(from: body, droppingPrefix: "body").fieldViolations.first?.field == "id")
    }
}
