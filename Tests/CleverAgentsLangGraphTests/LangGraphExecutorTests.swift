//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import AsyncHTTPClient
import CleverAgentsEgress
import CleverAgentsDomain
import CleverAgentsRuntime
import Foundation
import Logging
import Synchronization
import Testing

@testable import CleverAgentsLangGraph

/// `LangGraphExecutor` without a LangGraph server.
@Suite(.timeLimit(.minutes(2))) struct LangGraphExecutorTests {
    /// Port 1 on the loopback interface: privileged and unused, so connections are refused at once.
    static let closedPort = "http://127.0.0.1:1"

    /// Refused connections fail at once; the long timeout only keeps a busy machine (a full
    /// suite on two cores) from turning a refusal that is slow to be seen into a timeout.
    static let fastRetries = LangGraphConfiguration(
        requestTimeout: .seconds(60),
        maximumAttempts: 3,
        initialBackoff: .milliseconds(1),
        maximumBackoff: .milliseconds(2)
    )

    static func request(graphURL: String) -> GraphRunRequest {
        GraphRunRequest(
            namespace: NamespaceName("unreachable")!,
            taskId: "task-1",
            contextId: "context-1",
            actor: ActorDefinition(name: "echo", graphURL: graphURL, assistantID: "echo"),
            apiKey: nil,
            threadID: UUID().uuidString.lowercased(),
            input: .message(Message(messageId: "msg-1", role: .user, parts: [.text("hello")]))
        )
    }

    /// Runs `body` with an executor logging into `records`, on a client that reports a refused
    /// connection at once instead of retrying it until its connect timeout.
    func withExecutor(_ body: (LangGraphExecutor, LogRecords) async throws -> Void) async throws {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        let http = EgressHTTPClient(policy: .defaults(production: false), resolver: SystemHostResolver(), configuration: configuration)
        let records = LogRecords()
        var logger = Logger(label: "LangGraphExecutorTests") { _ in CapturingLogHandler(records: records) }
        logger.logLevel = .trace
        let executor = LangGraphExecutor(http: http, ids: SequentialIDs(), configuration: Self.fastRetries, logger: logger)
        do {
            try await body(executor, records)
        } catch {
            try await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    @Test func unreachableServerIsRetriedThenFailsTheRun() async throws {
        try await withExecutor { executor, records in
            var events: [ExecutionEvent] = []
            let error = await #expect(throws: GraphExecutionError.self) {
                for try await event in executor.execute(Self.request(graphURL: Self.closedPort)) {
                    events.append(event)
                }
            }
            #expect(error?.detail?.hasPrefix("LangGraph is unreachable (start run)") == true, "\(String(describing: error))")
            #expect(events.isEmpty)
            #expect(records.messages.filter { $0.hasPrefix("LangGraph is unreachable; retrying") }.count == Self.fastRetries.maximumAttempts - 1)
        }
    }

    @Test func cancelOnAnUnreachableServerThrows() async throws {
        try await withExecutor { executor, records in
            let run = GraphRunReference(
                actor: ActorDefinition(name: "echo", graphURL: Self.closedPort, assistantID: "echo"),
                apiKey: nil,
                threadID: "thread-1",
                runID: "run-1"
            )
            let error = await #expect(throws: GraphExecutionError.self) {
                try await executor.cancel(run)
            }
            #expect(error?.detail?.hasPrefix("LangGraph is unreachable (cancel run)") == true, "\(String(describing: error))")
            #expect(records.messages.filter { $0.hasPrefix("LangGraph is unreachable; retrying") }.count == Self.fastRetries.maximumAttempts - 1)
        }
    }

    @Test func baseURLLosesTrailingSlashes() {
        #expect(LangGraphExecutor.base("http://127.0.0.1:2024//") == "http://127.0.0.1:2024")
        #expect(LangGraphExecutor.base("https://example.com/lg") == "https://example.com/lg")
    }
}

/// Log messages, collected across tasks.
final class LogRecords: Sendable {
    private let storage = Mutex<[String]>([])

    var messages: [String] { storage.withLock { $0 } }

    func append(_ message: String) {
        storage.withLock { $0.append(message) }
    }
}

/// A log handler that keeps the messages (with their metadata) in ``LogRecords``.
struct CapturingLogHandler: LogHandler {
    let records: LogRecords
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let metadata = self.metadata.merging(event.metadata ?? [:]) { $1 }
        let fields = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        records.append(fields.isEmpty ? "\(event.message)" : "\(event.message) \(fields)")
    }
}
