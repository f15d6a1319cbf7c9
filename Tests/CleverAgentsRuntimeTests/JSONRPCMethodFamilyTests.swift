//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsRuntime
import Testing

@Suite struct JSONRPCMethodFamilyTests {
    @Test(arguments: [
        ("SendMessage", JSONRPCMethodFamily.AskedVersion.none, JSONRPCMethodFamily.a2a),
        ("SendMessage", .other, .a2a),
        ("SendMessage", .v0_3, .a2a03),
        ("message/send", .none, .a2a03),
        ("message/send", .other, .a2a),
        ("_cleveragents/admin/namespaces/create", .none, .admin),
        ("_cleveragents/admin/namespaces/create", .other, .admin),
        ("_cleveragents/admin/namespaces/create", .v0_3, .a2a03),
        ("_cleveragents/sync/push", .none, .sync),
        ("_cleveragents/sync/push", .other, .sync),
        ("NoSuchMethod", .none, .a2a),
        ("_cleveragents/other/x", .other, .sync),  // the extension prefix is "_cleveragents/": its decoder words "not found"
    ])
    func theMethodsNamePicksItsFamily(method: String, version: JSONRPCMethodFamily.AskedVersion, family: JSONRPCMethodFamily) {
        #expect(JSONRPCMethodFamily(method: method, askedFor: version) == family)
    }

    @Test func aRequestWithoutAMethodGoesToA2AWhoseDecoderWordsTheError() throws {
        #expect(JSONRPCMethodFamily(method: nil, askedFor: .none) == .a2a)
        #expect(JSONRPCMethodFamily.method(of: try JSONValue(parsing: #"{"jsonrpc":"2.0","id":1,"method":"GetTask"}"#)) == "GetTask")
        #expect(JSONRPCMethodFamily.method(of: try JSONValue(parsing: #"{"method":7}"#)) == nil)
        #expect(JSONRPCMethodFamily.method(of: try JSONValue(parsing: #"["method"]"#)) == nil)
        #expect(JSONRPCMethodFamily.method(of: nil) == nil)
    }
}
