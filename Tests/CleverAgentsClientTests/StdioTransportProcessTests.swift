//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsClient
import CleverAgentsTestSupport
import Foundation
import Testing

/// The stdio transport when the local process misbehaves: it cannot be started, exits, writes
/// garbage, stops reading, or outlives its grace period; a call made while it closes; and the
/// cancellations it sends when a caller gives up. The peers are small shell scripts (a scripted agent on a pipe) or the real
/// `cleveragents stdio`.
@Suite(.timeLimit(.minutes(2))) struct StdioTransportProcessTests {
    /// A local process running `script` under `/bin/sh`; `$0`, `$1`… are `arguments`.
    func launchScript(_ script: String, _ arguments: String...) async throws -> StdioTransport {
        try await StdioTransport.launch(executable: "/bin/sh", arguments: ["-c", script] + arguments)
    }

    /// The JSON lines a recording peer wrote to `path` so far.
    func recordedLines(_ path: String) -> [JSONValue] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
            try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8))
        }
    }

    @Test func anExecutableThatCannotBeStartedIsATransportErrorNamingIt() async throws {
        let missing = "/nonexistent/h2/cleveragents"
        let error = await #expect(throws: A2AClientError.self) {
            _ = try await StdioTransport.launch(executable: missing, arguments: ["stdio"])
        }
        guard case .transport(let detail) = error else {
            Issue.record("expected a transport error, got \(String(describing: error))")
            return
        }
        #expect(detail.hasPrefix("cannot start \(missing): "))
    }

    @Test func aProcessThatExitsFailsTheCallInFlightAndEveryLaterOne() async throws {
        // The peer reads the request, answers with garbage and with an id nobody asked for, then
        // exits with status 3: neither stray line may settle the call, the exit must.
        let transport = try await launchScript(
            #"read -r request; echo 'not json'; echo '{"jsonrpc":"2.0","id":99,"result":{}}'; exit 3"#
        )
        let client = A2AClient(transport: transport)
        let ended = A2AClientError.transport("the local process ended")
        let inFlight = await #expect(throws: A2AClientError.self) { _ = try await client.getTask(GetTaskRequest(id: "t1")) }
        #expect(inFlight == ended)
        // Once failed, the transport refuses at once, unary calls and streams alike.
        let later = await #expect(throws: A2AClientError.self) { _ = try await client.listTasks() }
        #expect(later == ended)
        let stream = await #expect(throws: A2AClientError.self) { _ = try await client.subscribeToTask(SubscribeToTaskRequest(id: "t1")) }
        #expect(stream == ended)
        #expect(await transport.waitForExit(grace: .seconds(30)) == 3)
    }

    @Test func cancellingACallAsksTheLocalProcessToCancelThatRequest() async throws {
        try await withTemporaryDirectory { directory in
            let record = directory.appendingPathComponent("stdin.jsonl").path
            // The peer records what it is sent and never answers. (`cat` runs in a child of the
            // shell, so that the shell keeps the standard output open: its end means the end.)
            let transport = try await launchScript(#"cat > "$0""#, record)
            let call = Task { try await A2AClient(transport: transport).getTask(GetTaskRequest(id: "t1")) }
            #expect(await waitUntil(.seconds(30)) { recordedLines(record).count == 1 }, "the request reached the process")
            call.cancel()
            await #expect(throws: CancellationError.self) { _ = try await call.value }
            #expect(await waitUntil(.seconds(30)) { recordedLines(record).count == 2 })
            let lines = recordedLines(record)
            try #require(lines.count == 2)
            #expect(lines[0]["method"] == "GetTask")
            let requestID = try #require(lines[0]["id"])
            #expect(lines[1]["method"] == .string(StdioProtocol.cancelRequestMethod))
            #expect(lines[1].at("params.requestId") == requestID)
            #expect(lines[1]["id"] == nil, "a cancellation is a notification: it gets no answer")
            try await transport.close()
            #expect(await transport.waitForExit(grace: .seconds(30)) == 0, "closing ended the peer's input")
        }
    }

    @Test func breakingOffAStreamAsksTheLocalProcessToStopIt() async throws {
        try await withTemporaryDirectory { directory in
            let record = directory.appendingPathComponent("stdin.jsonl").path
            let event = #"{"jsonrpc":"2.0","method":"_cleveragents/stream","params":{"requestId":1,"event":{"task":{"id":"t1","contextId":"c1","status":{"state":"TASK_STATE_WORKING"}}}}}"#
            // The peer records the request, sends one event of the first request's stream, then
            // records the rest and never ends the stream.
            let transport = try await launchScript(#"read -r request; printf '%s\n' "$request" > "$0"; printf '%s\n' "$1"; cat >> "$0""#, record, event)
            let client = A2AClient(transport: transport)
            var received: [StreamResponse] = []
            for try await event in try await client.subscribeToTask(SubscribeToTaskRequest(id: "t1")) {
                received.append(event)
                break
            }
            guard case .task(let task)? = received.first else {
                Issue.record("expected the task event, got \(received)")
                return
            }
            #expect(task.id == "t1")
            #expect(task.status.state == .working)
            #expect(await waitUntil(.seconds(30)) { recordedLines(record).count == 2 })
            let lines = recordedLines(record)
            try #require(lines.count == 2)
            #expect(lines[0]["method"] == "SubscribeToTask")
            #expect(lines[0]["id"] == 1)
            #expect(lines[1]["method"] == .string(StdioProtocol.cancelRequestMethod))
            #expect(lines[1].at("params.requestId") == 1)
            try await transport.close()
        }
    }

    @Test func aProcessThatStopsReadingFailsTheCallInsteadOfLeavingItWaiting() async throws {
        try await withTemporaryDirectory { directory in
            let stop = directory.appendingPathComponent("stop").path
            // The peer closes its input but stays alive, its output open, until told to stop.
            let transport = try await launchScript(#"exec 0<&-; while [ ! -e "$0" ]; do sleep 0.05; done"#, stop)
            let client = A2AClient(transport: transport)
            let error = await #expect(throws: A2AClientError.self) { _ = try await client.getTask(GetTaskRequest(id: "t1")) }
            guard case .transport(let detail) = error else {
                Issue.record("expected a transport error, got \(String(describing: error))")
                return
            }
            // The failed write fails the call; it also closes the pipes, which ends the transport.
            // Which of the two reaches the call first is a race.
            #expect(detail.hasPrefix("cannot write to the local process: ") || detail == "the local process ended", "\(detail)")
            FileManager.default.createFile(atPath: stop, contents: nil)
            #expect(await transport.waitForExit(grace: .seconds(30)) == 0)
        }
    }

    @Test func aCallMadeWhileTheTransportClosesFailsAtOnce() async throws {
        try await withTemporaryDirectory { directory in
            let stop = directory.appendingPathComponent("stop").path
            let ended = directory.appendingPathComponent("input-ended").path
            // The peer reads its input to the end, says so, and stays alive with its output open
            // until told to stop: meanwhile the transport is closing but has not failed.
            let transport = try await launchScript(#"cat > /dev/null; : > "$1"; while [ ! -e "$0" ]; do sleep 0.05; done"#, stop, ended)
            let closing = Task { try await transport.close() }
            #expect(await waitUntil(.seconds(30)) { FileManager.default.fileExists(atPath: ended) }, "close() ended the peer's input")
            let error = await #expect(throws: A2AClientError.self) { _ = try await A2AClient(transport: transport).getTask(GetTaskRequest(id: "t1")) }
            guard case .transport(let detail) = error else {
                Issue.record("expected a transport error, got \(String(describing: error))")
                return
            }
            #expect(detail.hasPrefix("cannot write to the local process: "), "\(detail)")
            FileManager.default.createFile(atPath: stop, contents: nil)
            try await closing.value
            #expect(await transport.waitForExit(grace: .seconds(30)) == 0)
        }
    }

    @Test func aProcessThatIgnoresSIGTERMIsKilledAfterItsGrace() async throws {
        // The shell ignores TERM; its input stays open, so it never ends on its own.
        let transport = try await launchScript("trap '' TERM; while :; do sleep 1; done")
        let status = await transport.waitForExit(grace: .milliseconds(100), killAfter: .milliseconds(300))
        #expect(status == SIGKILL, "ended by SIGKILL, status \(status)")
    }

    @Test func localModeThatOutlivesTheGracePeriodIsStoppedAndExitsCleanly() async throws {
        try await withTemporaryDirectory { directory in
            let transport = try await StdioTransport.launch(
                executable: ChildProcess.cleveragents,
                arguments: ["stdio", "--store", directory.appendingPathComponent("local.sqlite").path]
            )
            // Served once, so that it is idle, waiting for its next input line.
            #expect(try await A2AClient(transport: transport).syncStatus().head == 0)
            // Its input stays open; the grace period ends in SIGTERM, which local mode treats as
            // a graceful shutdown: it stops reading and exits 0.
            #expect(await transport.waitForExit(grace: .milliseconds(200)) == 0)
            try await transport.close()
        }
    }
}
