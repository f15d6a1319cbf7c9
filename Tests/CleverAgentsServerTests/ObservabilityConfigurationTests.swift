//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsRuntime
@testable import CleverAgentsServer
import Foundation
import Logging
import Testing

@Suite(.timeLimit(.minutes(2))) struct ObservabilityConfigurationTests {
    static let database = "postgres://u:secret@db:5432/agents?sslmode=disable"

    func load(yaml: String = "{}", environment: [String: String] = [:]) async throws -> ServerConfiguration {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cleveragents-\(UUID().uuidString).yaml")
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        var environment = environment
        environment["DATABASE_URL"] = Self.database
        let reader = try await ServerConfiguration.reader(configFile: url.path, environment: environment, overrides: [:])
        return try ServerConfiguration(reader: reader)
    }

    @Test func metricsAreOnAndTracingIsOffByDefault() async throws {
        let observability = try await load().observability
        #expect(observability == ObservabilityConfiguration())
        #expect(observability.metricsEnabled)
        #expect(!observability.metricsNamespaceLabel)
        #expect(!observability.tracingEnabled)
        #expect(observability.logRequests)
    }

    @Test func keysComeFromTheFileAndTheEnvironment() async throws {
        let observability = try await load(
            yaml: """
                metrics:
                  enabled: false
                  namespaceLabel: true
                tracing:
                  enabled: true
                  serviceName: agents-eu
                log:
                  requests: false
                """,
            environment: ["CLEVERAGENTS_TRACING_ENDPOINT": "https://otel.example.com/v1/traces", "CLEVERAGENTS_TRACING_SAMPLE_RATIO": "0.25"]
        ).observability
        #expect(!observability.metricsEnabled)
        #expect(observability.metricsNamespaceLabel)
        #expect(observability.tracingEnabled)
        #expect(observability.tracingServiceName == "agents-eu")
        #expect(observability.tracingEndpoint == "https://otel.example.com/v1/traces")
        #expect(observability.tracingSampleRatio == 0.25)
        #expect(!observability.logRequests)
    }

    @Test(arguments: [
        ("CLEVERAGENTS_TRACING_ENDPOINT", "otel:4318", "tracing.endpoint"),
        ("CLEVERAGENTS_TRACING_SAMPLE_RATIO", "1.5", "tracing.sampleRatio"),
        ("CLEVERAGENTS_TRACING_SAMPLE_RATIO", "half", "tracing.sampleRatio"),
        ("CLEVERAGENTS_TRACING_ENABLED", "maybe", "tracing.enabled"),
        ("CLEVERAGENTS_METRICS_ENABLED", "sometimes", "metrics.enabled"),
        ("CLEVERAGENTS_LOG_REQUESTS", "2", "log.requests"),
    ])
    func invalidValuesNameTheirKey(_ variable: String, _ value: String, _ key: String) async throws {
        do {
            _ = try await load(environment: [variable: value])
            Issue.record("\(variable)=\(value) was accepted")
        } catch let error as ConfigurationError {
            #expect(error.key == key)
        }
    }

    @Test func theResultLabelNamesEveryKnownErrorAndLumpsTheRest() {
        #expect(ServerMetrics.resultName(errorCode: nil) == "ok")
        #expect(ServerMetrics.resultName(errorCode: -32001) == "task_not_found")
        #expect(ServerMetrics.resultName(errorCode: -32055) == "payload_too_large")
        #expect(ServerMetrics.resultName(errorCode: 12345) == "error")
        #expect(ServerMetrics.stateName(.inputRequired) == "input_required")
    }

    @Test func traceIDsAreReadFromTraceparent() {
        #expect(TraceParent.traceID("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01") == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(TraceParent.traceID("garbage") == nil)
    }
}
