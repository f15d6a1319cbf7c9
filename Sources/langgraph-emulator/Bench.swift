//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// A load loop: many streamed runs, each on a new thread, through the LangGraph API; reports
/// runs per second and latencies as one JSON line.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Drive a LangGraph server (the emulator or a real one) with streamed runs and report runs/s.")

    @Option(name: .long, help: "The server's base URL.")
    var url = "http://127.0.0.1:2024"

    @Option(name: .long, help: "The graph to run.")
    var graph = "echo"

    @Option(name: .long, help: "Runs in all.")
    var runs = 10_000

    @Option(name: .long, help: "Runs in flight at once.")
    var concurrency = 64

    @Option(name: .long, help: "stream (POST /threads/{tid}/runs/stream) or wait (POST /threads/{tid}/runs/wait).")
    var mode = "stream"

    @Option(name: .long, help: "Stream modes requested, comma-separated.")
    var streamModes = "values,updates,custom,messages-tuple"

    func validate() throws {
        guard runs > 0, concurrency > 0 else { throw ValidationError("--runs and --concurrency must be positive.") }
        guard ["stream", "wait"].contains(mode) else { throw ValidationError("--mode must be stream or wait.") }
    }

    func run() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let modes = streamModes.split(separator: ",").map { "\"\($0)\"" }.joined(separator: ",")
        let body =
            #"{"assistant_id":"\#(graph)","input":{"messages":[{"type":"human","content":"load","id":"bench"}]},"stream_mode":[\#(modes)],"stream_resumable":true,"if_not_exists":"create"}"#
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        let tally = Tally()
        let (runs, mode) = (self.runs, self.mode)
        let started = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    while true {
                        let index = tally.next.withLock { value -> Int in
                            value += 1
                            return value
                        }
                        guard index <= runs else { return }
                        let begin = ContinuousClock.now
                        var request = HTTPClientRequest(url: "\(base)/threads/\(UUID().uuidString.lowercased())/runs/\(mode)")
                        request.method = .POST
                        request.headers.add(name: "content-type", value: "application/json")
                        request.body = .bytes(ByteBuffer(string: body))
                        do {
                            let response = try await http.execute(request, timeout: .seconds(60))
                            var events = 0
                            for try await buffer in response.body {
                                events += buffer.readableBytesView.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                                    .filter { $0.starts(with: "event:".utf8) }.count
                            }
                            let elapsed = ContinuousClock.now - begin
                            let ok = response.status == .ok
                            tally.results.withLock { results in
                                if ok {
                                    results.latencies.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
                                    results.events += events
                                } else {
                                    results.errors += 1
                                }
                            }
                        } catch {
                            tally.results.withLock { $0.errors += 1 }
                        }
                    }
                }
            }
        }
        let elapsed = ContinuousClock.now - started
        try await http.shutdown()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let (latencies, errors, events) = tally.results.withLock { ($0.latencies.sorted(), $0.errors, $0.events) }
        func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return 0 }
            return latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
        }
        let summary: [String: Any] = [
            "graph": graph, "mode": mode, "runs": latencies.count, "errors": errors, "concurrency": concurrency,
            "seconds": (seconds * 100).rounded() / 100,
            "runsPerSecond": (Double(latencies.count) / seconds).rounded(),
            "eventsPerRun": latencies.isEmpty ? 0 : Double(events) / Double(latencies.count),
            "p50ms": (percentile(0.5) * 100).rounded() / 100, "p95ms": (percentile(0.95) * 100).rounded() / 100,
            "p99ms": (percentile(0.99) * 100).rounded() / 100,
        ]
        let data = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
        if errors > 0 { throw ExitCode(1) }
    }
}

/// The counters the load loop's tasks share.
private final class Tally: Sendable {
    let next = Mutex(0)
    let results = Mutex((latencies: [Double](), errors: 0, events: 0))
}
