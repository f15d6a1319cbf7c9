//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
@testable import CleverAgentsHTTP
import CleverAgentsRuntime
import CleverAgentsTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization
import Testing

/// The answers of the HTTP front end for failures no request can provoke on demand (`docs/errors.md`):
/// a replica shutting down, a store conflict, a server fault, a stream that fails after it
/// started; and the client address the per-client rate limit counts.
@Suite(.timeLimit(.minutes(2))) struct HTTPErrorAnswerTests {
    /// What a response's body writes, as text.
    static func body(of response: Response) async throws -> String {
        let collected = HTTPCodecPathTests.BodyCollector()
        try await response.body.write(collected)
        return String(buffer: collected.bytes.withLock { $0 })
    }

    static func json(of response: Response) async throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(try await body(of: response).utf8))
    }

    static let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    /// What the namespace endpoint answers for `error`, logging what it logs.
    static func answer(_ error: any Error, id: JSONRPCID, logger: Logger) -> Response {
        let failure = JSONRPCFailure(error)
        failure.log(to: logger)
        return JSONRPCEndpoint.failureResponse(failure, for: error, codec: .v1_0, id: id)
    }

    @Test func aReplicaShuttingDownAnswers503WithRetryAfter() async throws {
        let response = Self.answer(ServiceError.shuttingDown, id: .number(4), logger: Self.quiet)
        #expect(response.status == .serviceUnavailable)
        #expect(response.headers[.retryAfter] == "1")
        #expect(response.headers[.contentType] == "application/json")
        let json = try await Self.json(of: response)
        #expect(json["id"] == 4)
        #expect(json.at("error.code") == -32054)
        #expect(json.at("error.message") == "Service unavailable: the server is shutting down; retry on another replica")
        #expect(json.at("error.data.0.reason") == "SERVICE_UNAVAILABLE")
        #expect(json.at("error.data.0.domain") == "cleveragents.dev")
    }

    @Test func aDuplicateTheStoreRefusesIsAConflict() async throws {
        let response = Self.answer(StoreError.alreadyExists, id: .string("dup"), logger: Self.quiet)
        #expect(response.status == .conflict)
        #expect(response.headers[.retryAfter] == nil)
        let json = try await Self.json(of: response)
        #expect(json["id"] == "dup")
        #expect(json.at("error.code") == -32056)
        #expect(json.at("error.message") == "It already exists")
    }

    struct Fault: Error, CustomStringConvertible {
        var description: String { "disk controller on fire at /var/lib/secret" }
    }

    @Test func aServerFaultIsAnInternalErrorThatIsLoggedAndNotShown() async throws {
        let records = RecordedLogLines()
        let logger = Logger(label: "test") { _ in RecordingLogHandler(records: records) }
        let response = Self.answer(Fault(), id: .number(1), logger: logger)
        #expect(response.status == .internalServerError)
        let text = try await Self.body(of: response)
        let json = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(json.at("error.code") == -32603)
        #expect(json.at("error.message") == "Internal error")
        #expect(!text.contains("fire"), "the fault's text stays in the log: \(text)")
        #expect(records.lines == ["error: Request failed error=disk controller on fire at /var/lib/secret"])
        // The metrics count it under the same code.
        #expect(JSONRPCFailure(Fault()).error.code == -32603)
    }

    @Test func the03CodecHasNoTaskListing() throws {
        let page = ListTasksResponse(tasks: [], nextPageToken: "", pageSize: 0, totalSize: 0)
        let error = #expect(throws: JSONRPCError.self) {
            _ = try WireCodec.v0_3.encode(.taskList(page), id: .number(1), untilInterrupted: false, logger: Self.quiet)
        }
        #expect(error?.code == -32601)
        #expect(error?.message == "Method not found: tasks/list")
    }

    // MARK: Streams that fail after they started

    static let working = StreamResponse.statusUpdate(TaskStatusUpdateEvent(taskId: "t1", contextId: "c1", status: TaskStatus(state: .working)))

    /// A stream of ``working`` that then fails with `error`.
    static func failing(_ error: any Error) -> AsyncThrowingStream<StreamResponse, any Error> {
        AsyncThrowingStream { continuation in
            continuation.yield(working)
            continuation.finish(throwing: error)
        }
    }

    static func events(_ text: String) -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        return parser.consume(Array(text.utf8))
    }

    @Test func aOnePointZeroStreamThatFailsEndsWithAnErrorEvent() async throws {
        let response = try WireCodec.v1_0.encode(
            .stream(Self.failing(StoreError.unavailable("the database went away"))), id: .string("s1"), untilInterrupted: true, logger: Self.quiet
        )
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "text/event-stream")
        let events = Self.events(try await Self.body(of: response))
        try #require(events.count == 2)
        #expect(events[0].event == nil)
        let first = try JSONDecoder().decode(JSONValue.self, from: Data(events[0].data.utf8))
        #expect(first["id"] == "s1")
        #expect(first.at("result.statusUpdate.status.state") == "TASK_STATE_WORKING")
        // The failure is its own event, named `error`, with no id to answer (the request's was
        // used by the events before it).
        #expect(events[1].event == "error")
        let failure = try JSONDecoder().decode(JSONValue.self, from: Data(events[1].data.utf8))
        #expect(failure["jsonrpc"] == "2.0")
        #expect(failure["id"] == .null)
        #expect(failure.at("error.code") == -32054)
        #expect(failure.at("error.message") == "Service unavailable: the database went away")
    }

    @Test func a03StreamThatFailsEndsWithAPlainErrorMessage() async throws {
        let response = try WireCodec.v0_3.encode(.stream(Self.failing(Fault())), id: .number(9), untilInterrupted: false, logger: Self.quiet)
        let events = Self.events(try await Self.body(of: response))
        try #require(events.count == 2)
        let first = try JSONDecoder().decode(JSONValue.self, from: Data(events[0].data.utf8))
        #expect(first.at("result.kind") == "status-update")
        #expect(first.at("result.status.state") == "working")
        // 0.3 clients know no event names: the error is a data line like the others.
        #expect(events[1].event == nil)
        let failure = try JSONDecoder().decode(JSONValue.self, from: Data(events[1].data.utf8))
        #expect(failure["id"] == .null)
        #expect(failure.at("error.code") == -32603)
        #expect(failure.at("error.message") == "Internal error")
    }

    @Test func aStreamWhoseClientLeftEndsWithoutAnError() async throws {
        let response = try WireCodec.v1_0.encode(.stream(Self.failing(CancellationError())), id: .number(1), untilInterrupted: true, logger: Self.quiet)
        let events = Self.events(try await Self.body(of: response))
        #expect(events.count == 1)
        #expect(events.first?.event == nil)
    }

    // MARK: The client of the per-client rate limit

    @Test func anIPv4ClientOfAnIPv6ListenerCountsAsItsIPv4Address() throws {
        let mapped = try SocketAddress(ipAddress: "::ffff:192.0.2.7", port: 50_000)
        #expect(ClientRateLimitMiddleware.clientKey(remote: mapped, forwardedFor: nil) == "192.0.2.7")
        let plain = try SocketAddress(ipAddress: "192.0.2.7", port: 50_001)
        #expect(ClientRateLimitMiddleware.clientKey(remote: plain, forwardedFor: nil) == "192.0.2.7", "one bucket for both")
    }

    @Test func aForwardedIPv4MappedAddressCountsAsItsIPv4Address() throws {
        let proxy = try SocketAddress(ipAddress: "10.0.0.1", port: 443)
        #expect(ClientRateLimitMiddleware.clientKey(remote: proxy, forwardedFor: "203.0.113.9, ::ffff:198.51.100.4") == "198.51.100.4")
        // What is not an address is ignored: the connection's address counts.
        #expect(ClientRateLimitMiddleware.clientKey(remote: proxy, forwardedFor: "unknown") == "10.0.0.1")
    }

    @Test func aClientWithoutAnIPAddressIsNotCounted() throws {
        let socket = try SocketAddress(unixDomainSocketPath: "/tmp/cleveragents-test.sock")
        #expect(ClientRateLimitMiddleware.clientKey(remote: socket, forwardedFor: nil) == nil)
        #expect(ClientRateLimitMiddleware.clientKey(remote: nil, forwardedFor: nil) == nil)
    }
}
