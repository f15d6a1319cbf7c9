//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
@_spi(Benchmarks) import CleverAgentsHTTP
import CleverAgentsRuntime
import Foundation
import HTTPTypes
import HummingbirdCore
import NIOCore
import Synchronization
import Testing

/// The benchmarks' view of the endpoint's codec answers as the endpoint does.
@Suite(.timeLimit(.minutes(2))) struct HTTPCodecPathTests {
    @Test func aRequestIsDecodedIntoItsTypedCall() {
        let body = ByteBuffer(string: #"{"jsonrpc":"2.0","id":1,"method":"GetTask","params":{"id":"t1","historyLength":2}}"#)
        #expect(HTTPCodecPath.decodeCall(body) == .getTask(GetTaskRequest(id: "t1", historyLength: 2)))
    }

    @Test func whatTheEndpointRefusesDecodesToNothing() {
        #expect(HTTPCodecPath.decodeCall(ByteBuffer(string: "{not json")) == nil)
        #expect(HTTPCodecPath.decodeCall(ByteBuffer(string: #"{"jsonrpc":"2.0","id":1,"method":"Nope","params":{}}"#)) == nil)
        let deep = #"{"jsonrpc":"2.0","id":1,"method":"GetTask","params":{"id":"t1","x":"# + String(repeating: "[", count: 40) + String(repeating: "]", count: 40) + "}}"
        #expect(HTTPCodecPath.decodeCall(ByteBuffer(string: deep), maximumJSONDepth: 8) == nil)
    }

    @Test func anAnswerIsAJSONRPCResult() async throws {
        let task = A2ATask(id: "t1", contextId: "c1", status: TaskStatus(state: .completed))
        let response = try HTTPCodecPath.encode(.task(task), id: .number(7))
        #expect(response.status == .ok)
        let collected = BodyCollector()
        try await response.body.write(collected)
        let body = collected.bytes.withLock { $0 }
        let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        #expect(object?["id"] as? Int == 7)
        #expect((object?["result"] as? [String: Any])?["id"] as? String == "t1")
    }

    /// Keeps what a response body writes.
    final class BodyCollector: ResponseBodyWriter, Sendable {
        let bytes = Mutex(ByteBuffer())

        func write(_ buffer: ByteBuffer) async throws {
            bytes.withLock { _ = $0.writeImmutableBuffer(buffer) }
        }

        func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }

    @Test func aStreamEventIsOneDataLine() throws {
        let event = StreamResponse.statusUpdate(TaskStatusUpdateEvent(taskId: "t1", contextId: "c1", status: TaskStatus(state: .working)))
        let framed = try HTTPCodecPath.frame(event, id: .number(3))
        let text = String(buffer: framed)
        #expect(text.hasPrefix("data: {"))
        #expect(text.hasSuffix("\n\n"))
        #expect(text.contains(#""statusUpdate""#))
    }
}
