//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import AsyncHTTPClient
import CleverAgentsTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

@testable import CleverAgentsLangGraph

/// The LangGraph HTTP API as the executor relies on it, byte for byte where it matters: the same
/// checks against the real server and the emulator, so that the emulator cannot drift.
@Suite(.timeLimit(.minutes(2))) struct LangGraphWireContractTests {
    struct Answer {
        var status: Int
        var headers: HTTPHeaders
        var body: String

        var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(body.utf8)) }
    }

    static func call(_ harness: ContractHarness, _ method: HTTPMethod, _ path: String, body: String? = nil, headers: [String: String] = [:]) async throws -> Answer {
        var request = HTTPClientRequest(url: harness.directURL + path)
        request.method = method
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await harness.http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return Answer(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }

    static func runBody(_ graph: String, text: String = "hi", extra: String = "", modes: String = #"["values","updates"]"#) -> String {
        #"{"assistant_id":"\#(graph)","input":{"messages":[{"type":"human","content":"\#(text)","id":"m-1"}]\#(extra)},"stream_mode":\#(modes),"stream_resumable":true,"if_not_exists":"create"}"#
    }

    static func events(_ body: String) -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        return parser.consume(Array(body.utf8)) + parser.finish()
    }

    @Test(arguments: ContractServer.available)
    func streamedRunIsFramedAsLangGraphFramesIt(server: ContractServer) async throws {
        try await ContractHarness.with(server) { harness in
            let answer = try await Self.call(harness, .POST, "/threads/\(harness.threadID)/runs/stream", body: Self.runBody("echo"))
            #expect(answer.status == 200)
            #expect(answer.headers.first(name: "content-type")?.hasPrefix("text/event-stream") == true)
            let location = try #require(answer.headers.first(name: "content-location"))
            #expect(location.hasPrefix("/threads/\(harness.threadID)/runs/"))
            #expect(answer.headers.first(name: "location") == location + "/stream")
            let bareLF = try Regex("[^\r]\n")
            #expect(answer.body.contains("\r\n\r\n") && !answer.body.contains(bareLF), "CRLF line endings")
            let events = Self.events(answer.body)
            #expect(events.map(\.event) == ["metadata", "values", "updates", "values"])
            #expect(events.allSatisfy { $0.id != nil }, "a resumable run has an id on every event")
            #expect(events.first.flatMap { LangGraphRunMapper.decode($0.data) }?["run_id"]?.stringValue == LangGraphClient.runID(fromLocation: location))
            let runID = try #require(LangGraphClient.runID(fromLocation: location))
            let run = try await Self.call(harness, .GET, "/threads/\(harness.threadID)/runs/\(runID)")
            #expect(run.json?["status"] == "success")
            #expect(run.json?["run_id"] == .string(runID))
        }
    }

    @Test(arguments: ContractServer.available)
    func joinReplaysAfterTheLastEventIDAndNothingWithoutIt(server: ContractServer) async throws {
        try await ContractHarness.with(server) { harness in
            let first = try await Self.call(harness, .POST, "/threads/\(harness.threadID)/runs/stream", body: Self.runBody("steps"))
            let events = Self.events(first.body)
            let runID = try #require(LangGraphClient.runID(fromLocation: first.headers.first(name: "content-location")))
            let path = "/threads/\(harness.threadID)/runs/\(runID)/stream"
            let all = try await Self.call(harness, .GET, path, headers: ["last-event-id": "0-0"])
            #expect(Self.events(all.body) == events, "a replay from the start repeats the stream")
            let lastID = try #require(events.last?.id)
            let after = try await Self.call(harness, .GET, path, headers: ["last-event-id": lastID])
            #expect(Self.events(after.body).isEmpty)
            let none = try await Self.call(harness, .GET, path)
            #expect(none.status == 200)
            #expect(Self.events(none.body).isEmpty, "without Last-Event-ID a finished run replays nothing")
        }
    }

    @Test(arguments: ContractServer.available)
    func waitAnswersTheFinalValuesWithTheInterrupts(server: ContractServer) async throws {
        try await ContractHarness.with(server) { harness in
            let answer = try await Self.call(harness, .POST, "/threads/\(harness.threadID)/runs/wait", body: Self.runBody("ask_two", text: "ship"))
            #expect(answer.status == 200)
            let location = try #require(answer.headers.first(name: "content-location"))
            #expect(answer.headers.first(name: "location") == location + "/join")
            let interrupts = try #require(answer.json?["__interrupt__"]?.arrayValue)
            let keys: Set<String> = Set(interrupts.compactMap { $0["value"]?["key"]?.stringValue })
            #expect(keys == ["first", "second"])
            #expect(interrupts.allSatisfy { ($0["id"]?.stringValue?.count ?? 0) == 32 })

            let thread = try await Self.call(harness, .GET, "/threads/\(harness.threadID)")
            #expect(thread.json?["status"] == "interrupted")
            let byTask = try #require(thread.json?["interrupts"]?.objectValue)
            #expect(byTask.count == 2)
            let threadIDs: Set<String> = Set(byTask.values.flatMap { $0.arrayValue ?? [] }.compactMap { $0["id"]?.stringValue })
            let streamIDs: Set<String> = Set(interrupts.compactMap { $0["id"]?.stringValue })
            #expect(threadIDs == streamIDs)
            let state = try await Self.call(harness, .GET, "/threads/\(harness.threadID)/state")
            let next: Set<String> = Set(state.json?["next"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            #expect(next == ["ask_first", "ask_second"])
            #expect(state.json?["interrupts"]?.arrayValue?.count == 2)

            // A plain answer to two questions is an error of the run, not of the request.
            let plain = try await Self.call(harness, .POST, "/threads/\(harness.threadID)/runs/wait", body: #"{"assistant_id":"ask_two","command":{"resume":"yes"}}"#)
            #expect(plain.status == 200)
            #expect(plain.json?["__error__"]?["error"] == "RuntimeError")
            #expect(plain.json?["__error__"]?["message"]?.stringValue?.hasPrefix("When there are multiple pending interrupts, you must specify the interrupt id") == true)
        }
    }

    @Test(arguments: ContractServer.available)
    func resumeOfAThreadThatWaitsForNothingSucceedsSilently(server: ContractServer) async throws {
        try await ContractHarness.with(server) { harness in
            _ = try await Self.call(harness, .POST, "/threads/\(harness.threadID)/runs/wait", body: Self.runBody("echo", text: "done"))
            let resumed = try await Self.call(harness, .POST, "/threads/\(harness.threadID)/runs/wait", body: #"{"assistant_id":"echo","command":{"resume":"yes"}}"#)
            #expect(resumed.status == 200, "LangGraph does not refuse it: the executor must")
            #expect(resumed.json?["messages"]?.arrayValue?.count == 2)
            #expect(resumed.json?["__error__"] == nil)
        }
    }

    @Test(arguments: ContractServer.available)
    func errorsHaveAStatusAndADetail(server: ContractServer) async throws {
        try await ContractHarness.with(server) { harness in
            let thread = harness.threadID
            let unknownThread = try await Self.call(harness, .POST, "/threads/\(thread)/runs/stream", body: #"{"assistant_id":"echo","input":{}}"#)
            #expect(unknownThread.status == 404)
            #expect(unknownThread.json?["detail"] == "Thread or assistant not found.")

            let unknownAssistant = try await Self.call(harness, .POST, "/threads/\(thread)/runs/stream", body: #"{"assistant_id":"nope","input":{},"if_not_exists":"create"}"#)
            #expect(unknownAssistant.status == 422)
            #expect(unknownAssistant.json?["detail"]?.stringValue?.hasPrefix("Invalid assistant: 'nope'") == true)

            let badMode = try await Self.call(harness, .POST, "/threads/\(thread)/runs/stream", body: #"{"assistant_id":"echo","input":{},"stream_mode":["bogus"]}"#)
            #expect(badMode.status == 422)

            let badThreadID = try await Self.call(harness, .GET, "/threads/not-a-uuid")
            #expect(badThreadID.status == 422)
            #expect(badThreadID.json?["detail"] == "Invalid thread ID: must be a UUID")

            let missing = try await Self.call(harness, .GET, "/threads/\(thread)")
            #expect(missing.status == 404)
            #expect(missing.json?["detail"] == .string("Thread with ID \(thread) not found"))

            let created = try await Self.call(harness, .POST, "/threads", body: #"{"thread_id":"\#(thread)"}"#)
            #expect(created.status == 200)
            #expect(created.json?["status"] == "idle")
            let again = try await Self.call(harness, .POST, "/threads", body: #"{"thread_id":"\#(thread)"}"#)
            #expect(again.status == 409)
            #expect(again.json?["detail"] == .string("Thread with ID \(thread) already exists"))

            let run = UUID().uuidString.lowercased()
            let unknownRun = try await Self.call(harness, .GET, "/threads/\(thread)/runs/\(run)")
            #expect(unknownRun.status == 404)
            let cancelUnknown = try await Self.call(harness, .POST, "/threads/\(thread)/runs/\(run)/cancel?action=interrupt")
            #expect(cancelUnknown.status == 404)
            let joinUnknown = try await Self.call(harness, .GET, "/threads/\(thread)/runs/\(run)/stream")
            #expect(joinUnknown.status == 200, "the join stream opens, then reports the missing run")
            #expect(Self.events(joinUnknown.body).map(\.event) == ["error"])
        }
    }

    @Test(arguments: ContractServer.available)
    func runsOfAThreadAreListedNewestFirstWithTheirMetadata(server: ContractServer) async throws {
        try await ContractHarness.with(server) { harness in
            for index in 1...2 {
                let body = #"{"assistant_id":"echo","input":{"messages":[{"type":"human","content":"n"}]},"metadata":{"a2a_task_id":"task-\#(index)"},"if_not_exists":"create"}"#
                _ = try await Self.call(harness, .POST, "/threads/\(harness.threadID)/runs/wait", body: body)
            }
            let list = try await Self.call(harness, .GET, "/threads/\(harness.threadID)/runs?limit=20&select=run_id&select=metadata&select=status")
            let runs = try #require(list.json?.arrayValue)
            #expect(runs.map { $0["metadata"]?["a2a_task_id"] } == ["task-2", "task-1"])
            #expect(runs.allSatisfy { $0["status"] == "success" && $0["run_id"]?.stringValue != nil })
            #expect(runs.allSatisfy { $0["kwargs"] == nil }, "select leaves the other fields out")
        }
    }
}
