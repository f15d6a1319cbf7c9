//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import CleverAgentsRuntime
import CleverAgentsPostgres
import CleverAgentsServer
import CleverAgentsTestSupport
import Foundation
import NIOHTTP1
import Testing

/// Bad input gets the exact JSON-RPC error, and nothing is written.
@Suite(.enabled(if: TestEnvironment.hasServices), .serialized, .timeLimit(.minutes(5))) struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var body: String
        var headers: [(String, String)] = [("Content-Type", "application/json"), ("A2A-Version", "1.0")]
        var status: Int
        var code: Int
        var id: JSONValue
        var messageContains: String
        var testDescription: String { name }
    }

    static let send = #""method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[{"text":"x"}]}}"#

    static let cases: [Case] = [
        Case(name: "malformed JSON", body: #"{"jsonrpc":"2.0","id":1,"method":"SendMessage""#, status: 200, code: -32700, id: .null, messageContains: "Invalid JSON"),
        Case(name: "not an object", body: #"[1,2]"#, status: 200, code: -32600, id: .null, messageContains: "JSON object"),
        Case(name: "wrong jsonrpc version", body: #"{"jsonrpc":"1.0","id":7,"method":"GetTask","params":{"id":"x"}}"#, status: 200, code: -32600, id: 7, messageContains: "jsonrpc"),
        Case(name: "unknown method", body: #"{"jsonrpc":"2.0","id":"u","method":"Nope","params":{}}"#, status: 200, code: -32601, id: "u", messageContains: "Nope"),
        Case(name: "wrong type", body: #"{"jsonrpc":"2.0","id":2,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[{"text":5}]}}}"#, status: 200, code: -32602, id: 2, messageContains: "message.parts[0].text"),
        Case(name: "missing field", body: #"{"jsonrpc":"2.0","id":3,"method":"SendMessage","params":{"message":{"role":"ROLE_USER","parts":[{"text":"x"}]}}}"#, status: 200, code: -32602, id: 3, messageContains: "message.messageId"),
        Case(name: "unknown role", body: #"{"jsonrpc":"2.0","id":4,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_BOSS","parts":[{"text":"x"}]}}}"#, status: 200, code: -32602, id: 4, messageContains: "message.role"),
        Case(name: "empty parts", body: #"{"jsonrpc":"2.0","id":5,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[]}}}"#, status: 200, code: -32602, id: 5, messageContains: "message.parts"),
        Case(name: "params missing", body: #"{"jsonrpc":"2.0","id":6,"method":"SendMessage"}"#, status: 200, code: -32602, id: 6, messageContains: "params"),
        Case(name: "oversized body", body: #"{"jsonrpc":"2.0","id":8,"#  + send + #","pad":""# + String(repeating: "x", count: 70_000) + #""}"#, status: 413, code: -32055, id: .null, messageContains: "65536"),
        Case(name: "unsupported version", body: #"{"jsonrpc":"2.0","id":9,"# + send + "}", headers: [("Content-Type", "application/json"), ("A2A-Version", "99.0")], status: 200, code: -32009, id: 9, messageContains: "99.0"),
        Case(name: "unsupported content type", body: #"{'jsonrpc': '2.0'}"#, headers: [("Content-Type", "text/plain")], status: 415, code: -32005, id: .null, messageContains: "text/plain"),
        Case(name: "notification", body: #"{"jsonrpc":"2.0","# + send + "}", status: 200, code: -32600, id: .null, messageContains: "id"),
    ]

    @Test(arguments: cases)
    func badRequestsGetTheExactErrorAndWriteNothing(_ testCase: Case) async throws {
        let server = try await TestServer.start { $0.http.maximumBodySize = 65_536 }
        do {
            let namespace = try await server.createNamespace()
            let reply = try await RPCTestClient().post(server.endpoint(namespace.rawValue), body: testCase.body, headers: testCase.headers)
            #expect(reply.status == testCase.status)
            #expect(reply.headers.first(name: "content-type") == "application/json")
            let json = try reply.json
            #expect(json["jsonrpc"] == "2.0")
            #expect(json["id"] == testCase.id)
            #expect(json.at("error.code") == .number(Double(testCase.code)))
            let message = try #require(json.at("error.message")?.stringValue)
            #expect(message.contains(testCase.messageContains), "\(message)")
            if testCase.code == -32602 {
                #expect(json.at("error.data.0.@type") == "type.googleapis.com/google.rpc.BadRequest")
            }
            let page = try await server.store.listTasks(namespace: namespace, query: TaskQuery(pageSize: 10))
            #expect(page.totalSize == 0, "nothing was written")
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func anUnknownNamespaceIsNotFound() async throws {
        let server = try await TestServer.start()
        do {
            let reply = try await RPCTestClient().call(server.endpoint("no-such-namespace"), method: "GetTask", params: #"{"id":"x"}"#)
            #expect(reply.status == 404)
            #expect(reply.errorCode == JSONRPCError.namespaceNotFoundCode)
            let invalid = try await RPCTestClient().call(server.endpoint("Not_Valid"), method: "GetTask", params: #"{"id":"x"}"#)
            #expect(invalid.status == 404)
            #expect(invalid.errorCode == JSONRPCError.namespaceNotFoundCode)
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func versionNegotiationAcceptsOnePointZeroAndItsAbsence() async throws {
        let server = try await TestServer.start()
        do {
            let namespace = try await server.createNamespace()
            let endpoint = server.endpoint(namespace.rawValue)
            let body = #"{"jsonrpc":"2.0","id":1,"method":"GetTask","params":{"id":"none"}}"#
            for headers in [[("Content-Type", "application/json")], [("Content-Type", "application/json"), ("A2A-Version", "1.0.1")], [("Content-Type", "application/json"), ("A2A-Version", "")]] {
                #expect(try await RPCTestClient().post(endpoint, body: body, headers: headers).errorCode == JSONRPCError.taskNotFoundCode)
            }
            let query = try await RPCTestClient().post(endpoint + "?A2A-Version=2.0", body: body, headers: [("Content-Type", "application/json")])
            #expect(query.errorCode == JSONRPCError.versionNotSupportedCode)
            #expect(try query.json.at("error.data.0.reason") == "VERSION_NOT_SUPPORTED")
            let slash = try await RPCTestClient().post(endpoint + "/", body: body)
            #expect(slash.errorCode == JSONRPCError.taskNotFoundCode, "the endpoint answers with a trailing slash too")
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }
}
