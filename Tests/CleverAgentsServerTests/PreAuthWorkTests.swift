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
import CleverAgentsRuntime
import CleverAgentsServer
import CleverAgentsTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// What a client without a credential can make a replica do: requests to made-up namespaces
/// allocate no namespace actor and leave a bounded trace, and a rate limit per client address
/// answers before any lookup.
@Suite(.enabled(if: TestEnvironment.hasServices), .serialized, .timeLimit(.minutes(15))) struct PreAuthWorkTests {
    /// Twice the bound of remembered names by default (a debug build answers about a thousand
    /// such requests a second on two shared cores); `CLEVERAGENTS_TEST_FLOOD_SIZE` sets it, e.g.
    /// 100000 for the figures in the closing notes.
    static let floodSize = ProcessInfo.processInfo.environment["CLEVERAGENTS_TEST_FLOOD_SIZE"].flatMap(Int.init) ?? 20_000

    /// `floodSize` requests, each to a namespace that does not exist, from 32 clients at once.
    static func flood(_ baseURL: String, prefix: String, count: Int = floodSize) async throws -> [Int: Int] {
        let tally = FloodTally()
        let body = #"{"jsonrpc":"2.0","id":1,"method":"GetTask","params":{"id":"t"}}"#
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<32 {
                group.addTask {
                    while true {
                        let index = tally.next.withLock { value -> Int in
                            value += 1
                            return value
                        }
                        guard index <= count else { return }
                        var request = HTTPClientRequest(url: "\(baseURL)/ns/\(prefix)-\(index)")
                        request.method = .POST
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.body = .bytes(ByteBuffer(string: body))
                        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                        _ = try await response.body.collect(upTo: 1 << 16)
                        tally.statuses.withLock { $0[Int(response.status.code), default: 0] += 1 }
                    }
                }
            }
            try await group.waitForAll()
        }
        return tally.statuses.withLock { $0 }
    }

    /// The next request's number and the answers' statuses, shared by the flood's clients.
    final class FloodTally: Sendable {
        let next = Mutex(0)
        let statuses = Mutex([Int: Int]())
    }

    @Test func aFloodOfUnknownNamespacesAllocatesNoActorAndABoundedTrace() async throws {
        // Remembered for an hour, so that the flood (slower than 10,000 names a second here) fills them.
        let server = try await TestServer.start { $0.missingNamespaceTimeToLive = .seconds(3600) }
        do {
            let namespace = try await server.createNamespace()
            _ = try await RPCTestClient().call(server.endpoint(namespace.rawValue), method: "ListTasks")
            let directory = server.server.service.directory
            let activeBefore = directory.activeCount
            #expect(activeBefore >= 1)

            let started = ContinuousClock.now
            let statuses = try await Self.flood(server.baseURL, prefix: TestEnvironment.uniqueName("ghost"))
            print("flood of \(Self.floodSize) unknown namespaces (in process): \(statuses), \(ContinuousClock.now - started)")
            #expect(statuses == [404: Self.floodSize], "every request is namespace-not-found")
            #expect(directory.activeCount == activeBefore, "no actor for a made-up namespace")
            #expect(directory.missingCount == 10_000, "the remembered misses stop at their bound")
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    /// The real `cleveragents serve` under the same flood: its memory before and after.
    @Test func theServersMemoryStaysBoundedUnderTheFlood() async throws {
        let database = try #require(TestEnvironment.databaseURL)
        let replica = try await ServeProcess.start(database: database)
        do {
            // Warm up: in its first tens of thousands of requests a fresh process grows to a steady
            // size (runtime and allocator caches, pools) whatever the requests are.
            let start = try replica.memory()
            _ = try await Self.flood(replica.baseURL, prefix: TestEnvironment.uniqueName("warm"), count: Self.floodSize / 2)
            let before = try replica.memory()
            let statuses = try await Self.flood(replica.baseURL, prefix: TestEnvironment.uniqueName("ghost"))
            let after = try replica.memory()
            print(
                "cleveragents serve: VmRSS \(start.rss / 1024) MiB at start, \(before.rss / 1024) MiB after a warm-up of "
                    + "\(Self.floodSize / 2) requests, \(after.rss / 1024) MiB after a flood of \(Self.floodSize) unknown namespaces; "
                    + "VmHWM \(after.peak / 1024) MiB"
            )
            #expect(statuses == [404: Self.floodSize])
            // Generous: what the flood leaves is bounded (10,000 remembered names); before, every
            // name kept an actor until idle eviction.
            #expect(after.peak - before.peak < 64 * 1024, "the peak grew by \((after.peak - before.peak) / 1024) MiB")
        } catch {
            try await replica.stop()
            throw error
        }
        try await replica.stop()
    }

    @Test func theClientRateLimitAnswersBeforeAnyLookup() async throws {
        let server = try await TestServer.start { $0.limits.client = ClientRateLimit(requestsPerSecond: 0.01, burst: 5) }
        do {
            let client = RPCTestClient()
            var answers: [RPCTestClient.Reply] = []
            for index in 0..<8 {
                let endpoint = server.endpoint(TestEnvironment.uniqueName("nowhere-\(index)"))
                answers.append(try await client.call(endpoint, method: "GetTask", params: #"{"id":"t"}"#))
            }
            #expect(answers.prefix(5).allSatisfy { $0.status == 404 }, "\(answers.map(\.status))")
            #expect(answers.suffix(3).allSatisfy { $0.status == 429 && $0.errorCode == JSONRPCError.rateLimitedCode })
            #expect(answers.last?.headers.first(name: "retry-after").flatMap(Int.init).map { $0 > 0 } == true)
            #expect(server.server.service.directory.missingCount == 5, "the refused requests looked nothing up")
            #expect(try await client.get(server.baseURL + "/healthz").status == 200, "probes are not limited")
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    /// Behind a TLS proxy every connection comes from the proxy: clients are told apart by the
    /// address the proxy appends to `X-Forwarded-For`.
    @Test func behindAProxyTheForwardedClientCounts() async throws {
        let server = try await TestServer.start {
            $0.http.behindTLSProxy = true
            $0.limits.client = ClientRateLimit(requestsPerSecond: 0.01, burst: 1)
        }
        do {
            let client = RPCTestClient()
            func call(from address: String) async throws -> Int {
                try await client.post(
                    server.endpoint("nowhere"),
                    body: #"{"jsonrpc":"2.0","id":1,"method":"GetTask","params":{"id":"t"}}"#,
                    headers: [
                        ("Content-Type", "application/json"), ("X-Forwarded-Proto", "https"),
                        ("X-Forwarded-For", "198.51.100.7, \(address)"),
                    ]
                ).status
            }
            #expect(try await call(from: "203.0.113.1") == 404)
            #expect(try await call(from: "203.0.113.1") == 429)
            #expect(try await call(from: "203.0.113.2") == 404, "another client behind the same proxy")
            #expect(try await call(from: "2001:db8:1:2::1") == 404)
            #expect(try await call(from: "2001:db8:1:2::ffff") == 429, "one IPv6 /64 is one client")
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }
}

/// A `cleveragents serve` child process on the test database, and its memory.
struct ServeProcess {
    let port: Int
    let process: Process

    var baseURL: String { "http://127.0.0.1:\(port)" }

    static func start(database: String) async throws -> ServeProcess {
        for _ in 0..<5 {
            let port = Int.random(in: 20_000...40_000)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: ChildProcess.cleveragents)
            process.arguments = ["serve", "--port", String(port), "--database-url", database, "--log-level", "error"]
            var environment = ProcessInfo.processInfo.environment
            environment["CLEVERAGENTS_LOG_REQUESTS"] = "false"
            environment["CLEVERAGENTS_TASKS_QUEUE_GROUP"] = TestEnvironment.uniqueName("memory")
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let client = RPCTestClient()
            let ready = await waitUntil(.seconds(30)) {
                guard process.isRunning else { return true }
                return (try? await client.get("http://127.0.0.1:\(port)/readyz"))?.status == 200
            }
            if ready && process.isRunning { return ServeProcess(port: port, process: process) }
            process.terminate()
            _ = try await ChildProcess.wait(for: process)
        }
        throw MissingTestService("a cleveragents serve process that starts")
    }

    /// `VmRSS` and `VmHWM` of the process, in KiB.
    func memory() throws -> (rss: Int, peak: Int) {
        let status = try String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        func field(_ name: String) -> Int {
            let line = status.split(separator: "\n").first { $0.hasPrefix(name + ":") } ?? ""
            return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? 0
        }
        return (field("VmRSS"), field("VmHWM"))
    }

    func stop() async throws {
        guard process.isRunning else { return }
        process.terminate()
        _ = try await ChildProcess.wait(for: process)
    }
}
