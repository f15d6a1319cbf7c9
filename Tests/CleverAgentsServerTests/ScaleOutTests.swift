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
@testable import CleverAgentsServer
import CleverAgentsTestSupport
import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing

/// Several replicas on one PostgreSQL and one LangGraph server: streams on any replica, a
/// replica killed mid-run, namespace caps.
@Suite(.enabled(if: TestEnvironment.hasServices), .serialized, .timeLimit(.minutes(5))) struct ScaleOutTests {
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
        let replicas = try await [TestServer.start { $0.tasks.queueGroup = group }, TestServer.start { $0.tasks.queueGroup = group }, TestServer.start { $0.tasks.queueGroup = group }]
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
            // Runs far longer than the test: the busy namespace stays at its cap, with a queue
            // behind it, until the test cancels its tasks. No budget of time is assumed.
            for _ in 0..<6 {
                let sent = try await client.call(
                    server.endpoint(busy.rawValue), method: "SendMessage",
                    params: #"{"message":{"messageId":"\#(UUID().uuidString)","role":"ROLE_USER","parts":[{"text":"wait"},{"data":{"seconds":600}}]},"configuration":{"returnImmediately":true}}"#
                )
                busyTasks.append(try #require(try sent.result().at("task.id")?.stringValue))
            }
            func busyStates() async throws -> [TaskState] {
                var states: [TaskState] = []
                for id in busyTasks {
                    states.append(try #require(try await server.store.task(namespace: busy, id: id)).state)
                }
                return states
            }
            try await Self.wait(seconds: 60, "two busy tasks run") {
                try await busyStates().filter { $0 == .working }.count == 2
            }

            let quick = try await client.call(server.endpoint(quiet.rawValue), method: "SendMessage", params: #"{"message":{"messageId":"q","role":"ROLE_USER","parts":[{"text":"hi"}]}}"#)
            #expect(try quick.result().at("task.status.state") == "TASK_STATE_COMPLETED", "the quiet namespace's task ran to its end")

            // It did so while the busy namespace still held its cap and its queue: it did not
            // wait behind them.
            let states = try await busyStates()
            #expect(states.filter { $0 == .working }.count == 2, "the busy namespace ran two tasks, its cap: \(states)")
            #expect(states.filter { $0 == .submitted }.count == 4, "the other four still waited: \(states)")

            for id in busyTasks {
                let canceled = try await client.call(server.endpoint(busy.rawValue), method: "CancelTask", params: #"{"id":"\#(id)"}"#)
                #expect(try canceled.result().at("status.state") == "TASK_STATE_CANCELED")
            }
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

    /// `log`: a file that gets the process's log (text lines at `logLevel`) instead of nothing.
    static func start(name: String, group: String, databaseURL: String? = nil, log: URL? = nil, logLevel: String = "error") async throws -> ReplicaProcess {
        let database = try #require(databaseURL ?? TestEnvironment.databaseURL)
        for _ in 0..<5 {
            let port = Int.random(in: 20_000...40_000)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: ChildProcess.cleveragents)
            process.arguments = ["serve", "--port", String(port), "--database-url", database, "--log-level", logLevel]
            var environment = ProcessInfo.processInfo.environment
            environment["CLEVERAGENTS_REPLICA_NAME"] = name
            environment["CLEVERAGENTS_TASKS_QUEUE_GROUP"] = group
            environment["CLEVERAGENTS_TASKS_LEASE_SECONDS"] = "2"
            environment["CLEVERAGENTS_TASKS_POLL_INTERVAL_MS"] = "200"
            // Like the test servers: the tests' webhooks listen on loopback.
            environment["CLEVERAGENTS_PUSH_ALLOW_LIST"] = "127.0.0.1"
            process.environment = environment
            if let log {
                FileManager.default.createFile(atPath: log.path, contents: nil)
                let handle = try FileHandle(forWritingTo: log)
                process.standardOutput = handle
                process.standardError = handle
            } else {
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
            }
            try process.run()
            let client = RPCTestClient()
            // Up to a minute: a replica starting while the whole suite runs on two cores is slow.
            for _ in 0..<1200 where process.isRunning {
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

    /// Whether a lease owner is a process of this replica's name: `<name>-<8 hex of the process>`.
    func ownsLeases(of owner: String?) -> Bool {
        guard let owner, owner.hasPrefix("\(name)-") else { return false }
        let incarnation = owner.dropFirst(name.count + 1)
        return incarnation.count == 8 && incarnation.allSatisfy(\.isHexDigit)
    }

    func kill() async throws {
        Foundation.kill(process.processIdentifier, SIGKILL)
        _ = try await ChildProcess.wait(for: process)
    }

    /// SIGTERM, and SIGKILL if the process is still there after 30 s (a test must not hang on it).
    func stop() async throws {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<600 where process.isRunning {
            try await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning {
            Issue.record("\(name) did not stop within 30 s of SIGTERM")
            Foundation.kill(process.processIdentifier, SIGKILL)
        }
        _ = try await ChildProcess.wait(for: process)
    }
}

@Suite(.enabled(if: TestEnvironment.hasServices), .serialized, .timeLimit(.minutes(5))) struct ReplicaFailureTests {
    // Killed replicas hold what they claimed (push deliveries too) until their leases run out:
    // these tests use a database of their own, so that no other test waits for those leases.
    /// A queue group of its own, and a test server on `database` that arranges namespaces and
    /// reads the store (it runs no task of the group).
    static func arrange(_ name: String, database: String) async throws -> (group: String, arranger: TestServer) {
        let url = try DatabaseURL(database)
        return (TestEnvironment.uniqueName(name), try await TestServer.start { $0.database.url = url })
    }

    @Test func aTaskWhoseReplicaIsKilledMidRunCompletesOnAnotherWithEveryEventOnce() async throws {
        try await PostgresTestDatabase.withFreshDatabase { database in try await Self.killMidRun(database: database) }
    }

    static func killMidRun(database: String) async throws {
        let (group, arranger) = try await arrange("killed", database: database)
        // Each process logs to a file of its own, shown when a round times out.
        let logs = FileManager.default.temporaryDirectory.appendingPathComponent(group)
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: logs) }
        func start(_ name: String, incarnation: Int) async throws -> ReplicaProcess {
            try await ReplicaProcess.start(name: name, group: group, databaseURL: database, log: logs.appendingPathComponent("\(name)-\(incarnation).log"), logLevel: "info")
        }
        var replicas = [try await start("\(group)-1", incarnation: 0), try await start("\(group)-2", incarnation: 0)]
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
                let victim = try #require(replicas.firstIndex { $0.ownsLeases(of: owner) }, "round \(round): \(owner) is one of the replicas")
                let victimName = replicas[victim].name
                try await replicas[victim].kill()

                do {
                    try await ScaleOutTests.wait(seconds: 120, "round \(round): the task ended") {
                        try await arranger.store.task(namespace: namespace, id: taskId)?.state.isTerminal == true
                    }
                } catch {
                    Issue.record("round \(round), after \(victimName) was killed:\n\(try await Self.queueState(arranger.store, namespace, taskId, logs: logs))")
                    throw error
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

                replicas[victim] = try await start(victimName, incarnation: round + 1)
            }
        } catch {
            for replica in replicas { try? await replica.stop() }
            try await arranger.stop()
            throw error
        }
        for replica in replicas { try await replica.stop() }
        try await arranger.stop()
    }

    @Test func aReplicaRestartedUnderItsNameDoesNotKeepItsPredecessorsTasks() async throws {
        try await PostgresTestDatabase.withFreshDatabase { database in try await Self.restartedUnderItsName(database: database) }
    }

    /// A container killed in its pod starts again under the same replica name (the chart names
    /// replicas after their pods). The task its predecessor ran must be claimed again once that
    /// lease expires, even while the new process runs tasks of its own and renews its leases.
    static func restartedUnderItsName(database: String) async throws {
        let (group, arranger) = try await arrange("restarted", database: database)
        var replica = try await ReplicaProcess.start(name: "\(group)-pod", group: group, databaseURL: database)
        do {
            let namespace = try await arranger.createNamespace(assistant: "slow")
            let client = RPCTestClient()
            func send(_ id: String, seconds: Int) async throws -> String {
                let sent = try await client.call(
                    replica.endpoint(namespace), method: "SendMessage",
                    params: #"{"message":{"messageId":"\#(id)","role":"ROLE_USER","parts":[{"text":"wait"},{"data":{"seconds":\#(seconds)}}]},"configuration":{"returnImmediately":true}}"#
                )
                return try #require(try sent.result().at("task.id")?.stringValue)
            }
            let orphan = try await send("orphan", seconds: 3)
            try await ScaleOutTests.wait("the first process runs the task") {
                let task = try await arranger.store.task(namespace: namespace, id: orphan)
                let owner = try await Self.leaseOwner(arranger.store, namespace, orphan)
                return task?.runID != nil && owner != nil
            }
            let predecessor = try await Self.leaseOwner(arranger.store, namespace, orphan)
            try await replica.kill()

            replica = try await ReplicaProcess.start(name: replica.name, group: group, databaseURL: database)
            // A long task keeps the new process renewing its leases the whole time.
            let long = try await send("long", seconds: 120)
            try await ScaleOutTests.wait("the new process runs its own task") {
                try await Self.leaseOwner(arranger.store, namespace, long) != nil
            }
            try await ScaleOutTests.wait(seconds: 100, "the predecessor's task ended while the new process was busy") {
                try await arranger.store.task(namespace: namespace, id: orphan)?.state.isTerminal == true
            }
            #expect(try await arranger.store.task(namespace: namespace, id: orphan)?.state == .completed)
            #expect(try await arranger.store.task(namespace: namespace, id: long)?.state.isTerminal == false, "the long task still runs: its leases were renewed all along")
            let successor = try await Self.leaseOwner(arranger.store, namespace, long)
            #expect(successor != predecessor, "each process leases under its own owner")
            #expect(replica.ownsLeases(of: successor) && replica.ownsLeases(of: predecessor), "both are the replica's name and a process's 8 hex digits")
        } catch {
            try? await replica.stop()
            try await arranger.stop()
            throw error
        }
        try await replica.stop()
        try await arranger.stop()
    }

    /// A replica that finds its lease taken stops its run and leaves the task to the holder; runs
    /// that simply end, many of them while leases are renewed, are never taken for lost.
    @Test func aStolenLeaseStopsTheRunHereAndEndedRunsAreNeverTakenForLost() async throws {
        let sink = OutputSink.memory()
        var logger = Logger(label: "cleveragents") { TextLogHandler(label: $0, level: .warning, output: sink) }
        logger.logLevel = .warning
        // Leases renewed every second; a namespace cap of 2, so that runs hand their places over.
        let server = try await TestServer.start(logger: logger) { $0.tasks.lease = .seconds(3) }
        do {
            let namespace = try await server.createNamespace(assistant: "slow")
            try await server.store.setRunningLimit(2, namespace: namespace)
            let client = RPCTestClient()
            var quick: [String] = []
            for index in 0..<12 {
                let sent = try await client.call(
                    server.endpoint(namespace.rawValue), method: "SendMessage",
                    params: #"{"message":{"messageId":"q\#(index)","role":"ROLE_USER","parts":[{"text":"wait"},{"data":{"seconds":0.3}}]},"configuration":{"returnImmediately":true}}"#
                )
                quick.append(try #require(try sent.result().at("task.id")?.stringValue))
            }
            try await ScaleOutTests.wait(seconds: 60, "every quick task ended") {
                for id in quick {
                    guard try await server.store.task(namespace: namespace, id: id)?.state.isTerminal == true else { return false }
                }
                return true
            }
            #expect(!sink.captured.contains { $0.contains("Lost the lease") }, "\(sink.captured)")

            let sent = try await client.call(
                server.endpoint(namespace.rawValue), method: "SendMessage",
                params: #"{"message":{"messageId":"stolen","role":"ROLE_USER","parts":[{"text":"wait"},{"data":{"seconds":30}}]},"configuration":{"returnImmediately":true}}"#
            )
            let stolen = try #require(try sent.result().at("task.id")?.stringValue)
            try await ScaleOutTests.wait("the task runs here") { try await server.store.task(namespace: namespace, id: stolen)?.state == .working }
            try await server.store.client.query(
                "UPDATE tasks SET lease_owner = 'thief', lease_expires_at = now() + interval '1 minute' WHERE namespace = \(namespace.rawValue) AND id = \(stolen)",
                logger: server.store.logger
            )
            try await ScaleOutTests.wait("the run here stops") { sink.captured.contains { $0.contains("Lost the lease") && $0.contains(stolen) } }
            #expect(try await Self.leaseOwner(server.store, namespace, stolen) == "thief", "the holder keeps it")
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func sigtermUnderLoadHandsTasksOverAndLosesNone() async throws {
        try await PostgresTestDatabase.withFreshDatabase { database in try await Self.sigtermUnderLoad(database: database) }
    }

    static func sigtermUnderLoad(database: String) async throws {
        let (group, arranger) = try await arrange("sigterm", database: database)
        let leaving = try await ReplicaProcess.start(name: "\(group)-leaving", group: group, databaseURL: database)
        let staying = try await ReplicaProcess.start(name: "\(group)-staying", group: group, databaseURL: database)
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
                for id in taskIds where leaving.ownsLeases(of: try await Self.leaseOwner(arranger.store, namespace, id)) { return true }
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

    /// What the queue holds for a task and its namespace, and the end of each replica's log in
    /// `logs`: what a stalled round needs explained.
    static func queueState(_ store: PostgresStore, _ namespace: NamespaceName, _ taskId: String, logs: URL) async throws -> String {
        let task = try await store.client.query(
            """
            SELECT state, lease_owner, lease_slot, extract(epoch FROM lease_expires_at - now())::float8 AS expires_in, run_input IS NOT NULL AS to_run, run_id, version
            FROM tasks WHERE namespace = \(namespace.rawValue) AND id = \(taskId)
            """,
            logger: store.logger
        ).collect().first.map { row in "\(row)" } ?? "no task"
        let slots = try await store.client.query(
            "SELECT slot, task_id, extract(epoch FROM lease_expires_at - now())::float8 AS expires_in FROM task_slots WHERE namespace = \(namespace.rawValue) AND task_id IS NOT NULL",
            logger: store.logger
        ).collect().map { row in "\(row)" }
        var text = "task: \(task)\nheld places: \(slots)\n"
        for file in try FileManager.default.contentsOfDirectory(at: logs, includingPropertiesForKeys: nil).sorted(by: { $0.path < $1.path }) {
            let lines = (try? String(contentsOf: file, encoding: .utf8))?.split(separator: "\n").suffix(25) ?? []
            text += "--- \(file.lastPathComponent)\n" + lines.joined(separator: "\n") + "\n"
        }
        return text
    }

    static func leaseOwner(_ store: PostgresStore, _ namespace: NamespaceName, _ taskId: String) async throws -> String? {
        let rows = try await store.client.query("SELECT lease_owner FROM tasks WHERE namespace = \(namespace.rawValue) AND id = \(taskId)", logger: store.logger)
        return try await rows.collect().first?.decode(String?.self)
    }
}

/// A PostgreSQL cluster of its own, for a test that restarts it.
struct DedicatedPostgres {
    let bin: String
    let directory: URL
    let port: Int

    var url: String { "postgres://postgres@127.0.0.1:\(port)/cleveragents?sslmode=disable" }

    static func start() async throws -> DedicatedPostgres {
        guard let bin = ProcessInfo.processInfo.environment["CLEVERAGENTS_TEST_PG_BIN"] else {
            throw MissingTestService("CLEVERAGENTS_TEST_PG_BIN")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(TestEnvironment.uniqueName("pg"))
        let initdb = try await asOwner("\(bin)/initdb", ["-D", directory.path, "-U", "postgres", "-A", "trust", "--no-sync"])
        guard initdb.status == 0 else { throw MissingTestService("initdb: \(initdb.stderr)") }
        for _ in 0..<5 {
            let postgres = DedicatedPostgres(bin: bin, directory: directory, port: Int.random(in: 41_000...49_000))
            if try await postgres.control("start"), try await ChildProcess.run("\(bin)/createdb", ["-h", "127.0.0.1", "-p", String(postgres.port), "-U", "postgres", "cleveragents"]).status == 0 {
                return postgres
            }
        }
        throw MissingTestService("a dedicated PostgreSQL")
    }

    /// `pg_ctl start` or `stop`, waiting until done.
    func control(_ action: String) async throws -> Bool {
        var arguments = [action, "-D", directory.path, "-w", "-m", "fast", "-l", directory.appendingPathComponent("log").path]
        if action == "start" { arguments += ["-o", "-p \(port) -k \(directory.path) -c listen_addresses=127.0.0.1 -c fsync=off"] }
        // Not through pipes: the server pg_ctl starts would keep them open.
        let process = Process()
        if getuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", "postgres", "--", "\(bin)/pg_ctl"] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "\(bin)/pg_ctl")
            process.arguments = arguments
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Reaped here: Foundation does not notice runuser's exit (it leads its own process group).
        let pid = process.processIdentifier
        let status = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var status: Int32 = 0
                _ = waitpid(pid, &status, 0)
                continuation.resume(returning: status)
            }
        }
        return (status & 0x7f) == 0 && ((status >> 8) & 0xff) == 0
    }

    /// PostgreSQL refuses to run as root: as root, run its tools as `postgres` (as scripts/services does).
    static func asOwner(_ tool: String, _ arguments: [String]) async throws -> ChildProcess.Output {
        guard getuid() == 0 else { return try await ChildProcess.run(tool, arguments) }
        return try await ChildProcess.run("/usr/sbin/runuser", ["-u", "postgres", "--", tool] + arguments)
    }

    func remove() async throws {
        _ = try await control("stop")
        try? FileManager.default.removeItem(at: directory)
    }
}

@Suite(.enabled(if: TestEnvironment.hasServices), .serialized, .timeLimit(.minutes(5))) struct DatabaseOutageTests {
    @Test func postgresRestartedUnderLoadLosesNoAcknowledgedTaskAndNeedsNoRestart() async throws {
        let postgres = try await DedicatedPostgres.start()
        var replica: ReplicaProcess?
        do {
            let graph = try #require(TestEnvironment.langGraphURL)
            let database = ["DATABASE_URL": postgres.url]
            #expect(try await ChildProcess.run(ChildProcess.cleveragents, ["migrate"], environment: database).status == 0)
            #expect(try await ChildProcess.run(ChildProcess.cleveragents, ["admin", "namespace", "create", "load", "--auth", "disabled"], environment: database).status == 0)
            let actor = try await ChildProcess.run(
                ChildProcess.cleveragents,
                ["admin", "actor", "put", "--namespace", "load", "--name", "echo", "--graph-url", graph, "--assistant", "echo", "--default"],
                environment: database
            )
            #expect(actor.status == 0, "\(actor.stderr)")
            let logFile = FileManager.default.temporaryDirectory.appendingPathComponent("\(TestEnvironment.uniqueName("outage")).log")
            defer { try? FileManager.default.removeItem(at: logFile) }
            let server = try await ReplicaProcess.start(name: "outage", group: "", databaseURL: postgres.url, log: logFile, logLevel: "info")
            replica = server
            let endpoint = "http://127.0.0.1:\(server.port)/ns/load"

            // Load: a request every 20 ms; what the server acknowledged must not be lost.
            let progress = LoadProgress()
            let load = Task { () -> (acknowledged: [String], refused: [Int]) in
                let client = RPCTestClient()
                var acknowledged: [String] = []
                var refused: [Int] = []
                var index = 0
                while !Task.isCancelled {
                    index += 1
                    let params = #"{"message":{"messageId":"l\#(index)","role":"ROLE_USER","parts":[{"text":"hi"}]},"configuration":{"returnImmediately":true}}"#
                    do {
                        let reply = try await client.call(endpoint, method: "SendMessage", params: params)
                        if let id = try? reply.result().at("task.id")?.stringValue {
                            acknowledged.append(id)
                            progress.acknowledged.withLock { $0 += 1 }
                        } else {
                            refused.append(reply.errorCode ?? 0)
                            progress.refused.withLock { $0 += 1 }
                        }
                    } catch {
                        // The test cancels the load when it has seen enough, cutting a request short.
                        if Task.isCancelled { break }
                        progress.unanswered.withLock { $0.append("\(error)") }
                    }
                    try? await Task.sleep(for: .milliseconds(20))
                }
                return (acknowledged, refused)
            }
            let client = RPCTestClient()
            try await ScaleOutTests.wait("some load before the outage") { progress.acknowledged.withLock { $0 >= 3 } }
            #expect(try await postgres.control("stop"))
            try await ScaleOutTests.wait("/readyz reports the outage") {
                (try? await client.get("http://127.0.0.1:\(server.port)/readyz"))?.status == 503
            }
            // The load met the outage: some requests were refused while the database was away.
            try await ScaleOutTests.wait("a request refused during the outage") { progress.refused.withLock { $0 >= 1 } }
            // The server's database watch found it, and /readyz says why (no address: anyone reads it).
            try await ScaleOutTests.wait("/readyz names the reason") {
                guard let ready = try? await client.get("http://127.0.0.1:\(server.port)/readyz"), ready.status == 503 else { return false }
                return ready.text.contains("database unreachable: ") && !ready.text.contains("127.0.0.1")
            }
            #expect(try await postgres.control("start"))
            try await ScaleOutTests.wait("/readyz recovers by itself") {
                (try? await client.get("http://127.0.0.1:\(server.port)/readyz"))?.status == 200
            }
            let beforeRecovery = progress.acknowledged.withLock { $0 }
            try await ScaleOutTests.wait("some load after it") { progress.acknowledged.withLock { $0 >= beforeRecovery + 3 } }
            load.cancel()
            let (acknowledged, refused) = await load.value
            #expect(acknowledged.count >= 6)
            // During the outage requests fail fast and say why; every request got an answer.
            #expect(!refused.isEmpty && refused.allSatisfy { $0 == JSONRPCError.serviceUnavailableCode }, "\(Set(refused))")
            let unanswered = progress.unanswered.withLock { $0 }
            #expect(unanswered.isEmpty, "the server answered every request, outage or not: \(unanswered)")
            try await ScaleOutTests.wait(seconds: 90, "every acknowledged task completed") {
                for id in acknowledged {
                    let reply = try await client.call(endpoint, method: "GetTask", params: #"{"id":"\#(id)"}"#)
                    guard (try? reply.result().at("status.state")) == "TASK_STATE_COMPLETED" else { return false }
                }
                return true
            }
            #expect(server.process.isRunning, "no process restart was needed")
            try await ScaleOutTests.wait("the watch saw the database back") {
                (try? String(contentsOf: logFile, encoding: .utf8))?.contains("The database is back") == true
            }
            // The operator's view: the loss once at warning with its reason, the return once;
            // no raw driver errors, no line per failed request or connection attempt.
            let log = try String(contentsOf: logFile, encoding: .utf8).split(separator: "\n")
            let lost = log.filter { $0.contains("Lost the database; retrying") }
            #expect(lost.count == 1, "\(lost)")
            #expect(lost.first?.contains(" warning ") == true && lost.first?.contains("PostgreSQL at 127.0.0.1:") == true, "\(lost)")
            #expect(log.filter { $0.contains("The database is back") }.count == 1)
            let noise = log.filter { $0.contains("PSQLError") || $0.contains("Connection creation failed") || $0.contains("Store unavailable") }
            #expect(noise.isEmpty, "\(noise.prefix(3))")
        } catch {
            try? await replica?.stop()
            try await postgres.remove()
            throw error
        }
        try await replica?.stop()
        try await postgres.remove()
    }
}

/// What the load of a test has done so far.
final class LoadProgress: Sendable {
    let acknowledged = Mutex(0)
    /// Requests answered with a JSON-RPC error.
    let refused = Mutex(0)
    /// Requests that got no JSON-RPC answer at all (a transport error, or a body without one).
    let unanswered = Mutex<[String]>([])
}
