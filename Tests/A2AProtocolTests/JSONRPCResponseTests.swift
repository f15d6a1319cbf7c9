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

@Suite("JSON-RPC response envelopes", .timeLimit(.minutes(2)))
struct JSONRPCResponseTests {
    static let task = A2ATask(id: "t1", contextId: "c1", status: TaskStatus(state: .completed))

    @Test("a result response is {jsonrpc, id, result}", arguments: [JSONRPCID.string("r1"), .number(42), .null])
    func resultEnvelope(id: JSONRPCID) throws {
        let response = JSONRPCResultResponse(id: id, result: SendMessageResponse.task(Self.task))
        let encoded = try JSONTesting.encodedValue(response)
        #expect(encoded.objectValue?.keys.sorted() == ["id", "jsonrpc", "result"])
        #expect(encoded["jsonrpc"] == "2.0")
        #expect(encoded["id"] == (try JSONTesting.encodedValue(id)))
        #expect(encoded["result"] == ["task": ["id": "t1", "contextId": "c1", "status": ["state": "TASK_STATE_COMPLETED"]]])
    }

    @Test("ids are written as strings, integers or null")
    func idEncoding() throws {
        #expect(try JSONTesting.encodedString([JSONRPCID.string("a"), .number(-1), .null]) == #"["a",-1,null]"#)
        #expect(JSONRPCID.string("a").description == "a")
        #expect(JSONRPCID.number(7).description == "7")
        #expect(JSONRPCID.null.description == "null")
    }

    @Test("a stream event is a result response whose result is one StreamResponse")
    func streamEvent() throws {
        let event = StreamResponse.statusUpdate(TaskStatusUpdateEvent(taskId: "t1", contextId: "c1", status: TaskStatus(state: .working)))
        #expect(
            try JSONTesting.encodedString(JSONRPCResultResponse(id: .string("s1"), result: event))
                == #"{"id":"s1","jsonrpc":"2.0","result":{"statusUpdate":{"contextId":"c1","status":{"state":"TASK_STATE_WORKING"},"taskId":"t1"}}}"#
        )
    }

    @Test("an empty result is {}")
    func emptyResult() throws {
        #expect(
            try JSONTesting.encodedString(JSONRPCResultResponse(id: .number(1), result: EmptyResult())) == #"{"id":1,"jsonrpc":"2.0","result":{}}"#
        )
    }

    @Test("an error response is {jsonrpc, id, error} with the data array")
    func errorEnvelope() throws {
        let response = JSONRPCErrorResponse(id: .number(2), error: .invalidParams(field: "id", description: "required field is missing"))
        let expected = try JSONTesting.value(
            """
            {"jsonrpc": "2.0", "id": 2, "error": {"code": -32602, "message": "Invalid params: 'id': required field is missing",
             "data": [{"@type": "type.googleapis.com/google.rpc.BadRequest",
                       "fieldViolations": [{"field": "id", "description": "required field is missing"}]}]}}
            """
        )
        #expect(try JSONTesting.encodedValue(response) == expected)
        #expect(try JSONDecoder().decode(JSONRPCErrorResponse.self, from: JSONEncoder().encode(response)) == response)
    }

    @Test("an error response to an unreadable request has a null id")
    func errorEnvelopeNullID() throws {
        let response = JSONRPCErrorResponse(id: .null, error: .parseError())
        #expect(try JSONTesting.encodedString(response) == #"{"error":{"code":-32700,"message":"Invalid JSON payload"},"id":null,"jsonrpc":"2.0"}"#)
        #expect(try JSONTesting.decode(JSONRPCErrorResponse.self, #"{"jsonrpc": "2.0", "error": {"code": -32700, "message": "x"}}"#).id == .null)
    }

    @Test("a client reads a result")
    func clientReadsResult() throws {
        let response = try JSONTesting.decode(
            JSONRPCResponse<SendMessageResponse>.self,
            #"{"jsonrpc": "2.0", "id": "r1", "result": {"task": {"id": "t1", "contextId": "c1", "status": {"state": "TASK_STATE_COMPLETED"}}}}"#
        )
        #expect(response.id == .string("r1"))
        #expect(try response.outcome.get() == .task(Self.task))
    }

    @Test("a client reads an error")
    func clientReadsError() throws {
        let response = try JSONTesting.decode(
            JSONRPCResponse<SendMessageResponse>.self,
            #"{"jsonrpc": "2.0", "id": 5, "error": {"code": -32001, "message": "Task not found"}}"#
        )
        #expect(response.id == .number(5))
        #expect(response.outcome == .failure(JSONRPCError(code: -32001, message: "Task not found")))
    }

    @Test("a client reads a result next to error: null")
    func clientReadsResultWithNullError() throws {
        let response = try JSONTesting.decode(JSONRPCResponse<EmptyResult>.self, #"{"jsonrpc": "2.0", "id": 1, "error": null, "result": {}}"#)
        #expect(response.outcome == .success(EmptyResult()))
    }

    @Test("a response with neither result nor error is rejected")
    func neither() {
        #expect(throws: DecodingError.self) { try JSONTesting.decode(JSONRPCResponse<EmptyResult>.self, #"{"jsonrpc": "2.0", "id": 1}"#) }
    }
}
