//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import CleverAgentsLangGraph
import CleverAgentsPostgres
import CleverAgentsServer
import CleverAgentsTestSupport
import Foundation
import Testing

/// The attack of security finding 5, against a real server: a tenant points its actor at a graph
/// server that streams one endless `data:` line (or endless small events). The task fails with a
/// clear reason, the graph server can send only about the limit before the connection is dropped,
/// and the other tenants are served meanwhile. A `cleveragents serve` process under the same
/// attack keeps its peak memory small.
@Suite(.enabled(if: TestEnvironment.hasServices), .timeLimit(.minutes(5)))
struct GraphServerBoundsTests {
    static let client = RPCTestClient()

    /// Waits until `condition` holds, checking every 20 ms, for at most `seconds`.
    static func wait(seconds: Int = 60, _ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("timed out waiting until \(what)")
        throw CancellationError()
    }

    /// Points the default actor of a new namespace (of the server `store` belongs to) at `graph`.
    static func hostileNamespace(on server: TestServer, graph: HostileGraphServer) async throws -> NamespaceName {
        let namespace = try await server.createNamespace(assistant: nil)
        try await server.store.putActor(ActorDefinition(name: "hostile", graphURL: graph.url, assistantID: "agent", isDefault: true), in: namespace)
        return namespace
    }

    static func message(_ text: String, returnImmediately: Bool) -> String {
        #"{"message":{"messageId":"\#(UUID().uuidString)","role":"ROLE_USER","parts":[{"text":"\#(text)"}]},"configuration":{"returnImmediately":\#(returnImmediately)}}"#
    }

    /// Sends a message that returns at once; the task's id.
    static func start(_ endpoint: String) async throws -> String {
        let reply = try await client.call(endpoint, method: "SendMessage", params: message("attack", returnImmediately: true))
        return try #require(try reply.result().at("task.id")?.stringValue)
    }

    /// The task's status, read with GetTask.
    static func status(_ endpoint: String, task: String) async throws -> (state: String?, text: String?) {
        let task = try await client.call(endpoint, method: "GetTask", params: #"{"id":"\#(task)"}"#).result()
        return (task.at("status.state")?.stringValue, task.at("status.message.parts")?.arrayValue?.first?["text"]?.stringValue)
    }

    /// Waits until the task failed, and returns its reason.
    static func failure(_ endpoint: String, task: String) async throws -> String? {
        var last: (state: String?, text: String?) = (nil, nil)
        try await wait("the task failed") {
            last = try await status(endpoint, task: task)
            return last.state == "TASK_STATE_FAILED"
        }
        return last.text
    }

    /// A quiet tenant on the real LangGraph server gets its answers: a blocking SendMessage
    /// completes and GetTask reads the task.
    static func expectServed(_ endpoint: String) async throws {
        let sent = try await client.call(endpoint, method: "SendMessage", params: message("hello", returnImmediately: false)).result()
        #expect(sent.at("task.status.state") == "TASK_STATE_COMPLETED")
        let id = try #require(sent.at("task.id")?.stringValue)
        let read = try await client.call(endpoint, method: "GetTask", params: #"{"id":"\#(id)"}"#).result()
        #expect(read.at("status.state") == "TASK_STATE_COMPLETED")
    }

    @Test func anEndlessLineFailsTheTaskWhileOtherTenantsAreServed() async throws {
        let limit = 1 << 20
        // The graph server pauses half-way through its endless line: the replica then holds half
        // an event of it while the other tenant is served.
        let graph = try await HostileGraphServer.start(.endlessLine, pauseAfter: limit / 2)
        let server = try await TestServer.start { $0.langGraph.maximumEventBytes = limit }
        do {
            let hostile = try await Self.hostileNamespace(on: server, graph: graph)
            let quiet = try await server.createNamespace(assistant: "echo")
            let task = try await Self.start(server.endpoint(hostile.rawValue))
            try await Self.wait("the graph server sent half the limit") { graph.bytesSent >= limit / 2 }

            try await Self.expectServed(server.endpoint(quiet.rawValue))
            let meanwhile = try await Self.status(server.endpoint(hostile.rawValue), task: task).state
            #expect(meanwhile == "TASK_STATE_SUBMITTED" || meanwhile == "TASK_STATE_WORKING", "the attacked task is still running")

            graph.resume()
            let reason = try await Self.failure(server.endpoint(hostile.rawValue), task: task)
            #expect(reason == "The graph server sent a line longer than 1 MiB (langgraph.maxEventBytes); the run was stopped")
            try await Self.wait("the connection to the graph server is dropped") { graph.streamsClosed == 1 }
            #expect(graph.streamsOpened == 1, "the stream was not re-joined")
            #expect(graph.cancelPaths.count == 1, "the run was canceled")
            #expect(graph.bytesSent > limit)
            #expect(graph.bytesSent <= limit + HostileGraphServer.socketSlack, "the graph server could send \(graph.bytesSent) bytes")
            print("GraphServerBoundsTests: endless line, limit \(limit) bytes; the graph server could send \(graph.bytesSent) bytes")

            try await Self.expectServed(server.endpoint(quiet.rawValue))
        } catch {
            try await server.stop()
            try await graph.stop()
            throw error
        }
        try await server.stop()
        try await graph.stop()
    }

    @Test func endlessSmallEventsFailTheTaskAtTheEventCount() async throws {
        let graph = try await HostileGraphServer.start(.endlessEvents)
        let server = try await TestServer.start { $0.langGraph.maximumEventsPerRun = 20_000 }
        do {
            let hostile = try await Self.hostileNamespace(on: server, graph: graph)
            let quiet = try await server.createNamespace(assistant: "echo")
            let task = try await Self.start(server.endpoint(hostile.rawValue))
            try await Self.expectServed(server.endpoint(quiet.rawValue))

            let reason = try await Self.failure(server.endpoint(hostile.rawValue), task: task)
            #expect(reason == "The graph server sent more than 20000 events in one run (langgraph.maxEventsPerRun); the run was stopped")
            try await Self.wait("the connection to the graph server is dropped") { graph.streamsClosed == 1 }
            #expect(graph.streamsOpened == 1, "the stream was not re-joined")
            #expect(graph.bytesSent <= 20_000 * "data: x\n\n".utf8.count + HostileGraphServer.socketSlack)
            print("GraphServerBoundsTests: endless events, limit 20000 events; the graph server could send \(graph.bytesSent) bytes")
        } catch {
            try await server.stop()
            try await graph.stop()
            throw error
        }
        try await server.stop()
        try await graph.stop()
    }

    /// The peak resident memory (`VmHWM`) of a process, in bytes.
    static func peakResidentBytes(of pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") })
        let kilobytes = try #require(line.split(whereSeparator: \.isWhitespace).dropFirst().first.flatMap { Int($0) })
        return kilobytes << 10
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/status"), "reads the peak memory from /proc"))
    func aServeProcessKeepsItsPeakMemorySmallUnderAnEndlessLine() async throws {
        let graph = try await HostileGraphServer.start(.endlessLine)
        let arranger = try await TestServer.start()
        let replica = try await ReplicaProcess.start(name: TestEnvironment.uniqueName("bounded"), group: TestEnvironment.uniqueName("bounds"))
        do {
            let hostile = try await Self.hostileNamespace(on: arranger, graph: graph)
            let quiet = try await arranger.createNamespace(assistant: "echo")
            // Warm: one ordinary task first, so the baseline includes what any run costs.
            try await Self.expectServed(replica.endpoint(quiet))
            let before = try Self.peakResidentBytes(of: replica.process.processIdentifier)

            let task = try await Self.start(replica.endpoint(hostile))
            let reason = try await Self.failure(replica.endpoint(hostile), task: task)
            #expect(reason == "The graph server sent a line longer than 8 MiB (langgraph.maxEventBytes); the run was stopped")
            try await Self.wait("the connection to the graph server is dropped") { graph.streamsClosed == 1 }
            try await Self.expectServed(replica.endpoint(quiet))
            let peak = try Self.peakResidentBytes(of: replica.process.processIdentifier)

            print(
                "GraphServerBoundsTests: cleveragents serve peak RSS (VmHWM) \(peak >> 20) MiB after an endless line (\(before >> 20) MiB before); "
                    + "the graph server could send \(graph.bytesSent) bytes against the 8 MiB limit"
            )
            #expect(peak < 512 << 20, "peak RSS \(peak >> 20) MiB")
            #expect(graph.bytesSent <= (8 << 20) + HostileGraphServer.socketSlack)
        } catch {
            try await replica.stop()
            try await arranger.stop()
            try await graph.stop()
            throw error
        }
        try await replica.stop()
        try await arranger.stop()
        try await graph.stop()
    }
}
