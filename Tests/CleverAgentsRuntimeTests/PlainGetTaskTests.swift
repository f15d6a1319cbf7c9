//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
@testable import CleverAgentsRuntime
import Foundation
import Testing

/// The `GetTask` fast path reads only plain requests, and reads them as the full decoder does.
@Suite(.timeLimit(.minutes(2))) struct PlainGetTaskTests {
    /// What the full decoder makes of `body`.
    static func full(_ body: String) -> (JSONRPCID, A2AMethodCall)? {
        try? JSONRPCDispatcher.decode(Data(body.utf8), as: A2AMethodCall.self) { $0 }
    }

    static let readByTheFastPath = [
        #"{"jsonrpc":"2.0","id":1,"method":"GetTask","params":{"id":"t1"}}"#,
        #"{"method":"GetTask","params":{"id":"t\"1é"},"id":"req-7","jsonrpc":"2.0"}"#,
        #" { "jsonrpc" : "2.0" , "id" : 1.0 , "method" : "GetTask" , "params" : { "id" : "t" , "tenant" : "acme" , "historyLength" : 3 } } "#,
        #"{"jsonrpc":"2.0","id":-5,"method":"GetTask","params":{"id":"t","historyLength":0},"extra":true}"#,
        #"{"jsonrpc":"2.0","id":1e2,"method":"GetTask","params":{"id":"t","historyLength":-1}}"#,
    ]

    static let leftToTheFullDecoder = [
        #"{"jsonrpc":"2.0","id":null,"method":"GetTask","params":{"id":"t"}}"#,
        #"{"jsonrpc":"2.0","method":"GetTask","params":{"id":"t"}}"#,
        #"{"jsonrpc":"2.0","id":1.5,"method":"GetTask","params":{"id":"t"}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"GetTask","params":{"id":"t","history_length":2}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"GetTask","params":{"id":"t","historyLength":2.5}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"GetTask","params":{"id":"t","tenant":null}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"GetTask","params":{"id":"t","unknown":1}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"GetTask","params":{"id":7}}"#,
        #"{"jsonrpc":"1.0","id":1,"method":"GetTask","params":{"id":"t"}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"ListTasks","params":{}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"GetTask"}"#,
        #"{"jsonrpc":"2.0","id":9007199254740993,"method":"GetTask","params":{"id":"t"}}"#,
        #"[1]"#, #"not json"#,
    ]

    @Test(arguments: readByTheFastPath)
    func plainRequestsAreReadAsTheFullDecoderReadsThem(body: String) throws {
        let fast = try #require((try? JSONValue(parsing: body)).flatMap(JSONRPCDispatcher.plainGetTask))
        let full = try #require(Self.full(body))
        #expect(fast.0 == full.0)
        #expect(fast.1 == full.1)
    }

    @Test(arguments: leftToTheFullDecoder)
    func otherRequestsAreLeftToTheFullDecoder(body: String) {
        #expect((try? JSONValue(parsing: body)).flatMap(JSONRPCDispatcher.plainGetTask) == nil)
    }

    @Test func theEndpointAnswersBothPathsAlike() {
        for body in Self.readByTheFastPath {
            guard case .success(let request) = JSONRPCDispatcher.decode(Data(body.utf8), askedFor: .none), case .a2a(let call) = request.call else {
                Issue.record("not decoded: \(body)")
                continue
            }
            #expect(request.family == .a2a)
            #expect(Self.full(body).map { $0.0 == request.id && $0.1 == call } == true)
        }
    }
}
