//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import CleverAgentsPostgres
import CleverAgentsRuntime
import CleverAgentsServer
import CleverAgentsTestSupport
import Foundation
import PostgresNIO
import Testing

/// Several replicas on one PostgreSQL and one LangGraph server: streams on any replica, a
/// replica killed mid-run, namespace caps.
@Suite(.enabled(if: TestEnvironment.hasServices), .serialized) struct ScaleOutTests {
    static func slowMessage(seconds: Int, id: String = UUID().uuidString) -> String {
        #"{"message":{"messageId":"\#(id)","role":"ROLE_USER","parts":[{"text":"wait"},{"data":{"seconds":\#(seconds)}}]}}"#
    }

    /// Waits for `condition`, checking every 50 ms, for at most `seconds`.
    static func wait(seconds: Double = 30, _ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting until \(what)")
        throw CancellationError()
    }

    @Test func sendOnOneReplicaSubscribeOnAnotherCancelOnAThird() async throws {
        let group = TestEnvironment.uniqueName("cluster")
        let replicas = try await [TestServer.start { $0.taskQueueGroup = group }, TestServer.start { $0.taskQueueGroup = group }, TestServer.start { $0.taskQueueGroup = group }]
        let (a, b, c) = (replicas[0], replicas[1], replicas[2])
        do {
            let namespace = try await a.createNamespace(assistant: "slow")
            let client = RPCTestClient()
            async let streamed = client.stream(a.endpoint(namespace.rawValue), method: "SendStreamingMessage", params: Self.slowMessage(seconds: 30))
            var taskId = ""
            try await Self.wait("the task exists") {
                let list = try await client.call(a.endpoint(namespace.rawValue), method: "ListTasks")
                taskId = try list.result()["tasks"]?.arrayValue?.first?["id"]?.stringValue ?? ""
                return !taskId.isEmpty
            }
            let subscribe = #"{"id":"\#(taskId)"}"#
            async let onB = client.stream(b.endpoint(namespace.rawValue), method: "SubscribeToTask", params: subscribe)
            async let onC = client.stream(c.endpoint(namespace.rawValue), method: "SubscribeToTask", params: subscribe)
            try await Self.wait("both subscriptions are open") {
                let onB = await b.server.service.directory.activeActor(for: namespace)?.subscriberCount ?? 0
                let onC = await c.server.service.directory.activeActor(for: namespace)?.subscriberCount ?? 0
                return onB >= 1 && onC >= 1
            }
            try await Self.wait("the graph reports progress") {
                let task = try await a.store.task(namespace: namespace, id: taskId)
                return task?.status.message?.parts.contains { part in
                    if case .data(let value) = part.content { return value["elapsed"] != nil }
                    return false
                } == true
            }
            let canceled = try await client.call(c.endpoint(namespace.rawValue), method: "CancelTask", params: #"{"id":"\#(taskId)"}"#)
            #expect(try canceled.result().at("status.state") == "TASK_STATE_CANCELED")

            let streams = try await [streamed.results, onB.results, onC.results]
            // The sender's stream: the task, then every update; a subscription: the task as it was
            // when it subscribed, then every later update. Each ends canceled.
            let sent = Array(streams[0].dropFirst())
            for (name, events) in zip(["A", "B", "C"], streams) {
                #expect(events.first?["task"]?["id"] == .string(taskId), "\(name) starts with the task")
                #expect(events.last?.at("statusUpdate.status.state") == "TASK_STATE_CANCELED", "\(name) ends canceled")
                let updates = Array(events.dropFirst())
                #expect(!updates.isEmpty && sent.suffix(updates.count) == updates[...], "\(name) has the same updates in the same order")
            }
            let log = try await a.store.events(namespace: namespace, taskId: taskId, afterSequence: 0)
            #expect(log.map(\.sequence) == Array(1...Int64(log.count)), "one log, no gaps")
            #expect(log.count == sent.count + 1, "the sender saw every logged event")
        } catch {
            for replica in replicas { try await replica.stop() }
            throw error
        }
        for replica in replicas { try await replica.stop() }
    }

    @Test func aNamespaceAtItsCapCannotDelayAnotherNamespace() async throws {
        let server = try await TestServer.start()
        do {
            let busy = try await server.createNamespace(assistant: "slow")
            let quiet = try await server.createNamespace(assistant: "echo")
            try await server.store.setRunningLimit(2, namespace: busy)
            let client = RPCTestClient()
            var busyTasks: [String] = []
            for _ in 0..<6 {
                let sent = try await client.call(
                    server.endpoint(busy.rawValue), method: "SendMessage",
                    params: #"{"message":{"messageId":"\#(UUID().uuidString)","role":"ROLE_USER","parts":[{"text":"wait"},{"data":{"seconds":1}}]},"configuration":{"returnImmediately":true}}"#
                )
                busyTasks.append(try #require(try sent.result().at("task.id")?.stringValue))
            }
            let quick = try await client.call(server.endpoint(quiet.rawValue), method: "SendMessage", params: #"{"message":{"messageId":"q","role":"ROLE_USER","parts":[{"text":"hi"}]}}"#)
            let quickTask = try #require(try quick.result().at("task.id")?.stringValue)
            try await Self.wait(seconds: 60, "every task ended") {
                for id in busyTasks {
                    guard try await server.store.task(namespace: busy, id: id)?.state.isTerminal == true else { return false }
                }
                return true
            }
            // When each task started and ended, from its event log.
            func span(_ namespace: NamespaceName, _ id: String) async throws -> (start: Int64, end: Int64, state: String?) {
                let log = try await server.store.events(namespace: namespace, taskId: id, afterSequence: 0)
                let statuses = log.compactMap { record -> TaskStatusUpdateEvent? in
                    if case .statusUpdate(let update) = record.event { return update }
                    return nil
                }
                let start = statuses.first { $0.status.state == .working }?.status.timestamp?.millisecondsSinceEpoch ?? .max
                let end = statuses.last?.status.timestamp?.millisecondsSinceEpoch ?? .max
                return (start, end, statuses.last?.status.state.rawValue)
            }
            var spans: [(start: Int64, end: Int64, state: String?)] = []
            for id in busyTasks { spans.append(try await span(busy, id)) }
            #expect(spans.allSatisfy { $0.state == "TASK_STATE_COMPLETED" })
            // At no moment did more than two of the busy namespace's tasks run.
            for moment in spans.map(\.start) {
                let running = spans.filter { $0.start <= moment && moment < $0.end }.count
                #expect(running <= 2, "\(running) tasks ran at once")
            }
            // The quiet namespace's task did not wait for the busy namespace's queue.
            let quickSpan = try await span(quiet, quickTask)
            #expect(quickSpan.state == "TASK_STATE_COMPLETED")
            let thirdStart = spans.map(\.start).sorted()[2]
            #expect(quickSpan.end < thirdStart, "the quiet task ended before the busy namespace's third task started")
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }
}

/// `cleveragents serve` processes sharing one queue, for tests that kill them.
struct ReplicaProcess {
    let name: String
    let port: Int
    let process: Process

    static func start(name: String, group: String) async throws -> ReplicaProcess {
        let database = try #require(TestEnvironment.databaseURL)
        for _ in 0..<5 {
            let port = Int.random(in: 20_000...40_000)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: ChildProcess.cleveragents)
            process.arguments = ["serve", "--port", String(port), "--database-url", database, "--log-level", "error"]
            var environment = ProcessInfo.processInfo.environment
            environment["CLEVERAGENTS_REPLICA_NAME"] = name
            environment["CLEVERAGENTS_TASKS_QUEUE_GROUP"] = group
            environment["CLEVERAGENTS_TASKS_LEASE_SECONDS"] = "2"
            environment["CLEVERAGENTS_TASKS_POLL_INTERVAL_MS"] = "200"
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let client = RPCTestClient()
            for _ in 0..<200 where process.isRunning {
                if (try? await client.get("http://127.0.0.1:\(port)/readyz"))?.status == 200 {
                    return ReplicaProcess(name: name, port: port, process: process)
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            process.terminate()
            _ = try await ChildProcess.wait(for: process)
        }
        throw MissingTestService("a replica process that starts")
    }

    func endpoint(_ namespace: NamespaceName) -> String { "http://127.0.0.1:\(port)/ns/\(namespace)" }

    func kill() async throws {
        Foundation.kill(process.processIdentifier, SIGKILL)
        _ = try await ChildProcess.wait(for: process)
    }

    func stop() async throws {
        guard process.isRunning else { return }
        process.terminate()
        _ = try await ChildProcess.wait(for: process)
    }
}

@Suite(.enabled(if: TestEnvironment.hasServices), .serialized) struct ReplicaFailureTests {
    @Test func aTaskWhoseReplicaIsKilledMidRunCompletesOnAnotherWithEveryEventOnce() async throws {
        let group = TestEnvironment.uniqueName("killed")
        let arranger = try await TestServer.start()
        var replicas = [try await ReplicaProcess.start(name: "\(group)-1", group: group), try await ReplicaProcess.start(name: "\(group)-2", group: group)]
        do {
            let namespace = try await arranger.createNamespace(assistant: "slow")
            let client = RPCTestClient()
            for round in 0..<10 {
                let sent = try await client.call(
                    replicas[round % 2].endpoint(namespace), method: "SendMessage",
                    params: #"{"message":{"messageId":"m\#(round)","role":"ROLE_USER","parts":[{"text":"wait"},{"data":{"seconds":3}}]},"configuration":{"returnImmediately":true}}"#
                )
                let taskId = try #require(try sent.result().at("task.id")?.stringValue)
                // Mid-run: the run started and reported progress; then kill whoever holds the task.
                var owner = ""
                try await ScaleOutTests.wait("round \(round): the run is under way") {
                    let task = try await arranger.store.task(namespace: namespace, id: taskId)
                    guard task?.runID != nil, task?.status.message != nil else { return false }
                    owner = try await Self.leaseOwner(arranger.store, namespace, taskId) ?? ""
                    return !owner.isEmpty
                }
                let victim = try #require(replicas.firstIndex { $0.name == owner }, "round \(round): \(owner) is one of the replicas")
                try await replicas[victim].kill()

                try await ScaleOutTests.wait(seconds: 60, "round \(round): the task ended") {
                    try await arranger.store.task(namespace: namespace, id: taskId)?.state.isTerminal == true
                }
                let task = try #require(try await arranger.store.task(namespace: namespace, id: taskId))
                #expect(task.state == .completed, "round \(round)")
                #expect(task.runInput == nil)
                #expect(try await Self.leaseOwner(arranger.store, namespace, taskId) == nil)
                let log = try await arranger.store.events(namespace: namespace, taskId: taskId, afterSequence: 0)
                #expect(log.map(\.sequence) == Array(1...Int64(log.count)), "round \(round): in order, without gaps")
                let terminal = log.filter { record in
                    if case .statusUpdate(let update) = record.event { return update.status.state.isTerminal }
                    return false
                }
                #expect(terminal.count == 1, "round \(round): one end")
                let artifactStarts = log.compactMap { record -> String? in
                    if case .artifactUpdate(let update) = record.event, update.append != true { return update.artifact.artifactId }
                    return nil
                }
                #expect(Set(artifactStarts).count == artifactStarts.count, "round \(round): no artifact twice")
                #expect(task.artifacts.count == Set(artifactStarts).count)

                replicas[victim] = try await ReplicaProcess.start(name: owner, group: group)
            }
        } catch {
            for replica in replicas { try? await replica.stop() }
            try await arranger.stop()
            throw error
        }
        for replica in replicas { try await replica.stop() }
        try await arranger.stop()
    }

    @Test func sigtermUnderLoadHandsTasksOverAndLosesNone() async throws {
        let group = TestEnvironment.uniqueName("sigterm")
        let arranger = try await TestServer.start()
        let leaving = try await ReplicaProcess.start(name: "\(group)-leaving", group: group)
        let staying = try await ReplicaProcess.start(name: "\(group)-staying", group: group)
        do {
            let namespace = try await arranger.createNamespace(assistant: "slow")
            let client = RPCTestClient()
            var taskIds: [String] = []
            for index in 0..<8 {
                let sent = try await client.call(
                    (index % 2 == 0 ? leaving : staying).endpoint(namespace), method: "SendMessage",
                    params: #"{"message":{"messageId":"s\#(index)","role":"ROLE_USER","parts":[{"text":"wait"},{"data":{"seconds":3}}]},"configuration":{"returnImmediately":true}}"#
                )
                taskIds.append(try #require(try sent.result().at("task.id")?.stringValue))
            }
            // Once the leaving replica runs some of them, stop it the way Kubernetes does.
            try await ScaleOutTests.wait("the leaving replica runs tasks") {
                for id in taskIds where try await Self.leaseOwner(arranger.store, namespace, id) == leaving.name { return true }
                return false
            }
            leaving.process.terminate()
            let status = try await ChildProcess.wait(for: leaving.process)
            #expect(status == 0, "graceful shutdown exits 0")
            try await ScaleOutTests.wait(seconds: 90, "every task ended") {
                for id in taskIds {
                    guard try await arranger.store.task(namespace: namespace, id: id)?.state.isTerminal == true else { return false }
                }
                return true
            }
            for id in taskIds {
                let task = try #require(try await arranger.store.task(namespace: namespace, id: id))
                #expect(task.state == .completed, "\(id) completed")
                let log = try await arranger.store.events(namespace: namespace, taskId: id, afterSequence: 0)
                #expect(log.map(\.sequence) == Array(1...Int64(log.count)))
            }
        } catch {
            try? await leaving.stop()
            try? await staying.stop()
            try await arranger.stop()
            throw error
        }
        try await staying.stop()
        try await arranger.stop()
    }

    static func leaseOwner(_ store: PostgresStore, _ namespace: NamespaceName, _ taskId: String) async throws -> String? {
        let rows = try await store.client.query("SELECT lease_owner FROM tasks WHERE namespace = \(namespace.rawValue) AND id = \(taskId)", logger: store.logger)
        return try await rows.collect().first?.decode(String?.self)
    }
}
