//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsClient
import CleverAgentsDomain
import CleverAgentsPostgres
import CleverAgentsSQLite
import CleverAgentsTestSupport
import Foundation
import Logging
import Testing

/// `cleveragents stdio`, `send`, `tasks` and `sync`, run as the built executable.
@Suite(.enabled(if: TestEnvironment.hasServices), .serialized, .timeLimit(.minutes(5))) struct CommandLineClientTests {
    /// Runs `cleveragents` with a private profiles file and home; `input` is its standard input.
    func run(_ arguments: [String], in directory: URL, input: String? = nil) async throws -> ChildProcess.Output {
        try await ChildProcess.run(ChildProcess.cleveragents, arguments, environment: Self.environment(directory), input: input)
    }

    static func environment(_ directory: URL) -> [String: String] {
        [
            "HOME": directory.path,
            "XDG_DATA_HOME": directory.appendingPathComponent("data").path,
            "CLEVERAGENTS_PROFILES": directory.appendingPathComponent("profiles.json").path,
            "CLEVERAGENTS_PROFILE": "",
            "CLEVERAGENTS_TOKEN": "",
        ]
    }

    func localStore(_ directory: URL, actors: [ActorDefinition]) async throws -> (SQLiteStore, String) {
        let path = directory.appendingPathComponent("local.sqlite").path
        var logger = Logger(label: "cli-test")
        logger.logLevel = .critical
        let store = try await SQLiteStore.open(path: path, logger: logger)
        try await store.createNamespace(Namespace(name: NamespaceName("local")!, authMode: .disabled, createdAt: .now))
        for actor in actors { try await store.putActor(actor, in: NamespaceName("local")!) }
        return (store, path)
    }

    @Test func stdioAnswersEveryRequestOfItsInputAndExitsAtItsEnd() async throws {
        try await withTemporaryDirectory { directory in
            let store = directory.appendingPathComponent("s.sqlite").path
            let requests = directory.appendingPathComponent("requests.jsonl")
            try Data((#"{"jsonrpc":"2.0","id":1,"method":"_cleveragents/sync/status"}"# + "\n" + #"{"jsonrpc":"2.0","id":2,"method":"GetTask","params":{"id":"x"}}"# + "\n").utf8)
                .write(to: requests)
            // A pipe, then a regular file, as standard input.
            for command in ["cat '\(requests.path)' | '\(ChildProcess.cleveragents)' stdio --store '\(store)'", "'\(ChildProcess.cleveragents)' stdio --store '\(store)' < '\(requests.path)'"] {
                let output = try await ChildProcess.run("/bin/sh", ["-c", command])
                #expect(output.status == 0, "\(output.stderr)")
                let lines = output.stdout.split(separator: "\n").map { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
                #expect(lines.count == 2)
                #expect(lines.contains { $0?["id"] == 1 && $0?.at("result.head") == 0 })
                #expect(lines.contains { $0?["id"] == 2 && $0?.at("error.code") == .number(Double(JSONRPCError.taskNotFoundCode)) })
            }
            let bad = try await run(["stdio", "--store", store, "--graph-url", "http://x"], in: directory)
            #expect(bad.status != 0)
            #expect(bad.stderr.contains("--graph-url and --assistant"))
        }
    }

    @Test func sendAndTasksWorkOnALocalStore() async throws {
        let graphURL = try #require(TestEnvironment.langGraphURL)
        try await withTemporaryDirectory { directory in
            let store = directory.appendingPathComponent("local.sqlite").path
            let sent = try await run(["send", "--store", store, "hello", "there"], in: directory)
            #expect(sent.status != 0, "no actor yet")
            #expect(sent.stderr.contains("no default actor"))

            // Configure the default actor through `stdio`, then send.
            let configure = try await ChildProcess.run(
                "/bin/sh", ["-c", "'\(ChildProcess.cleveragents)' stdio --store '\(store)' --graph-url '\(graphURL)' --assistant echo < /dev/null"]
            )
            #expect(configure.status == 0, "\(configure.stderr)")
            let reply = try await run(["send", "--store", store, "hello", "there"], in: directory)
            #expect(reply.status == 0, "\(reply.stderr)")
            #expect(reply.stdout.contains("completed"))
            #expect(reply.stdout.contains("echo: hello there"))

            let streamed = try await run(["send", "--store", store, "--stream", "--json", "streamed"], in: directory)
            #expect(streamed.status == 0, "\(streamed.stderr)")
            let events = try streamed.stdout.split(separator: "\n").map { try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
            #expect(events.first?.at("task.id") != nil)
            #expect(events.last?.at("statusUpdate.status.state") == "TASK_STATE_COMPLETED")
            let taskId = try #require(events.first?.at("task.id")?.stringValue)

            let listed = try await run(["tasks", "list", "--store", store, "--json"], in: directory)
            #expect(listed.status == 0, "\(listed.stderr)")
            let page = try JSONDecoder().decode(JSONValue.self, from: Data(listed.stdout.utf8))
            #expect(page["totalSize"] == 2)
            let readable = try await run(["tasks", "list", "--store", store], in: directory)
            #expect(readable.stdout.contains(taskId))
            #expect(readable.stdout.contains("completed"))

            let shown = try await run(["tasks", "get", taskId, "--store", store], in: directory)
            #expect(shown.status == 0)
            #expect(shown.stdout.contains("echo: streamed"))
            let cancel = try await run(["tasks", "cancel", taskId, "--store", store], in: directory)
            #expect(cancel.status != 0)
            #expect(cancel.stderr.contains("cannot be canceled"))
            let missing = try await run(["tasks", "get", "no-such-task", "--store", store], in: directory)
            #expect(missing.status != 0)
            #expect(missing.stderr.contains("Task not found"))
        }
    }

    @Test func sendHoldsAConversationUntilTheTaskEndsOverHTTPAndStdio() async throws {
        let server = try await TestServer.start()
        do {
            let namespace = try await server.createNamespace(assistant: "ask")
            let url = server.endpoint(namespace.rawValue)
            try await withTemporaryDirectory { directory in
                // Over HTTP: the question is shown, the answer read from standard input.
                let answered = try await run(["send", "--url", url, "--interactive", "deploy", "it"], in: directory, input: "yes\n")
                #expect(answered.status == 0, "\(answered.stderr)")
                #expect(answered.stdout.contains("Approve 'deploy it'?"), "the question: \(answered.stdout)")
                #expect(answered.stdout.contains("completed") && answered.stdout.contains("deploy it -> yes"), "\(answered.stdout)")

                // Streaming: the events as they come, the question, then the rest after the answer.
                let streamed = try await run(["send", "--url", url, "--interactive", "--stream", "go"], in: directory, input: "fine\n")
                #expect(streamed.status == 0, "\(streamed.stderr)")
                #expect(streamed.stdout.contains("[input-required]") && streamed.stdout.contains("go -> fine"), "\(streamed.stdout)")
                #expect(streamed.stdout.hasSuffix("[completed]\n"), "\(streamed.stdout)")

                // --no-input (or the end of standard input): the question, exit code 3, the task left waiting.
                let waiting = try await run(["send", "--url", url, "--no-input", "--json", "later"], in: directory)
                #expect(waiting.status == 3, "\(waiting.stderr)")
                let task = try JSONDecoder().decode(JSONValue.self, from: Data(waiting.stdout.utf8))
                #expect(task.at("task.status.state") == "TASK_STATE_INPUT_REQUIRED")
                let ended = try await run(["send", "--url", url, "--interactive", "later"], in: directory, input: "")
                #expect(ended.status == 3, "no answer at the end of standard input: \(ended.stderr)")
                #expect(ended.stderr.contains("The task waits for input"))

                // The same conversation with a local store, over stdio.
                let (_, path) = try await localStore(directory, actors: [
                    ActorDefinition(name: "ask", graphURL: try #require(TestEnvironment.langGraphURL), assistantID: "ask", isDefault: true)
                ])
                let local = try await run(["send", "--store", path, "--interactive", "ship"], in: directory, input: "approved\n")
                #expect(local.status == 0, "\(local.stderr)")
                #expect(local.stdout.contains("Approve 'ship'?") && local.stdout.contains("ship -> approved"), "\(local.stdout)")
            }
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func sendAsksParallelQuestionsInTurnAndAnswersThemTogether() async throws {
        let server = try await TestServer.start()
        do {
            // The real LangGraph graph whose two parallel nodes interrupt at once.
            let namespace = try await server.createNamespace(assistant: "ask_two")
            try await withTemporaryDirectory { directory in
                let answered = try await run(["send", "--url", server.endpoint(namespace.rawValue), "--interactive", "release"], in: directory, input: "red\nblue\n")
                #expect(answered.status == 0, "\(answered.stderr)")
                let lines = answered.stdout.split(separator: "\n").map(String.init)
                let questions = lines.filter { $0.hasPrefix("(1/2) ") || $0.hasPrefix("(2/2) ") }
                #expect(questions.count == 2, "each question asked once, numbered: \(answered.stdout)")
                // The answers go to the questions in the order they were asked, whichever came first.
                let firstAskedFirst = questions.first?.contains("First approval for 'release'?") == true
                #expect(questions.contains { $0.contains("Second approval for 'release'?") }, "\(questions)")
                let expected = firstAskedFirst ? "release -> first=red, second=blue" : "release -> first=blue, second=red"
                #expect(answered.stdout.contains("completed") && answered.stdout.contains(expected), "\(answered.stdout)")
            }
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func ctrlCWhileTheTaskWaitsForAnAnswerCancelsIt() async throws {
        let server = try await TestServer.start()
        do {
            let namespace = try await server.createNamespace(assistant: "ask")
            let url = server.endpoint(namespace.rawValue)
            try await withTemporaryDirectory { directory in
                let process = Process()
                process.executableURL = URL(fileURLWithPath: ChildProcess.cleveragents)
                process.arguments = ["send", "--url", url, "--interactive", "interrupt", "me"]
                process.environment = ProcessInfo.processInfo.environment.merging(Self.environment(directory)) { _, new in new }
                let input = Pipe()  // kept open: the command waits for an answer
                let output = Pipe()
                process.standardInput = input
                process.standardOutput = output
                process.standardError = FileHandle.nullDevice
                try process.run()
                // A command that never shows its question must fail the test, not hang it.
                let watchdog = Task {
                    try await Task.sleep(for: .seconds(60))
                    process.terminate()
                }
                defer { watchdog.cancel() }
                // Once the command shows the question, it knows the task and waits for an answer.
                let shown = await withCheckedContinuation { continuation in
                    DispatchQueue.global().async {
                        var text = ""
                        while !text.contains("Approve 'interrupt me'?") {
                            let chunk = output.fileHandleForReading.availableData
                            if chunk.isEmpty { break }
                            text += String(decoding: chunk, as: UTF8.self)
                        }
                        continuation.resume(returning: text)
                    }
                }
                #expect(shown.contains("Approve 'interrupt me'?"), "\(shown)")
                let listed = try await RPCTestClient().call(url, method: "ListTasks", params: "{}")
                let id = try #require(try listed.result()["tasks"]?.arrayValue?.first?["id"]?.stringValue)
                kill(process.processIdentifier, SIGINT)
                let status = try await ChildProcess.wait(for: process)
                try? input.fileHandleForWriting.close()
                #expect(status == 130)
                let task = try await RPCTestClient().call(url, method: "GetTask", params: #"{"id":"\#(id)"}"#)
                #expect(try task.result().at("status.state") == "TASK_STATE_CANCELED")
            }
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func sendAndTasksReachAServerThroughAProfile() async throws {
        let server = try await TestServer.start()
        do {
            let namespace = try await server.createNamespace()
            try await withTemporaryDirectory { directory in
                try ProfileFile(default: "team", profiles: ["team": .init(url: server.endpoint(namespace.rawValue), token: "unused")])
                    .save(path: directory.appendingPathComponent("profiles.json").path)
                let reply = try await run(["send", "--json", "via", "profile"], in: directory)
                #expect(reply.status == 0, "\(reply.stderr)")
                let response = try JSONDecoder().decode(JSONValue.self, from: Data(reply.stdout.utf8))
                #expect(response.at("task.artifacts.0.parts.0.text") == "echo: via profile")
                let listed = try await run(["tasks", "list", "--profile", "team"], in: directory)
                #expect(listed.stdout.contains(try #require(response.at("task.id")?.stringValue)))
                let unknown = try await run(["tasks", "list", "--profile", "nope"], in: directory)
                #expect(unknown.status != 0)
                #expect(unknown.stderr.contains("no profile named 'nope'"))
            }
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func syncPushPullStatusAndConflictsFromTheCommandLine() async throws {
        let server = try await TestServer.start()
        do {
            let namespace = try await server.createNamespace(assistant: nil)
            let url = server.endpoint(namespace.rawValue)
            try await withTemporaryDirectory { directory in
                let (store, path) = try await localStore(directory, actors: [
                    ActorDefinition(name: "writer", graphURL: "http://graphs.example", assistantID: "w1", isDefault: true),
                    ActorDefinition(name: "reviewer", graphURL: "http://graphs.example", assistantID: "r1"),
                ])
                let pushed = try await run(["sync", "push", "--url", url, "--store", path, "--json"], in: directory)
                #expect(pushed.status == 0, "\(pushed.stderr)")
                let report = try JSONDecoder().decode(JSONValue.self, from: Data(pushed.stdout.utf8))
                #expect(report["applied"] == ["actor/reviewer", "actor/writer"])
                #expect(try await server.store.actors(in: namespace).count == 2)

                let progress = try await run(["sync", "pull", "--url", url, "--store", path, "--progress"], in: directory)
                #expect(progress.status == 0)
                #expect(progress.stdout.contains("Pulled 0 change(s); 2 already in step"))
                #expect(progress.stderr.contains("Pulling 2/2 entities"))

                try await store.putActor(ActorDefinition(name: "writer", graphURL: "http://graphs.example", assistantID: "w-local", isDefault: true), in: NamespaceName("local")!)
                try await server.store.putActor(ActorDefinition(name: "writer", graphURL: "http://graphs.example", assistantID: "w-server", isDefault: true), in: namespace)
                let status = try await run(["sync", "status", "--url", url, "--store", path, "--json"], in: directory)
                let state = try JSONDecoder().decode(JSONValue.self, from: Data(status.stdout.utf8))
                #expect(state["localChanges"] == 1)
                let conflicted = try await run(["sync", "pull", "--url", url, "--store", path], in: directory)
                #expect(conflicted.status == 3)
                #expect(conflicted.stdout.contains("conflict  actor/writer"))
                #expect(conflicted.stdout.contains("--prefer"))
                let settled = try await run(["sync", "push", "--url", url, "--store", path, "--prefer", "local"], in: directory)
                #expect(settled.status == 0, "\(settled.stdout)\(settled.stderr)")
                #expect(try await server.store.actors(in: namespace).first { $0.name == "writer" }?.assistantID == "w-local")
                let readable = try await run(["sync", "status", "--url", url, "--store", path], in: directory)
                #expect(readable.stdout.contains("0 change(s) to push"))

                let noServer = try await run(["sync", "push", "--store", path], in: directory)
                #expect(noServer.status != 0)
                #expect(noServer.stderr.contains("sync needs a server"))
            }
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }
}
