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

/// The emulator's answers to bad requests, unknown threads and runs, and the graph and store
/// edge cases, over real HTTP against an emulator in this process.
@Suite(.timeLimit(.minutes(2))) struct EmulatorRouteTests {
    typealias Emulator = LangGraphEmulatorTests

    /// A run request body with `input` (a JSON object) as it is.
    static func run(_ graph: String, input: String, modes: String = #"["values"]"#) -> String {
        #"{"assistant_id":"\#(graph)","input":\#(input),"stream_mode":\#(modes),"stream_resumable":true,"if_not_exists":"create"}"#
    }

    /// A run request that resumes the thread's interrupts with `resume` (JSON).
    static func resume(_ graph: String, _ resume: String) -> String {
        #"{"assistant_id":"\#(graph)","command":{"resume":\#(resume)},"stream_mode":["values","updates"],"if_not_exists":"create"}"#
    }

    static func lastMessage(_ answer: Emulator.Answer) -> JSONValue? {
        answer.json?["messages"]?.arrayValue?.last?["content"]
    }

    // MARK: Threads

    @Test func threadsAreCreatedWithTheirIDAndMetadataOnlyOnce() async throws {
        try await Emulator.withEmulator { emulator, http in
            // Without a body: a new thread with an id of its own.
            let fresh = try await Emulator.call(http, "\(emulator.url)/threads", .POST)
            #expect(fresh.status == 200)
            let freshID = try #require(fresh.json?["thread_id"]?.stringValue)
            #expect(UUID(uuidString: freshID) != nil && freshID == freshID.lowercased())
            #expect(fresh.json?["status"] == "idle")
            #expect(fresh.json?["values"] == [:])

            // An upper-case id is kept lower-cased, with the metadata given.
            let id = UUID().uuidString
            let created = try await Emulator.call(http, "\(emulator.url)/threads", .POST, body: #"{"thread_id":"\#(id)","metadata":{"owner":"h1"}}"#)
            #expect(created.json?["thread_id"] == .string(id.lowercased()))
            #expect(created.json?["metadata"] == ["owner": "h1"])
            #expect(try await Emulator.call(http, "\(emulator.url)/threads/\(id.lowercased())").json?["metadata"] == ["owner": "h1"])

            // Again: a conflict, unless the caller asks for nothing to be done.
            let again = try await Emulator.call(http, "\(emulator.url)/threads", .POST, body: #"{"thread_id":"\#(id)"}"#)
            #expect(again.status == 409)
            #expect(again.json?["detail"] == .string("Thread with ID \(id.lowercased()) already exists"))
            let kept = try await Emulator.call(http, "\(emulator.url)/threads", .POST, body: #"{"thread_id":"\#(id)","metadata":{"owner":"other"},"if_exists":"do_nothing"}"#)
            #expect(kept.status == 200)
            #expect(kept.json?["metadata"] == ["owner": "h1"], "the existing thread is returned unchanged")
            #expect(try await Emulator.call(http, "\(emulator.url)/_emulator/stats").json?["threads"] == 2)
        }
    }

    @Test func badThreadCreationsAreRefusedAsUnprocessable() async throws {
        try await Emulator.withEmulator { emulator, http in
            let notUUID = try await Emulator.call(http, "\(emulator.url)/threads", .POST, body: #"{"thread_id":"thread-1"}"#)
            #expect(notUUID.status == 422)
            #expect(notUUID.json?["detail"] == "Invalid thread ID: must be a UUID")
            let broken = try await Emulator.call(http, "\(emulator.url)/threads", .POST, body: #"{"thread_id":"#)
            #expect(broken.status == 422)
            #expect(broken.json?["detail"]?.stringValue?.hasPrefix("Invalid JSON body: ") == true)
            #expect(try await Emulator.call(http, "\(emulator.url)/_emulator/stats").json?["threads"] == 0)
        }
    }

    // MARK: Runs: bad requests and lookups

    @Test func badRunRequestsAreRefusedWithLangGraphsDetailsAndStartNothing() async throws {
        try await Emulator.withEmulator { emulator, http in
            let url = "\(emulator.url)/threads/\(Emulator.newThread())/runs/wait"
            func refusal(_ body: String?, at target: String = url) async throws -> (Int, String?) {
                let answer = try await Emulator.call(http, target, .POST, body: body)
                return (answer.status, answer.json?["detail"]?.stringValue)
            }
            #expect(try await refusal(nil) == (422, "Request body is required"))
            #expect(try await refusal(#"{"input":{}}"#) == (422, #""assistant_id" is a required property"#))
            #expect(
                try await refusal(#"{"assistant_id":"echo","stream_mode":["values","bogus"]}"#)
                    == (422, #"["bogus"] is not valid under any of the schemas listed in the 'anyOf' keyword"#)
            )
            #expect(
                try await refusal(#"{"assistant_id":"echo","multitask_strategy":"later"}"#)
                    == (422, "'later' is not one of ['reject', 'rollback', 'interrupt', 'enqueue']")
            )
            let (status, detail) = try await refusal(#"{"assistant_id":"nope","if_not_exists":"create"}"#)
            #expect(status == 422)
            #expect(detail?.hasPrefix("Invalid assistant: 'nope'.") == true)
            #expect(detail?.contains("echo") == true, "the registered graphs are listed")
            // A thread that does not exist is only created on request.
            #expect(try await refusal(#"{"assistant_id":"echo"}"#) == (404, "Thread or assistant not found."))
            #expect(try await refusal(#"{"assistant_id":"echo"}"#, at: "\(emulator.url)/threads/not-a-thread/runs") == (422, "Invalid thread ID: must be a UUID"))
            let (brokenStatus, brokenDetail) = try await refusal(#"{"assistant_id":"#)
            #expect(brokenStatus == 422)
            #expect(brokenDetail?.hasPrefix("Invalid JSON body: ") == true)
            let stats = try await Emulator.call(http, "\(emulator.url)/_emulator/stats")
            #expect(stats.json?["runsStarted"] == 0)
            #expect(stats.json?["threads"] == 0)
        }
    }

    @Test func runsAreFoundOnlyOnTheirOwnThread() async throws {
        try await Emulator.withEmulator { emulator, http in
            let (threadA, threadB, unknown) = (Emulator.newThread(), Emulator.newThread(), Emulator.newThread())
            let done = try await Emulator.call(http, "\(emulator.url)/threads/\(threadA)/runs/wait", .POST, body: Emulator.run("echo"))
            let runID = try #require(done.headers.first(name: "content-location")?.split(separator: "/").last.map(String.init))
            _ = try await Emulator.call(http, "\(emulator.url)/threads", .POST, body: #"{"thread_id":"\#(threadB)"}"#)

            #expect(try await Emulator.call(http, "\(emulator.url)/threads/\(threadA)/runs/\(runID)").json?["status"] == "success")
            let noThread = try await Emulator.call(http, "\(emulator.url)/threads/\(unknown)/runs/\(runID)")
            #expect(noThread.status == 404)
            #expect(noThread.json?["detail"] == .string("Thread with ID \(unknown) not found"))
            let elsewhere = try await Emulator.call(http, "\(emulator.url)/threads/\(threadB)/runs/\(runID)")
            #expect(elsewhere.status == 404)
            #expect(elsewhere.json?["detail"] == "Not Found")
            let badRun = try await Emulator.call(http, "\(emulator.url)/threads/\(threadA)/runs/run-1/join")
            #expect(badRun.status == 422)
            #expect(badRun.json?["detail"] == "Invalid run ID: must be a UUID")
            let noList = try await Emulator.call(http, "\(emulator.url)/threads/\(unknown)/runs")
            #expect(noList.status == 404)
            #expect(noList.json?["detail"] == .string("Thread with ID \(unknown) not found"))
        }
    }

    @Test func theStreamOfAnUnknownRunOpensThenSaysTheRunIsNotFound() async throws {
        try await Emulator.withEmulator { emulator, http in
            let answer = try await Emulator.call(http, "\(emulator.url)/threads/\(Emulator.newThread())/runs/\(UUID().uuidString.lowercased())/stream")
            #expect(answer.status == 200)
            #expect(answer.headers.first(name: "content-type") == "text/event-stream; charset=utf-8")
            #expect(answer.events.map(\.event) == ["error"])
            let error = try JSONDecoder().decode(JSONValue.self, from: Data(try #require(answer.events.first).data.utf8))
            #expect(error == ["error": "HTTPException", "message": "404: Run not found"])
        }
    }

    @Test func cancelingAFinishedRunIsRefused() async throws {
        try await Emulator.withEmulator { emulator, http in
            let thread = Emulator.newThread()
            let done = try await Emulator.call(http, "\(emulator.url)/threads/\(thread)/runs/wait", .POST, body: Emulator.run("echo"))
            let location = try #require(done.headers.first(name: "content-location"))
            let refused = try await Emulator.call(http, "\(emulator.url)\(location)/cancel", .POST)
            #expect(refused.status == 404)
            #expect(refused.json?["detail"]?.stringValue?.hasPrefix("No matching runs to cancel.") == true)
            #expect(try await Emulator.call(http, "\(emulator.url)\(location)").json?["status"] == "success", "the run is unchanged")
        }
    }

    @Test func cancelWithoutWaitAnswersAtOnceAndTheRunEndsInterrupted() async throws {
        try await Emulator.withEmulator { emulator, http in
            let base = "\(emulator.url)/threads/\(Emulator.newThread())/runs"
            let slow = try await Emulator.call(http, base, .POST, body: Emulator.run("slow", extra: #","seconds":30"#))
            let runID = try #require(slow.json?["run_id"]?.stringValue)
            let canceled = try await Emulator.call(http, "\(base)/\(runID)/cancel", .POST)
            #expect(canceled.status == 200)
            #expect(canceled.json == [:])
            // The join returns once the run stopped, long before its 30 s.
            let joined = try await Emulator.call(http, "\(base)/\(runID)/join")
            #expect(joined.status == 200)
            #expect(try await Emulator.call(http, "\(base)/\(runID)").json?["status"] == "interrupted")
        }
    }

    @Test func theRunListFiltersByStatusPagesNewestFirstAndSelectsFields() async throws {
        try await Emulator.withEmulator { emulator, http in
            let base = "\(emulator.url)/threads/\(Emulator.newThread())/runs"
            var ids: [String] = []
            for text in ["one", "two", "three"] {
                let done = try await Emulator.call(http, "\(base)/wait", .POST, body: Emulator.run("echo", text: text))
                ids.append(try #require(done.headers.first(name: "content-location")?.split(separator: "/").last.map(String.init)))
            }
            let slow = try await Emulator.call(http, base, .POST, body: Emulator.run("slow", extra: #","seconds":30"#))
            let slowID = try #require(slow.json?["run_id"]?.stringValue)
            #expect(try await Emulator.call(http, "\(base)/\(slowID)/cancel?wait=true", .POST).status == 200)

            let all = try await Emulator.call(http, base)
            #expect(all.json?.arrayValue?.compactMap { $0["run_id"]?.stringValue } == [slowID] + ids.reversed())
            let interrupted = try await Emulator.call(http, "\(base)?status=interrupted")
            #expect(interrupted.json?.arrayValue?.compactMap { $0["run_id"]?.stringValue } == [slowID])
            let page = try await Emulator.call(http, "\(base)?status=success&limit=1&offset=1")
            #expect(page.json?.arrayValue?.compactMap { $0["run_id"]?.stringValue } == [ids[1]])
            let selected = try await Emulator.call(http, "\(base)?limit=2&select=run_id&select=status")
            #expect(selected.json == [["run_id": .string(slowID), "status": "interrupted"], ["run_id": .string(ids[2]), "status": "success"]])
        }
    }

    // MARK: Streams and graphs

    @Test func aSingleStreamModeMayBeGivenAsAString() async throws {
        try await Emulator.withEmulator { emulator, http in
            let body = #"{"assistant_id":"echo","input":{"messages":[{"type":"human","content":"hi"}]},"stream_mode":"updates","if_not_exists":"create"}"#
            let answer = try await Emulator.call(http, "\(emulator.url)/threads/\(Emulator.newThread())/runs/stream", .POST, body: body)
            #expect(answer.events.map(\.event) == ["metadata", "updates"])
            let update = try JSONDecoder().decode(JSONValue.self, from: Data(try #require(answer.events.last).data.utf8))
            #expect(update["echo"]?["messages"]?.arrayValue?.first?["content"] == "echo: hi")
            #expect(answer.events.allSatisfy { $0.id == nil }, "a run that is not resumable sends no ids")
        }
    }

    @Test func messagesModeSendsTheMessageMetadataThenTheCompleteMessage() async throws {
        try await Emulator.withEmulator { emulator, http in
            let thread = Emulator.newThread()
            let answer = try await Emulator.call(http, "\(emulator.url)/threads/\(thread)/runs/stream", .POST, body: Emulator.run("echo", modes: #"["messages"]"#))
            #expect(answer.events.map(\.event) == ["metadata", "messages/metadata", "messages/complete"])
            let metadata = try JSONDecoder().decode(JSONValue.self, from: Data(answer.events[1].data.utf8))
            let complete = try JSONDecoder().decode(JSONValue.self, from: Data(answer.events[2].data.utf8))
            let message = try #require(complete.arrayValue?.first)
            #expect(message["type"] == "ai")
            #expect(message["content"] == "echo: hi")
            // The metadata is keyed by the message's id and names the node and thread.
            let id = try #require(message["id"]?.stringValue)
            #expect(metadata[id]?["metadata"]?["langgraph_node"] == "echo")
            #expect(metadata[id]?["metadata"]?["thread_id"] == .string(thread))
        }
    }

    @Test func tokensInMessagesModeArriveAsGrowingPartialsWithTheTokenLatency() async throws {
        try await Emulator.withEmulator(EmulatorConfiguration(tokenLatency: .milliseconds(5))) { emulator, http in
            let started = ContinuousClock.now
            let answer = try await Emulator.call(
                http,
                "\(emulator.url)/threads/\(Emulator.newThread())/runs/stream",
                .POST,
                body: Emulator.run("tokens", modes: #"["messages"]"#)
            )
            let elapsed = ContinuousClock.now - started
            // "Streaming the answer to hi": 5 words and 4 spaces, each a token.
            #expect(answer.events.map(\.event) == ["metadata", "messages/metadata"] + Array(repeating: "messages/partial", count: 9))
            let partials = try answer.events.dropFirst(2).map { event in
                try #require(try JSONDecoder().decode(JSONValue.self, from: Data(event.data.utf8)).arrayValue?.first?["content"]?.stringValue)
            }
            #expect(partials.first == "Streaming")
            #expect(partials[1] == "Streaming ")
            #expect(partials.last == "Streaming the answer to hi")
            #expect(elapsed >= .milliseconds(40), "8 waits of 5 ms between the 9 tokens")
        }
    }

    @Test func contentBlocksAreReadAsTheirTextParts() async throws {
        try await Emulator.withEmulator { emulator, http in
            let input = #"{"messages":[{"type":"human","content":[{"type":"text","text":"two "},"parts",{"type":"image_url","image_url":"https://example.com/x.png"}]}]}"#
            let answer = try await Emulator.call(http, "\(emulator.url)/threads/\(Emulator.newThread())/runs/wait", .POST, body: Self.run("echo", input: input))
            #expect(Self.lastMessage(answer) == "echo: two parts")
        }
    }

    @Test func withoutAHumanMessageTheGraphReadsNoText() async throws {
        try await Emulator.withEmulator { emulator, http in
            let input = #"{"messages":[{"type":"ai","content":"I spoke first"}]}"#
            let answer = try await Emulator.call(http, "\(emulator.url)/threads/\(Emulator.newThread())/runs/wait", .POST, body: Self.run("echo", input: input))
            #expect(answer.json?["messages"]?.arrayValue?.compactMap { $0["content"]?.stringValue } == ["I spoke first", "echo: "])
        }
    }

    @Test func messagesOfAnyShapeAreReadAsLangChainMessages() async throws {
        try await Emulator.withEmulator { emulator, http in
            func echo(_ input: String) async throws -> [JSONValue] {
                let answer = try await Emulator.call(http, "\(emulator.url)/threads/\(Emulator.newThread())/runs/wait", .POST, body: Self.run("echo", input: input))
                return answer.json?["messages"]?.arrayValue ?? []
            }
            // One message instead of a list, and a plain string for a message: a human message.
            let single = try await echo(#"{"messages":"plain text"}"#)
            #expect(single.map { $0["type"] } == ["human", "ai"])
            #expect(single.last?["content"] == "echo: plain text")
            // Roles name the type; a message without either is a human one.
            let roles = try await echo(#"{"messages":[{"role":"assistant","content":"earlier"},{"content":"untyped"}]}"#)
            #expect(roles.map { $0["type"] } == ["ai", "human", "ai"])
            #expect(roles.last?["content"] == "echo: untyped")
            // Content that is not text, or none at all, reads as no text.
            #expect(try await echo(#"{"messages":[{"type":"human","content":42}]}"#).last?["content"] == "echo: ")
            let empty = try await echo(#"{"messages":[{"type":"human"}]}"#)
            #expect(empty.first?["content"] == "")
            #expect(empty.last?["content"] == "echo: ")
            // No messages at all: the graph still answers.
            #expect(try await echo("{}").map { $0["content"] } == ["echo: "])
        }
    }

    @Test func theStepsGraphStartsItsListOnAThreadOfAnotherGraph() async throws {
        try await Emulator.withEmulator { emulator, http in
            let url = "\(emulator.url)/threads/\(Emulator.newThread())/runs/wait"
            _ = try await Emulator.call(http, url, .POST, body: Emulator.run("echo"))
            // The echo thread has no `steps` list: the input's single value starts it, and a
            // delay that is not a number is no delay.
            let input = #"{"messages":[{"type":"human","content":"go"}],"steps":"zero","delay":"soon"}"#
            let answer = try await Emulator.call(http, url, .POST, body: Self.run("steps", input: input))
            #expect(answer.json?["steps"] == ["zero", "one", "two", "three"])
            #expect(Self.lastMessage(answer) == "done: zero,one,two,three")
        }
    }

    @Test func theDirectiveGraphWithoutADirectiveReturnsAnEmptyOne() async throws {
        try await Emulator.withEmulator { emulator, http in
            let answer = try await Emulator.call(
                http,
                "\(emulator.url)/threads/\(Emulator.newThread())/runs/stream",
                .POST,
                body: Self.run("directive", input: #"{"messages":[{"type":"human","content":"x"}]}"#, modes: #"["custom","values"]"#)
            )
            #expect(answer.events.map(\.event) == ["metadata", "values", "custom", "values"])
            let status = try JSONDecoder().decode(JSONValue.self, from: Data(answer.events[2].data.utf8))
            #expect(status == ["a2a": ["status": ["state": "working", "message": "directing x"]]])
            let values = try JSONDecoder().decode(JSONValue.self, from: Data(answer.events[3].data.utf8))
            #expect(values["a2a"] == [:])
            #expect(values["messages"]?.arrayValue?.last?["content"] == "directive: x")
        }
    }

    @Test func aMessageWithAKnownIDReplacesTheOldOne() async throws {
        try await Emulator.withEmulator { emulator, http in
            let thread = Emulator.newThread()
            for text in ["first", "second"] {
                let input = #"{"messages":[{"type":"human","content":"\#(text)","id":"m-1"}]}"#
                _ = try await Emulator.call(http, "\(emulator.url)/threads/\(thread)/runs/wait", .POST, body: Self.run("echo", input: input))
            }
            let state = try await Emulator.call(http, "\(emulator.url)/threads/\(thread)/state")
            let messages = try #require(state.json?["values"]?["messages"]?.arrayValue)
            #expect(messages.compactMap { $0["content"]?.stringValue } == ["second", "echo: first", "echo: second"])
            #expect(messages.first?["id"] == "m-1")
        }
    }

    @Test func aSlowRunReportsItsProgressEverySecondThenFinishes() async throws {
        try await Emulator.withEmulator { emulator, http in
            let input = #"{"messages":[{"type":"human","content":"wait"}],"seconds":1.2}"#
            let answer = try await Emulator.call(
                http,
                "\(emulator.url)/threads/\(Emulator.newThread())/runs/stream",
                .POST,
                body: Self.run("slow", input: input, modes: #"["custom","updates"]"#)
            )
            #expect(answer.events.map(\.event) == ["metadata", "custom", "updates"])
            let progress = try JSONDecoder().decode(JSONValue.self, from: Data(answer.events[1].data.utf8))
            #expect(progress == ["progress": "slow", "elapsed": 1])
            let update = try JSONDecoder().decode(JSONValue.self, from: Data(answer.events[2].data.utf8))
            #expect(update["slow"]?["messages"]?.arrayValue?.first?["content"] == "slow done")
        }
    }

    @Test func aLastEventIDThatIsNotAStreamIDIsComparedAsText() async throws {
        try await Emulator.withEmulator { emulator, http in
            let thread = Emulator.newThread()
            let streamed = try await Emulator.call(http, "\(emulator.url)/threads/\(thread)/runs/stream", .POST, body: Emulator.run("echo"))
            let location = try #require(streamed.headers.first(name: "content-location"))
            // Every `<ms>-<seq>` id sorts after "0" and before "z" as text.
            let all = try await Emulator.call(http, "\(emulator.url)\(location)/stream", headers: ["last-event-id": "0"])
            #expect(all.events.map(\.id) == streamed.events.map(\.id))
            #expect(all.events.map(\.event) == ["metadata", "values", "updates", "values"])
            let none = try await Emulator.call(http, "\(emulator.url)\(location)/stream", headers: ["last-event-id": "z"])
            #expect(none.status == 200)
            #expect(none.events.isEmpty)
        }
    }

    // MARK: Interrupts

    @Test func aPlainResumeAnswersTheOnlyPendingInterrupt() async throws {
        try await Emulator.withEmulator { emulator, http in
            let url = "\(emulator.url)/threads/\(Emulator.newThread())/runs/wait"
            let asked = try await Emulator.call(http, url, .POST, body: Emulator.run("ask", text: "deploy"))
            #expect(asked.json?["__interrupt__"]?.arrayValue?.first?["value"] == ["question": "Approve 'deploy'?"])
            // An object whose keys are not interrupt ids is the answer itself, as Python dumps it.
            let answered = try await Emulator.call(http, url, .POST, body: Self.resume("ask", #"{"by":"h1","approved":true}"#))
            #expect(Self.lastMessage(answered) == #"deploy -> {"approved": true, "by": "h1"}"#)
            #expect(answered.json?["__interrupt__"] == nil)
        }
    }

    @Test func aResumeWithNothingPendingReturnsTheCurrentValues() async throws {
        try await Emulator.withEmulator { emulator, http in
            let thread = Emulator.newThread()
            let url = "\(emulator.url)/threads/\(thread)/runs/wait"
            _ = try await Emulator.call(http, url, .POST, body: Emulator.run("echo", text: "one"))
            let resumed = try await Emulator.call(http, url, .POST, body: Self.resume("echo", #""yes""#))
            #expect(resumed.status == 200)
            #expect(resumed.json?["messages"]?.arrayValue?.compactMap { $0["content"]?.stringValue } == ["one", "echo: one"], "nothing ran")
            let location = try #require(resumed.headers.first(name: "content-location"))
            #expect(try await Emulator.call(http, "\(emulator.url)\(location)").json?["status"] == "success")
            #expect(try await Emulator.call(http, "\(emulator.url)/threads/\(thread)").json?["status"] == "idle")
        }
    }

    @Test func aResumeWithoutIDsWhileTwoInterruptsWaitFailsAndKeepsThem() async throws {
        try await Emulator.withEmulator { emulator, http in
            let thread = Emulator.newThread()
            let url = "\(emulator.url)/threads/\(thread)/runs/wait"
            let asked = try await Emulator.call(http, url, .POST, body: Emulator.run("ask_two", text: "plan"))
            let interrupts = try #require(asked.json?["__interrupt__"]?.arrayValue)
            #expect(interrupts.count == 2)

            let failed = try await Emulator.call(http, url, .POST, body: Self.resume("ask_two", #""yes""#))
            #expect(failed.json?["__error__"]?["error"] == "RuntimeError")
            #expect(failed.json?["__error__"]?["message"]?.stringValue?.hasPrefix("When there are multiple pending interrupts, you must specify the interrupt id when resuming.") == true)
            let location = try #require(failed.headers.first(name: "content-location"))
            #expect(try await Emulator.call(http, "\(emulator.url)\(location)").json?["status"] == "error")
            let state = try await Emulator.call(http, "\(emulator.url)/threads/\(thread)/state")
            #expect(state.json?["next"] == ["ask_first", "ask_second"], "both questions still wait")

            // Answered by id, both at once, the graph goes on.
            let ids = interrupts.compactMap { $0["id"]?.stringValue }
            let answers = try #require(ids.count == 2 ? #"{"\#(ids[0])":"a","\#(ids[1])":"b"}"# : nil)
            let answered = try await Emulator.call(http, url, .POST, body: Self.resume("ask_two", answers))
            #expect(Self.lastMessage(answered) == "plan -> first=a, second=b")
        }
    }

    // MARK: Store limits and latency

    @Test func aRunCanceledWhileItWaitsToStartNeverRuns() async throws {
        try await Emulator.withEmulator(EmulatorConfiguration(startLatency: .seconds(3600))) { emulator, http in
            // An hour's start latency: a cancel that waited it out fails the suite's time limit.
            let thread = Emulator.newThread()
            let base = "\(emulator.url)/threads/\(thread)/runs"
            let created = try await Emulator.call(http, base, .POST, body: Emulator.run("echo"))
            #expect(created.json?["status"] == "pending")
            let runID = try #require(created.json?["run_id"]?.stringValue)
            #expect(try await Emulator.call(http, "\(base)/\(runID)/cancel?wait=yes", .POST).status == 200)
            #expect(try await Emulator.call(http, "\(base)/\(runID)").json?["status"] == "interrupted")
            let state = try await Emulator.call(http, "\(emulator.url)/threads/\(thread)/state")
            #expect(state.json?["values"]?["messages"] == nil, "the graph never ran")
        }
    }

    @Test func aThreadWithARunInProgressOutlivesNewerIdleThreadsAtTheLimit() async throws {
        try await Emulator.withEmulator(EmulatorConfiguration(maximumThreads: 2)) { emulator, http in
            let (busy, idle, last) = (Emulator.newThread(), Emulator.newThread(), Emulator.newThread())
            let slow = try await Emulator.call(http, "\(emulator.url)/threads/\(busy)/runs", .POST, body: Emulator.run("slow", extra: #","seconds":30"#))
            let slowID = try #require(slow.json?["run_id"]?.stringValue)
            _ = try await Emulator.call(http, "\(emulator.url)/threads/\(idle)/runs/wait", .POST, body: Emulator.run("echo"))
            // A third thread: the oldest one is busy, so the idle one after it gives way.
            let answer = try await Emulator.call(http, "\(emulator.url)/threads/\(last)/runs/wait", .POST, body: Emulator.run("echo"))
            #expect(Self.lastMessage(answer) == "echo: hi")
            #expect(try await Emulator.call(http, "\(emulator.url)/threads/\(busy)").json?["status"] == "busy")
            #expect(try await Emulator.call(http, "\(emulator.url)/threads/\(idle)").status == 404)
            #expect(try await Emulator.call(http, "\(emulator.url)/threads/\(last)").status == 200)
            #expect(try await Emulator.call(http, "\(emulator.url)/_emulator/stats").json?["threads"] == 2)
            #expect(try await Emulator.call(http, "\(emulator.url)/threads/\(busy)/runs/\(slowID)").json?["status"] == "running")
        }
    }

    @Test func aNewThreadIsKeptWhenEveryOlderThreadIsBusy() async throws {
        try await Emulator.withEmulator(EmulatorConfiguration(maximumThreads: 1)) { emulator, http in
            let (busy, new) = (Emulator.newThread(), Emulator.newThread())
            let slow = try await Emulator.call(http, "\(emulator.url)/threads/\(busy)/runs", .POST, body: Emulator.run("slow", extra: #","seconds":30"#))
            let slowID = try #require(slow.json?["run_id"]?.stringValue)
            // Over the limit with nothing idle to forget: the new thread still runs (it once
            // evicted itself and crashed the emulator on the run it was created for).
            let answer = try await Emulator.call(http, "\(emulator.url)/threads/\(new)/runs/wait", .POST, body: Emulator.run("echo"))
            #expect(Self.lastMessage(answer) == "echo: hi")
            #expect(try await Emulator.call(http, "\(emulator.url)/threads/\(busy)").json?["status"] == "busy")
            #expect(try await Emulator.call(http, "\(emulator.url)/threads/\(new)").status == 200)
            _ = try await Emulator.call(http, "\(emulator.url)/threads/\(busy)/runs/\(slowID)/cancel?wait=1", .POST)
        }
    }

    @Test func finishedRunsBeyondTheLimitAreForgottenWithTheirEvents() async throws {
        try await Emulator.withEmulator(EmulatorConfiguration(maximumRetainedRuns: 1)) { emulator, http in
            let thread = Emulator.newThread()
            let base = "\(emulator.url)/threads/\(thread)/runs"
            let first = try await Emulator.call(http, "\(base)/stream", .POST, body: Emulator.run("echo", text: "first"))
            let firstLocation = try #require(first.headers.first(name: "content-location"))
            let second = try await Emulator.call(http, "\(base)/wait", .POST, body: Emulator.run("echo", text: "second"))
            let secondID = try #require(second.headers.first(name: "content-location")?.split(separator: "/").last.map(String.init))

            #expect(try await Emulator.call(http, "\(emulator.url)\(firstLocation)").json?["detail"] == "Not Found")
            let replay = try await Emulator.call(http, "\(emulator.url)\(firstLocation)/stream", headers: ["last-event-id": "0-0"])
            #expect(replay.events.map(\.event) == ["error"], "its events are gone too")
            #expect(try await Emulator.call(http, base).json?.arrayValue?.compactMap { $0["run_id"]?.stringValue } == [secondID])
            // The thread keeps the state both runs made.
            let state = try await Emulator.call(http, "\(emulator.url)/threads/\(thread)/state")
            #expect(state.json?["values"]?["messages"]?.arrayValue?.count == 4)
        }
    }

    @Test func deletingTheFaultsLetsTheNextRequestsThrough() async throws {
        try await Emulator.withEmulator { emulator, http in
            _ = try await Emulator.call(http, "\(emulator.url)/_emulator/faults", .POST, body: #"{"status":500,"count":5,"path":"/runs/wait"}"#)
            let url = "\(emulator.url)/threads/\(Emulator.newThread())/runs/wait"
            #expect(try await Emulator.call(http, url, .POST, body: Emulator.run("echo")).status == 500)
            let cleared = try await Emulator.call(http, "\(emulator.url)/_emulator/faults", .DELETE)
            #expect(cleared.json == ["faults": 0])
            #expect(emulator.emulator.faults.pending.isEmpty)
            #expect(try await Emulator.call(http, url, .POST, body: Emulator.run("echo")).status == 200)
        }
    }

    @Test func startingOnAPortInUseFails() async throws {
        try await Emulator.withEmulator { emulator, _ in
            await #expect(throws: IOError.self) {
                let second = try await LangGraphEmulator.start(configuration: EmulatorConfiguration(port: emulator.port))
                try await second.stop()
            }
        }
    }
}
