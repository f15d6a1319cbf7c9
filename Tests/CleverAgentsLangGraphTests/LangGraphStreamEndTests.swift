//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import AsyncHTTPClient
import CleverAgentsDomain
import CleverAgentsEgress
import CleverAgentsRuntime
import CleverAgentsTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization
import Testing

@testable import CleverAgentsLangGraph

/// `LangGraphExecutor` when a run's stream ends early, against a graph server on a real socket
/// that answers with scripted LangGraph wire bytes: what neither LangGraph nor the emulator does
/// on demand (a stream that names no run, a stream that closes while its run still runs).
@Suite(.timeLimit(.minutes(2))) struct LangGraphStreamEndTests {
    /// What the scripted server was asked, and what it answers for a run's status.
    final class Script: Sendable {
        private let state: Mutex<(requests: [String], statuses: [String])>

        /// `statuses` are the answers to the status requests, in order; the last one repeats.
        init(statuses: [String] = ["running"]) {
            state = Mutex((requests: [], statuses: statuses))
        }

        var requests: [String] { state.withLock { $0.requests } }

        /// Keeps `METHOD path`, with the `Last-Event-ID` a re-join sends.
        func record(_ request: Request) {
            let lastEventID = request.headers[HTTPField.Name("last-event-id")!].map { " last-event-id=\($0)" } ?? ""
            state.withLock { $0.requests.append("\(request.method) \(request.uri.path)\(lastEventID)") }
        }

        func nextStatus() -> String {
            state.withLock { state in
                state.statuses.count > 1 ? state.statuses.removeFirst() : state.statuses[0]
            }
        }
    }

    struct StreamBroken: Error {}

    static func eventStream(_ text: String, headers: HTTPFields = [:], thenBreak: Bool = false) -> Response {
        var fields: HTTPFields = [.contentType: "text/event-stream; charset=utf-8"]
        fields.append(contentsOf: headers)
        return Response(
            status: .ok,
            headers: fields,
            body: ResponseBody { writer in
                if !text.isEmpty { try await writer.write(ByteBuffer(string: text)) }
                // Throwing from the body drops the connection before the stream's end.
                if thenBreak { throw StreamBroken() }
                try await writer.finish(nil)
            }
        )
    }

    static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static let metadata = "event: metadata\r\ndata: {\"run_id\":\"run-1\",\"attempt\":1}\r\nid: 1700000000000-0\r\n\r\n"

    /// The routes of run `run-1`, whose stream closes after its `metadata` event while the run
    /// goes on: its status is the script's; a re-join replays the run's events (the `metadata`
    /// event, then `replay`) and closes; the thread's state holds `{"answer": 42}`.
    static func closingRun(_ script: Script, replay: String) -> @Sendable (Router<BasicRequestContext>) -> Void {
        { router in
            router.post("/threads/:thread/runs/stream") { request, context in
                script.record(request)
                let thread = context.parameters.get("thread") ?? ""
                return Self.eventStream(Self.metadata, headers: [.contentLocation: "/threads/\(thread)/runs/run-1"])
            }
            router.get("/threads/:thread/runs/:run") { request, _ in
                script.record(request)
                return Self.json(#"{"run_id":"run-1","status":"\#(script.nextStatus())"}"#)
            }
            router.get("/threads/:thread/runs/:run/stream") { request, _ in
                script.record(request)
                return Self.eventStream(Self.metadata + replay)
            }
            router.get("/threads/:thread/state") { request, _ in
                script.record(request)
                return Self.json(#"{"values":{"answer":42},"next":[],"interrupts":[]}"#)
            }
        }
    }

    /// Runs `body` with an executor on a scripted graph server, then stops both.
    static func withServer(
        _ configuration: LangGraphConfiguration = LangGraphExecutorTests.fastRetries,
        routes: (Router<BasicRequestContext>) -> Void,
        _ body: (LangGraphExecutor, GraphRunRequest) async throws -> Void
    ) async throws {
        let server = try await TestHTTPServer.start(routes: routes)
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        let http = EgressHTTPClient(policy: .defaults(production: false), resolver: SystemHostResolver(), configuration: clientConfiguration)
        var logger = Logger(label: "LangGraphStreamEndTests")
        logger.logLevel = .critical
        let executor = LangGraphExecutor(http: http, ids: SequentialIDs(), configuration: configuration, logger: logger)
        let request = LangGraphExecutorTests.request(graphURL: "http://127.0.0.1:\(server.port)")
        do {
            try await body(executor, request)
        } catch {
            try? await http.shutdown()
            try? await server.stop()
            throw error
        }
        try await http.shutdown()
        try await server.stop()
    }

    static func collect(_ executor: LangGraphExecutor, _ request: GraphRunRequest) async throws -> [ExecutionEvent] {
        var events: [ExecutionEvent] = []
        for try await event in executor.execute(request) { events.append(event) }
        return events
    }

    @Test func aStreamThatClosesWithoutNamingItsRunEndsOnWhatItCarried() async throws {
        let script = Script()
        try await Self.withServer(routes: { router in
            router.post("/threads/:thread/runs/stream") { request, _ in
                script.record(request)
                // No Content-Location and no `metadata` event: the run has no id to ask about.
                return Self.eventStream("event: values\r\ndata: {\"answer\":42}\r\n\r\n")
            }
        }) { executor, request in
            let events = try await Self.collect(executor, request)
            #expect(events == [stateArtifact("id-1", ["answer": 42]), completedStatus])
            #expect(script.requests == ["POST /threads/\(request.threadID)/runs/stream"], "nothing else could be asked")
        }
    }

    @Test func aStreamThatBreaksBeforeNamingItsRunFailsTheStartWithoutARetry() async throws {
        let script = Script()
        try await Self.withServer(routes: { router in
            router.post("/threads/:thread/runs/stream") { request, _ in
                script.record(request)
                return Self.eventStream("event: values\r\ndata: {\"answer\":1}\r\n\r\n", thenBreak: true)
            }
        }) { executor, request in
            let error = await #expect(throws: GraphExecutionError.self) {
                _ = try await Self.collect(executor, request)
            }
            #expect(error?.message == "The graph server could not run the task")
            #expect(error?.detail?.contains("(start run): ") == true, "\(String(describing: error))")
            // Started again, the run could run twice: it has no id to look for or to join.
            #expect(script.requests.count == 1, "\(script.requests)")
        }
    }

    @Test func aStreamThatKeepsClosingWhileItsRunRunsFailsAfterTheAllowedRejoins() async throws {
        let script = Script(statuses: ["running"])
        var configuration = LangGraphExecutorTests.fastRetries
        configuration.maximumRejoins = 2
        try await Self.withServer(configuration, routes: Self.closingRun(script, replay: "")) { executor, request in
            var events: [ExecutionEvent] = []
            let error = await #expect(throws: GraphExecutionError.self) {
                for try await event in executor.execute(request) { events.append(event) }
            }
            #expect(error?.detail == "The run stream kept closing while the run was still running")
            #expect(events == [.runStarted(runID: "run-1"), workingStatus])
            let run = "/threads/\(request.threadID)/runs/run-1"
            #expect(
                script.requests == [
                    "POST /threads/\(request.threadID)/runs/stream", "GET \(run)", "GET \(run)/stream last-event-id=0-0", "GET \(run)",
                    "GET \(run)/stream last-event-id=0-0", "GET \(run)",
                ]
            )
        }
    }

    @Test func aStreamThatClosedWhileItsRunRanIsRejoinedUntilTheRunEnds() async throws {
        let script = Script(statuses: ["running", "success"])
        let values = "event: values\r\ndata: {\"answer\":42}\r\nid: 1700000000001-0\r\n\r\n"
        try await Self.withServer(routes: Self.closingRun(script, replay: values)) { executor, request in
            let events = try await Self.collect(executor, request)
            // The replayed `metadata` event is not delivered twice.
            #expect(events == [.runStarted(runID: "run-1"), workingStatus, stateArtifact("id-1", ["answer": 42]), completedStatus])
            // The re-join asks from before the last event it has (the start, `0-0`, after one
            // event), as events of one millisecond may share an id; the repeats are skipped.
            let run = "/threads/\(request.threadID)/runs/run-1"
            #expect(
                script.requests == [
                    "POST /threads/\(request.threadID)/runs/stream", "GET \(run)", "GET \(run)/stream last-event-id=0-0", "GET \(run)",
                    "GET /threads/\(request.threadID)/state",
                ]
            )
        }
    }
}
