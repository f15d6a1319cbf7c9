//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

@testable import LangGraphEmulator

/// What only the emulator does: fault injection, the request log, `x-api-key`, latency, and the
/// run bookkeeping of a long load test. (Its LangGraph behaviour is proved by the contract suite
/// in CleverAgentsLangGraphTests, against the real server too.)
@Suite(.timeLimit(.minutes(2))) struct LangGraphEmulatorTests {
    struct Answer {
        var status: Int
        var headers: HTTPHeaders
        var body: String
        var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(body.utf8)) }
        var events: [ServerSentEvent] {
            var parser = ServerSentEventParser()
            return parser.consume(Array(body.utf8)) + parser.finish()
        }
    }

    /// Runs `body` with an emulator and a client, stopping both however it ends.
    static func withEmulator(_ configuration: EmulatorConfiguration = .init(), _ body: (RunningEmulator, HTTPClient) async throws -> Void) async throws {
        let emulator = try await LangGraphEmulator.start(configuration: configuration)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await body(emulator, http)
        } catch {
            try? await http.shutdown()
            try? await emulator.stop()
            throw error
        }
        try await http.shutdown()
        try await emulator.stop()
    }

    static func call(_ http: HTTPClient, _ url: String, _ method: HTTPMethod = .GET, body: String? = nil, headers: [String: String] = [:]) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return Answer(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }

    static func newThread() -> String { UUID().uuidString.lowercased() }

    static func run(_ graph: String, text: String = "hi", extra: String = "", modes: String = #"["values","updates","custom"]"#, strategy: String? = nil) -> String {
        let strategyField = strategy.map { #","multitask_strategy":"\#($0)""# } ?? ""
        return #"{"assistant_id":"\#(graph)","input":{"messages":[{"type":"human","content":"\#(text)"}]\#(extra)},"stream_mode":\#(modes),"stream_resumable":true,"if_not_exists":"create"\#(strategyField)}"#
    }

    @Test func injectedStatusesAnswerTheMatchingRequestsThenServingResumes() async throws {
        try await Self.withEmulator { emulator, http in
            let fault = try await Self.call(http, "\(emulator.url)/_emulator/faults", .POST, body: #"{"status":503,"retryAfterSeconds":2,"count":2,"path":"/runs/wait","method":"post"}"#)
            #expect(fault.json?["faults"] == 1)
            let thread = Self.newThread()
            let url = "\(emulator.url)/threads/\(thread)/runs/wait"
            for _ in 0..<2 {
                let busy = try await Self.call(http, url, .POST, body: Self.run("echo"))
                #expect(busy.status == 503)
                #expect(busy.headers.first(name: "retry-after") == "2")
                #expect(busy.json?["detail"] == "injected fault")
            }
            let served = try await Self.call(http, url, .POST, body: Self.run("echo"))
            #expect(served.status == 200)
            #expect(served.json?["messages"]?.arrayValue?.last?["content"] == "echo: hi")
            // Other paths were never affected.
            #expect(try await Self.call(http, "\(emulator.url)/ok").status == 200)
        }
    }

    @Test func anInjectedDropBreaksTheStreamAndTheJoinReplaysTheRest() async throws {
        try await Self.withEmulator { emulator, http in
            emulator.emulator.inject(EmulatorFault(dropStreamAfterEvents: 2))
            let thread = Self.newThread()
            var request = HTTPClientRequest(url: "\(emulator.url)/threads/\(thread)/runs/stream")
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: Self.run("steps")))
            let response = try await http.execute(request, timeout: .seconds(30))
            var received = ""
            await #expect(throws: (any Error).self) {
                for try await buffer in response.body { received += String(buffer: buffer) }
            }
            var parser = ServerSentEventParser()
            let before = parser.consume(Array(received.utf8))
            #expect(before.map(\.event) == ["metadata", "values"])
            let runID = try #require(response.headers.first(name: "content-location")?.split(separator: "/").last.map(String.init))
            let rest = try await Self.call(http, "\(emulator.url)/threads/\(thread)/runs/\(runID)/stream", headers: ["last-event-id": try #require(before.last?.id)])
            #expect(rest.events.first?.event == "custom")
            #expect(rest.events.last?.event == "values")
            #expect(rest.events.count == 9)
        }
    }

    @Test func theRequestLogKeepsHowClientsCalledButNoKey() async throws {
        try await Self.withEmulator(EmulatorConfiguration(requestLogSize: 2)) { emulator, http in
            let parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
            _ = try await Self.call(http, "\(emulator.url)/ok")
            _ = try await Self.call(http, "\(emulator.url)/threads/\(Self.newThread())/runs/wait", .POST, body: Self.run("echo"), headers: ["traceparent": parent, "x-api-key": "secret"])
            _ = try await Self.call(http, "\(emulator.url)/info")
            let log = emulator.emulator.requests
            #expect(log.map(\.path) == ["/threads/\(log.first?.path.split(separator: "/")[1] ?? "")/runs/wait", "/info"])
            #expect(log.first?.headers["traceparent"] == parent)
            #expect(log.first?.headers["x-api-key"] == "present")
            let listed = try await Self.call(http, "\(emulator.url)/_emulator/requests")
            #expect(listed.json?.arrayValue?.count == 2, "the log does not record its own administration")
            _ = try await Self.call(http, "\(emulator.url)/_emulator/requests", .DELETE)
            #expect(emulator.emulator.requests.isEmpty)
        }
    }

    @Test func anAPIKeyProtectsEverythingButHealth() async throws {
        try await Self.withEmulator(EmulatorConfiguration(apiKey: "key-1")) { emulator, http in
            let url = "\(emulator.url)/threads/\(Self.newThread())/runs/wait"
            let refused = try await Self.call(http, url, .POST, body: Self.run("echo"))
            #expect(refused.status == 401)
            #expect(refused.json?["detail"] == "invalid api key")
            #expect(try await Self.call(http, url, .POST, body: Self.run("echo"), headers: ["x-api-key": "wrong"]).status == 401)
            #expect(try await Self.call(http, url, .POST, body: Self.run("echo"), headers: ["x-api-key": "key-1"]).status == 200)
            #expect(try await Self.call(http, "\(emulator.url)/ok").status == 200)
            #expect(try await Self.call(http, "\(emulator.url)/info").status == 200)
        }
    }

    @Test func runsOfOneThreadQueueUnlessTheyRejectOrInterrupt() async throws {
        try await Self.withEmulator { emulator, http in
            let thread = Self.newThread()
            let base = "\(emulator.url)/threads/\(thread)/runs"
            let slow = try await Self.call(http, base, .POST, body: Self.run("slow", extra: #","seconds":30"#))
            #expect(slow.json?["status"] == "pending" || slow.json?["status"] == "running")
            let slowID = try #require(slow.json?["run_id"]?.stringValue)
            let rejected = try await Self.call(http, base, .POST, body: Self.run("echo", strategy: "reject"))
            #expect(rejected.status == 409)
            let queued = try await Self.call(http, base, .POST, body: Self.run("echo"))
            #expect(queued.json?["status"] == "pending")
            let interrupting = try await Self.call(http, "\(base)/wait", .POST, body: Self.run("echo", text: "now", strategy: "interrupt"))
            #expect(interrupting.json?["messages"]?.arrayValue?.last?["content"] == "echo: now")
            #expect(try await Self.call(http, "\(base)/\(slowID)").json?["status"] == "interrupted")
            let queuedID = try #require(queued.json?["run_id"]?.stringValue)
            let joined = try await Self.call(http, "\(base)/\(queuedID)/join")
            #expect(joined.status == 200)
            #expect(try await Self.call(http, "\(base)/\(queuedID)").json?["status"] == "interrupted", "the interrupting run canceled the queued one too")
        }
    }

    @Test func cancelWithWaitReturnsOnceTheRunStopped() async throws {
        try await Self.withEmulator { emulator, http in
            let base = "\(emulator.url)/threads/\(Self.newThread())/runs"
            let slow = try await Self.call(http, base, .POST, body: Self.run("slow", extra: #","seconds":30"#))
            let runID = try #require(slow.json?["run_id"]?.stringValue)
            let canceled = try await Self.call(http, "\(base)/\(runID)/cancel?wait=1&action=interrupt", .POST)
            #expect(canceled.status == 200)
            #expect(try await Self.call(http, "\(base)/\(runID)").json?["status"] == "interrupted")
        }
    }

    @Test func idleStreamsGetHeartbeats() async throws {
        try await Self.withEmulator(EmulatorConfiguration(heartbeatInterval: .milliseconds(50))) { emulator, http in
            var request = HTTPClientRequest(url: "\(emulator.url)/threads/\(Self.newThread())/runs/stream")
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            // A run of 30 s: a heartbeat every 50 ms while its stream is idle between progress
            // events. Reads until the first one, however late a busy machine schedules it.
            request.body = .bytes(ByteBuffer(string: Self.run("slow", extra: #","seconds":30"#, modes: #"["values"]"#)))
            let response = try await http.execute(request, timeout: .seconds(60))
            var received = ""
            for try await buffer in response.body {
                received += String(buffer: buffer)
                if received.contains(": heartbeat\r\n\r\n") { break }
            }
            #expect(received.contains(": heartbeat\r\n\r\n"))
            #expect(received.hasPrefix("event: metadata"), "heartbeats come between the run's events")
        }
    }

    @Test func latencyDelaysEachNode() async throws {
        try await Self.withEmulator(EmulatorConfiguration(stepLatency: .milliseconds(300))) { emulator, http in
            let clock = ContinuousClock()
            let start = clock.now
            let answer = try await Self.call(http, "\(emulator.url)/threads/\(Self.newThread())/runs/stream", .POST, body: Self.run("echo"))
            #expect(clock.now - start >= .milliseconds(300), "the echo graph's one node waited its latency")
            #expect(answer.events.map(\.event) == ["metadata", "values", "updates", "values"])
        }
    }

    @Test func inMemoryStyleIDsRepeatWithinAMillisecond() async throws {
        try await Self.withEmulator(EmulatorConfiguration(eventIDStyle: .inMemory)) { emulator, http in
            let answer = try await Self.call(http, "\(emulator.url)/threads/\(Self.newThread())/runs/stream", .POST, body: Self.run("tokens", modes: #"["messages-tuple"]"#))
            let ids = answer.events.compactMap(\.id)
            #expect(ids.allSatisfy { $0.hasSuffix("-0") })
            #expect(Set(ids).count < ids.count)
        }
    }

    @Test func oldRunsAndThreadsAreForgottenBeyondTheLimits() async throws {
        try await Self.withEmulator(EmulatorConfiguration(maximumRetainedRuns: 2, maximumThreads: 2)) { emulator, http in
            var threads: [String] = []
            for _ in 0..<3 {
                let thread = Self.newThread()
                threads.append(thread)
                _ = try await Self.call(http, "\(emulator.url)/threads/\(thread)/runs/wait", .POST, body: Self.run("echo"))
            }
            let stats = try await Self.call(http, "\(emulator.url)/_emulator/stats")
            #expect(stats.json?["runsFinished"] == 3)
            #expect(stats.json?["runs"] == 2)
            #expect(stats.json?["threads"] == 2)
            #expect(try await Self.call(http, "\(emulator.url)/threads/\(threads[0])").status == 404)
            #expect(try await Self.call(http, "\(emulator.url)/threads/\(threads[2])").status == 200)
            _ = try await Self.call(http, "\(emulator.url)/_emulator/reset", .POST)
            #expect(try await Self.call(http, "\(emulator.url)/_emulator/stats").json?["threads"] == 0)
        }
    }

    @Test func defaultAssistantIDsAreTheGraphsUUIDs() async throws {
        // LangGraph's default assistant of graph `echo`.
        #expect(Identifiers.uuid5(namespace: Identifiers.assistantNamespace, name: "echo") == "046b5dc7-2108-582c-9c6c-31d556d138f0")
        try await Self.withEmulator { emulator, http in
            let answer = try await Self.call(
                http,
                "\(emulator.url)/threads/\(Self.newThread())/runs/wait",
                .POST,
                body: #"{"assistant_id":"046b5dc7-2108-582c-9c6c-31d556d138f0","input":{"messages":[{"role":"user","content":"by id"}]},"if_not_exists":"create"}"#
            )
            #expect(answer.json?["messages"]?.arrayValue?.last?["content"] == "echo: by id")
            #expect(answer.json?["messages"]?.arrayValue?.first?["type"] == "human")
        }
    }

    @Test func jsonIsWrittenCompactOrAsPythonWouldDumpIt() {
        let value: JSONValue = ["b": [1, 2.5, "x\n\"é"], "a": true, "c": .null]
        #expect(JSONWriter.string(value) == #"{"a":true,"b":[1,2.5,"x\n\"é"],"c":null}"#)
        #expect(JSONWriter.python(value) == #"{"a": true, "b": [1, 2.5, "x\n\"\u00e9"], "c": null}"#)
        #expect(JSONWriter.string(["s": "\u{1F600}\u{01}"]) == "{\"s\":\"\u{1F600}\\u0001\"}")
        #expect(JSONWriter.python("\u{1F600}") == #""\ud83d\ude00""#)
    }
}
