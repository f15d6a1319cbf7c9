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

/// The `langgraph-emulator` executable, run as a child process: `serve` (the default
/// subcommand) and `bench`, the load driver.
@Suite(.timeLimit(.minutes(2))) struct EmulatorCommandTests {
    typealias Emulator = LangGraphEmulatorTests

    /// Runs `body` with a `langgraph-emulator` serving child and the URL it printed, then stops
    /// it with SIGTERM and checks that it exits cleanly, having printed only its URL.
    static func withServingChild(_ arguments: [String], environment: [String: String] = [:], _ body: (String, HTTPClient) async throws -> Void) async throws {
        let child = try EmulatorProcess(arguments, environment: environment)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let url: String
        do {
            url = try #require(await child.firstLine(within: .seconds(30)), "no URL printed; stderr: \(child.stderr)")
            try await body(url, http)
        } catch {
            try? await http.shutdown()
            kill(child.process.processIdentifier, SIGKILL)
            _ = await child.exit(within: .seconds(10))
            throw error
        }
        try await http.shutdown()
        child.process.terminate()
        let output = try #require(await child.exit(within: .seconds(30)), "langgraph-emulator did not stop within 30 s of SIGTERM")
        #expect(output.status == 0, "stderr: \(output.stderr)")
        #expect(output.stdout == "\(url)\n")
    }

    /// The one JSON line `bench` prints.
    static func summary(_ output: EmulatorProcess.Output) throws -> JSONValue {
        let lines = output.stdout.split(separator: "\n")
        #expect(lines.count == 1, "stdout: \(output.stdout)")
        return try JSONDecoder().decode(JSONValue.self, from: Data(try #require(lines.first).utf8))
    }

    /// The emulator's log of the runs `bench` created: method and path of each.
    static func runRequests(_ emulator: RunningEmulator) -> [RecordedRequest] {
        emulator.emulator.requests.filter { $0.path.hasPrefix("/threads/") }
    }

    // MARK: serve

    @Test func servingOnPortZeroPrintsItsURLFirstAndStopsCleanlyOnSIGTERM() async throws {
        try await Self.withServingChild(["--port", "0", "--log-level", "error"]) { url, http in
            // The chosen port is in the URL (scripts read it from the first line).
            let prefix = "http://127.0.0.1:"
            #expect(url.hasPrefix(prefix))
            let port = try #require(Int(url.dropFirst(prefix.count)))
            #expect((1...65535).contains(port))
            #expect(try await Emulator.call(http, "\(url)/ok").json == ["ok": true])
            let answer = try await Emulator.call(http, "\(url)/threads/\(Emulator.newThread())/runs/wait", .POST, body: Emulator.run("echo", text: "from a child"))
            #expect(answer.status == 200)
            #expect(answer.json?["messages"]?.arrayValue?.last?["content"] == "echo: from a child")
        }
    }

    @Test func theServeOptionsConfigureTheEmulator() async throws {
        let arguments = [
            "serve", "--host", "127.0.0.1", "--port", "0", "--api-key-env", "TEST_EMULATOR_KEY", "--event-ids", "inmem", "--step-latency-ms", "1",
            "--start-latency-ms", "1", "--token-latency-ms", "1", "--heartbeat-seconds", "0", "--max-runs", "1", "--max-threads", "10", "--log-level", "warning",
        ]
        try await Self.withServingChild(arguments, environment: ["TEST_EMULATOR_KEY": "emulator-key"]) { url, http in
            let thread = Emulator.newThread()
            let base = "\(url)/threads/\(thread)/runs"
            // The key comes from the named variable; health stays open.
            let refused = try await Emulator.call(http, "\(base)/wait", .POST, body: Emulator.run("echo"))
            #expect(refused.status == 401)
            #expect(refused.json?["detail"] == "invalid api key")
            #expect(try await Emulator.call(http, "\(url)/ok").status == 200)
            let key = ["x-api-key": "emulator-key"]

            // In-memory event ids: `<ms>-0`. "Streaming the answer to hi" is 9 tokens (5 words, 4 spaces).
            let streamed = try await Emulator.call(http, "\(base)/stream", .POST, body: Emulator.run("tokens", modes: #"["messages-tuple"]"#), headers: key)
            #expect(streamed.status == 200)
            #expect(streamed.events.map(\.event) == ["metadata"] + Array(repeating: "messages", count: 9))
            #expect(streamed.events.allSatisfy { $0.id?.hasSuffix("-0") == true })
            let first = try #require(streamed.headers.first(name: "content-location"))

            // --max-runs 1: the second finished run makes the emulator forget the first.
            let second = try await Emulator.call(http, "\(base)/wait", .POST, body: Emulator.run("echo"), headers: key)
            #expect(second.json?["messages"]?.arrayValue?.last?["content"] == "echo: hi")
            #expect(try await Emulator.call(http, "\(url)\(first)", headers: key).status == 404)
            let kept = try #require(second.headers.first(name: "content-location"))
            #expect(try await Emulator.call(http, "\(url)\(kept)", headers: key).json?["status"] == "success")
        }
    }

    @Test func anAPIKeyVariableThatIsNotSetIsRefusedAtStart() async throws {
        let name = "TEST_EMULATOR_UNSET_\(UUID().uuidString.prefix(8))"
        let output = try await EmulatorProcess.run(["--port", "0", "--api-key-env", name])
        #expect(output.status == 64, "EX_USAGE")
        #expect(output.stderr.contains("Error: Environment variable \(name) is not set."))
        #expect(output.stdout.isEmpty, "it never served")
    }

    @Test(arguments: [
        (["--port", "70000"], "--port must be between 0 and 65535."),
        (["--event-ids", "ulid"], "--event-ids must be redis or inmem."),
        (["--log-level", "loud"], "--log-level 'loud' is not a log level."),
        (["--token-latency-ms=-5"], "--token-latency-ms must not be negative."),
        (["--max-threads", "0"], "--max-runs and --max-threads must be positive."),
        (["bench", "--runs", "0"], "--runs and --concurrency must be positive."),
        (["bench", "--concurrency", "0"], "--runs and --concurrency must be positive."),
        (["bench", "--mode", "poll"], "--mode must be stream or wait."),
    ])
    func badOptionsExitWithTheirValidationMessage(_ arguments: [String], _ message: String) async throws {
        let output = try await EmulatorProcess.run(arguments)
        #expect(output.status == 64, "EX_USAGE")
        #expect(output.stderr.contains("Error: \(message)"), "stderr: \(output.stderr)")
        #expect(output.stdout.isEmpty)
    }

    // MARK: bench

    @Test func benchStreamsTheRunsItIsAskedForAndReportsThemAsOneJSONLine() async throws {
        try await Emulator.withEmulator { emulator, http in
            let output = try await EmulatorProcess.run(["bench", "--url", emulator.url, "--runs", "20", "--concurrency", "4"])
            #expect(output.status == 0, "stderr: \(output.stderr)")
            let summary = try Self.summary(output)
            #expect(summary["graph"] == "echo")
            #expect(summary["mode"] == "stream")
            #expect(summary["runs"] == 20)
            #expect(summary["errors"] == 0)
            #expect(summary["concurrency"] == 4)
            // echo with the default modes: metadata, values (input), messages (the AI message),
            // updates, values.
            #expect(summary["eventsPerRun"] == 5)
            let (p50, p95, p99) = (summary["p50ms"]?.numberValue ?? -1, summary["p95ms"]?.numberValue ?? -1, summary["p99ms"]?.numberValue ?? -1)
            #expect(p50 > 0 && p50 <= p95 && p95 <= p99)
            #expect((summary["seconds"]?.numberValue ?? -1) >= 0)
            #expect((summary["runsPerSecond"]?.numberValue ?? 0) > 0)

            // Each run streamed on a thread of its own.
            let requests = Self.runRequests(emulator)
            #expect(requests.count == 20)
            #expect(requests.allSatisfy { $0.method == "POST" && $0.path.hasSuffix("/runs/stream") })
            #expect(Set(requests.map(\.path)).count == 20)
            let stats = try await Emulator.call(http, "\(emulator.url)/_emulator/stats")
            #expect(stats.json?["runsFinished"] == 20)
            #expect(stats.json?["threads"] == 20)
        }
    }

    @Test func benchInWaitModeWaitsForEachRunAndCountsNoEvents() async throws {
        try await Emulator.withEmulator { emulator, _ in
            let output = try await EmulatorProcess.run(["bench", "--url", emulator.url, "--mode", "wait", "--runs", "6", "--concurrency", "2"])
            #expect(output.status == 0, "stderr: \(output.stderr)")
            let summary = try Self.summary(output)
            #expect(summary["mode"] == "wait")
            #expect(summary["runs"] == 6)
            #expect(summary["errors"] == 0)
            #expect(summary["concurrency"] == 2)
            #expect(summary["eventsPerRun"] == 0, "a waited run answers JSON, not events")
            let requests = Self.runRequests(emulator)
            #expect(requests.count == 6)
            #expect(requests.allSatisfy { $0.path.hasSuffix("/runs/wait") })
        }
    }

    @Test func benchRunsTheGraphAndStreamModesItIsGiven() async throws {
        try await Emulator.withEmulator { emulator, _ in
            // A trailing slash on the URL is dropped.
            let arguments = ["bench", "--url", emulator.url + "/", "--graph", "tokens", "--stream-modes", "messages-tuple", "--runs", "3", "--concurrency", "1"]
            let output = try await EmulatorProcess.run(arguments)
            #expect(output.status == 0, "stderr: \(output.stderr)")
            let summary = try Self.summary(output)
            #expect(summary["graph"] == "tokens")
            #expect(summary["runs"] == 3)
            // metadata, then "Streaming the answer to load" as 9 token messages.
            #expect(summary["eventsPerRun"] == 10)
            let requests = Self.runRequests(emulator)
            #expect(requests.count == 3)
            #expect(requests.allSatisfy { $0.path.hasPrefix("/threads/") && !$0.path.contains("//") })
        }
    }

    @Test func refusedRunsAreCountedAsErrorsAndMakeBenchExitOne() async throws {
        try await Emulator.withEmulator { emulator, http in
            emulator.emulator.inject(EmulatorFault(status: 503, path: "/runs/stream", count: 3))
            let output = try await EmulatorProcess.run(["bench", "--url", emulator.url, "--runs", "10", "--concurrency", "2"])
            #expect(output.status == 1)
            let summary = try Self.summary(output)
            #expect(summary["runs"] == 7)
            #expect(summary["errors"] == 3)
            #expect(summary["eventsPerRun"] == 5, "only the served runs count")
            #expect(try await Emulator.call(http, "\(emulator.url)/_emulator/stats").json?["runsStarted"] == 7)
        }
    }

    @Test func benchAgainstAPortWhereNothingListensReportsEveryRunFailed() async throws {
        // Port 1 is privileged and unused: every connection is refused.
        let output = try await EmulatorProcess.run(["bench", "--url", "http://127.0.0.1:1", "--runs", "2", "--concurrency", "2"])
        #expect(output.status == 1)
        let summary = try Self.summary(output)
        #expect(summary["runs"] == 0)
        #expect(summary["errors"] == 2)
        #expect(summary["eventsPerRun"] == 0)
        #expect(summary["p50ms"] == 0)
        #expect(summary["p99ms"] == 0)
        #expect(summary["runsPerSecond"] == 0)
    }
}
