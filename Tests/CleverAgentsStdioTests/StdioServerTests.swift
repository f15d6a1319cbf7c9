//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import CleverAgentsRuntime
import CleverAgentsStdio
import CleverAgentsTestSupport
import Foundation
import Logging
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing

/// The stdio framing, in process: lines in, lines out, over the real application layer on
/// in-memory stores and a scripted executor.
@Suite(.timeLimit(.minutes(2))) struct StdioServerTests {
    /// Runs a stdio server, feeds it `lines`, lets `interact` send more and read, then ends the
    /// input and returns everything written once the server returned.
    /// A stdio server of the harness's namespace on `input` and `output`, logging nothing.
    static func server(
        _ harness: RuntimeHarness,
        input: MemoryStdioInput,
        output: MemoryStdioOutput,
        caller: Caller = .anonymous,
        maximumMessageBytes: Int = 4 << 20
    ) -> StdioServer {
        var logger = Logger(label: "stdio-test")
        logger.logLevel = .critical
        return StdioServer(
            service: harness.service,
            sync: SyncService(entities: harness.store, namespaces: harness.store, directory: harness.service.directory),
            namespace: harness.namespace,
            caller: caller,
            input: input,
            output: output,
            maximumMessageBytes: maximumMessageBytes,
            logger: logger
        )
    }

    func serve(
        _ lines: [String],
        executor: ScriptedExecutor = ScriptedExecutor(),
        maximumMessageBytes: Int = 4096,
        caller: Caller = .anonymous,
        interact: @Sendable (MemoryStdioInput, MemoryStdioOutput) async throws -> Void = { _, _ in }
    ) async throws -> [JSONValue] {
        try await RuntimeHarness.with(executor: executor) { harness in
            let input = MemoryStdioInput()
            let output = MemoryStdioOutput()
            let server = Self.server(harness, input: input, output: output, caller: caller, maximumMessageBytes: maximumMessageBytes)
            let running = Task { try await server.run() }
            for line in lines { input.send(line + "\n") }
            try await interact(input, output)
            input.close()
            try await running.value
            return try output.written.map { try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
        }
    }

    @Test func eachRequestLineGetsOneResponseLineWithItsId() async throws {
        let messages = try await serve([
            #"{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m1","role":"ROLE_USER","parts":[{"text":"hi"}]}}}"#,
            #"{"jsonrpc":"2.0","id":"two","method":"GetTask","params":{"id":"nope"}}"#,
        ])
        #expect(messages.count == 2)
        let sent = try #require(messages.first { $0["id"] == 1 })
        #expect(sent.at("result.task.status.state") == "TASK_STATE_COMPLETED")
        #expect(sent.at("result.task.artifacts.0.parts.0.text") == "done")
        let missing = try #require(messages.first { $0["id"] == "two" })
        #expect(missing.at("error.code") == .number(Double(JSONRPCError.taskNotFoundCode)))
    }

    @Test func aStreamSendsNotificationsTiedToTheRequestThenItsFinalResponse() async throws {
        let messages = try await serve([
            #"{"jsonrpc":"2.0","id":7,"method":"SendStreamingMessage","params":{"message":{"messageId":"m1","role":"ROLE_USER","parts":[{"text":"hi"}]}}}"#
        ])
        let notifications = messages.filter { $0["method"] == .string(StdioProtocol.streamMethod) }
        #expect(notifications.count == 4)
        #expect(notifications.allSatisfy { $0.at("params.requestId") == 7 && $0["id"] == nil })
        #expect(notifications.first?.at("params.event.task") != nil)
        #expect(notifications.last?.at("params.event.statusUpdate.status.state") == "TASK_STATE_COMPLETED")
        #expect(messages.last?["id"] == 7, "the final response comes after every event")
        #expect(messages.last?.at("result.events") == 4)
    }

    @Test func syncMethodsAreServedToo() async throws {
        let messages = try await serve([
            #"{"jsonrpc":"2.0","id":1,"method":"_cleveragents/sync/status"}"#,
            #"{"jsonrpc":"2.0","id":2,"method":"_cleveragents/sync/nope"}"#,
            #"{"jsonrpc":"2.0","id":3,"method":"_cleveragents/sync/pull","params":{"cursor":"x"}}"#,
        ])
        #expect(messages.first { $0["id"] == 1 }?.at("result.kinds.actor") == 1)
        #expect(messages.first { $0["id"] == 2 }?.at("error.code") == .number(Double(JSONRPCError.methodNotFoundCode)))
        #expect(messages.first { $0["id"] == 3 }?.at("error.code") == .number(Double(JSONRPCError.invalidParamsCode)))
    }

    /// Stdio answers failures as HTTP does (one mapping): a denial is a denial, not an internal
    /// error, and administration, which local mode does not serve, is not found.
    @Test func aDenialIsAnsweredAsOnHTTPAndAdministrationIsNotFound() async throws {
        let messages = try await serve(
            [
                #"{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m1","role":"ROLE_USER","parts":[{"text":"hi"}]}}}"#,
                #"{"jsonrpc":"2.0","id":2,"method":"_cleveragents/sync/push","params":{"batchId":"b","items":[]}}"#,
                #"{"jsonrpc":"2.0","id":3,"method":"_cleveragents/admin/tokens/list"}"#,
            ],
            caller: Caller(principalID: "user:viewer", role: .viewer)
        )
        let send = try #require(messages.first { $0["id"] == 1 })
        #expect(send.at("error.code") == .number(Double(JSONRPCError.permissionDeniedCode)))
        #expect(send.at("error.message")?.stringValue?.hasPrefix("Permission denied") == true)
        #expect(messages.first { $0["id"] == 2 }?.at("error.code") == .number(Double(JSONRPCError.permissionDeniedCode)))
        let admin = try #require(messages.first { $0["id"] == 3 })
        #expect(admin.at("error.code") == .number(Double(JSONRPCError.methodNotFoundCode)))
        #expect(admin.at("error.message") == "Method not found: _cleveragents/admin/tokens/list")
    }

    @Test func badLinesAreAnsweredAndTheServerGoesOn() async throws {
        let long = #"{"jsonrpc":"2.0","id":9,"method":"GetTask","params":{"id":""# + String(repeating: "x", count: 5000) + #""}}"#
        let messages = try await serve([
            "not json",
            "",
            "[1,2]",
            long,
            #"{"jsonrpc":"2.0","method":"GetTask","params":{"id":"x"}}"#,
            #"{"jsonrpc":"2.0","id":4,"method":"NoSuchMethod"}"#,
            #"{"jsonrpc":"2.0","id":5,"method":"_cleveragents/sync/status"}"# + "\r",
        ])
        let codes = messages.compactMap { $0.at("error.code")?.numberValue }.map(Int.init).sorted()
        #expect(codes == [JSONRPCError.payloadTooLargeCode, JSONRPCError.methodNotFoundCode, JSONRPCError.invalidRequestCode, JSONRPCError.parseErrorCode].sorted())
        #expect(messages.count == 5, "a notification gets no answer, a blank line is skipped")
        #expect(messages.first { $0["id"] == 5 }?.at("result.head") != nil, "a trailing carriage return is tolerated")
    }

    @Test func aClientCancelsAStreamItNoLongerReads() async throws {
        let executor = ScriptedExecutor(defaultScript: [
            .event(.runStarted(runID: "r")), .event(.update(.status(.working, message: nil))), .wait("never"),
        ])
        let messages = try await serve([], executor: executor) { input, output in
            input.send(#"{"jsonrpc":"2.0","id":"s","method":"SendStreamingMessage","params":{"message":{"messageId":"m1","role":"ROLE_USER","parts":[{"text":"hi"}]}}}"# + "\n")
            #expect(await waitUntil(.seconds(60)) { output.written.count >= 2 })
            input.send(#"{"jsonrpc":"2.0","method":"_cleveragents/cancelRequest","params":{"requestId":"s"}}"# + "\n")
            #expect(await waitUntil(.seconds(60)) { output.written.contains(where: { $0.contains(#""id":"s""#) }) })
            executor.open("never")
        }
        let final = try #require(messages.last { $0["id"] == "s" })
        #expect(final.at("error.code") == .number(Double(StdioProtocol.requestCancelledCode)))
        #expect(messages.filter { $0["method"] != nil }.count >= 2)
    }

    @Test func gracefulShutdownStopsReadingAndAnswersWhatIsInFlight() async throws {
        try await RuntimeHarness.with { harness in
            let input = MemoryStdioInput()
            let output = MemoryStdioOutput()
            let server = Self.server(harness, input: input, output: output)
            try await testGracefulShutdown { trigger in
                input.send(#"{"jsonrpc":"2.0","id":1,"method":"_cleveragents/sync/status"}"# + "\n")
                let running = Task { try await server.run() }
                #expect(await waitUntil(.seconds(60)) { !output.written.isEmpty })
                trigger.triggerGracefulShutdown()
                try await running.value
            }
            #expect(output.written.count == 1)
        }
    }
}
