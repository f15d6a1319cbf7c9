//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
@testable import CleverAgentsHTTP
import CleverAgentsPostgres
import CleverAgentsRuntime
@testable import CleverAgentsServer
import CleverAgentsTestSupport
import Foundation
import Logging
import NIOHTTP1
import Testing

/// `/metrics`, the JSON logs and tracing of the real server, on real sockets against real
/// PostgreSQL and LangGraph.
@Suite(.enabled(if: TestEnvironment.hasServices), .serialized, .timeLimit(.minutes(5))) struct ObservabilityTests {
    let client = RPCTestClient()

    @Test func metricsAfterTrafficHaveEveryDocumentedSeriesWithBoundedLabels() async throws {
        // A database of its own: test servers that share one share its push outbox, and another
        // server could deliver every notification of this one's, which would then count none.
        try await PostgresTestDatabase.withFreshDatabase { url in
            let webhook = try await WebhookReceiver.start()
            let databaseURL = try DatabaseURL(url)
            let server = try await TestServer.start { $0.database.url = databaseURL }
            do {
                let namespace = try await server.createNamespace()
                let endpoint = server.endpoint(namespace.rawValue)
                let sent = try await client.call(
                    endpoint,
                    method: "SendMessage",
                    params: #"{"message":{"messageId":"m1","role":"ROLE_USER","parts":[{"text":"hi"}]},"configuration":{"taskPushNotificationConfig":{"url":"\#(webhook.url)","token":"t"}}}"#
                )
                #expect(try sent.result().at("task.status.state") == "TASK_STATE_COMPLETED")
                _ = try await client.call(endpoint, method: "GetTask", params: #"{"id":"no-such-task"}"#)
                _ = try await client.call(server.endpoint("no-such-namespace"), method: "GetTask", params: #"{"id":"x"}"#)
                _ = try await client.call(endpoint, method: "NoSuchMethod")
                _ = try await client.get("\(server.baseURL)/healthz")
                _ = try await client.get("\(server.baseURL)/no/such/path/\(UUID().uuidString)")

                // The run's bookkeeping and the push deliveries finish after the answer: wait until the
                // webhook has the task's last notification, then until the counters show it.
                try await waitForNotifications(webhook, upTo: "TASK_STATE_COMPLETED")
                // The test servers share one outbox like replicas do, so this server may also have
                // delivered other tests' notifications (or another server some of ours): it counted
                // deliveries, and timed every attempt it counted.
                func attempts(_ samples: [MetricSample]) -> Double {
                    samples.filter { $0.name == "cleveragents_push_deliveries_total" }.map(\.value).reduce(0, +)
                }
                let samples = try await scrape(server) { samples in
                    samples.value("cleveragents_task_runs_active") == 0
                        && samples.value("cleveragents_push_deliveries_total", ["result": "delivered"]) ?? 0 >= 1
                        && samples.value("cleveragents_push_delivery_duration_seconds_count") == attempts(samples)
                }
                #expect(samples.value("cleveragents_task_runs_active") == 0)
                #expect(samples.value("cleveragents_push_deliveries_total", ["result": "delivered"]) ?? 0 >= 1, "\(samples.filter { $0.name.hasPrefix("cleveragents_push_deliveries") })")
                #expect(samples.value("cleveragents_push_delivery_duration_seconds_count") == attempts(samples))
                #expect(samples.value("cleveragents_rpc_requests_total", ["method": "SendMessage", "result": "ok"]) == 1)
                #expect(samples.value("cleveragents_rpc_requests_total", ["method": "GetTask", "result": "task_not_found"]) == 1)
                #expect(samples.value("cleveragents_rpc_requests_total", ["method": "GetTask", "result": "namespace_not_found"]) == 1)
                #expect(samples.value("cleveragents_rpc_requests_total", ["method": "unknown", "result": "method_not_found"]) == 1)
                #expect(samples.value("cleveragents_rpc_request_duration_seconds_count", ["method": "SendMessage"]) == 1)
                #expect(samples.value("cleveragents_http_requests_total", ["route": "/healthz", "method": "GET", "status": "200"]) == 1)
                #expect(
                    samples.value("cleveragents_http_requests_total", ["route": "NotFound", "method": "GET", "status": "404"]) == 1,
                    "\(samples.filter { $0.name == "cleveragents_http_requests_total" })"
                )
                #expect(samples.value("cleveragents_task_transitions_total", ["state": "submitted"]) == 1)
                #expect(samples.value("cleveragents_task_transitions_total", ["state": "completed"]) == 1)
                #expect(samples.value("cleveragents_task_queue_depth") == 0)
                #expect(samples.value("cleveragents_executor_run_duration_seconds_count", ["outcome": "completed"]) == 1)
                #expect(samples.value("cleveragents_executor_first_event_seconds_count") == 1)
                #expect(samples.value("cleveragents_db_pool_connections_max") == Double(server.configuration.database.poolSize))
                #expect(samples.value("cleveragents_db_operations_in_flight").map { $0 >= 0 } == true)
                #expect((samples.value("cleveragents_db_operation_duration_seconds_count", ["result": "ok"]) ?? 0) > 0)
                #expect(samples.value("cleveragents_build_info", ["version": ServerApplication.version]) == 1)

                #expect(samples.value("cleveragents_stream_first_event_seconds_count") == 0, "no stream yet")

                // A stream: the time to its first event is measured once.
                let streamed = try await client.stream(
                    endpoint, method: "SendStreamingMessage", params: #"{"message":{"messageId":"m2","role":"ROLE_USER","parts":[{"text":"hi"}]}}"#
                )
                #expect(!streamed.events.isEmpty)
                let afterStream = try await scrape(server) { $0.value("cleveragents_stream_first_event_seconds_count") == 1 }
                #expect(afterStream.value("cleveragents_stream_first_event_seconds_count") == 1)
                #expect((afterStream.value("cleveragents_stream_first_event_seconds_sum") ?? 0) > 0)

                // Every series the operations guide documents is there.
                for name in try documentedSeries() {
                    #expect(afterStream.contains { [name, "\(name)_bucket"].contains($0.name) }, "\(name) is documented but not scraped")
                }
                // Bounded labels: no namespace, no task id, no raw path.
                let labelNames = Set(samples.flatMap { $0.labels.keys })
                #expect(labelNames.isSubset(of: ["method", "result", "route", "status", "state", "outcome", "version", "le"]), "\(labelNames)")
                #expect(!samples.contains { $0.labels.values.contains(namespace.rawValue) })
                #expect(samples.filter { $0.name == "cleveragents_http_requests_total" }.allSatisfy { !($0.labels["route"] ?? "").contains("no/such") })
            } catch {
                try await server.stop()
                try await webhook.stop()
                throw error
            }
            try await server.stop()
            try await webhook.stop()
        }
    }

    @Test func theNamespaceLabelIsOptInAndUnknownNamespacesShareOneValue() async throws {
        let server = try await TestServer.start { $0.observability.metricsNamespaceLabel = true }
        do {
            let namespace = try await server.createNamespace()
            _ = try await client.call(server.endpoint(namespace.rawValue), method: "GetTask", params: #"{"id":"x"}"#)
            _ = try await client.call(server.endpoint("unknown-\(UUID().uuidString.prefix(8).lowercased())"), method: "GetTask", params: #"{"id":"x"}"#)
            let samples = try await scrape(server) { _ in true }
            #expect(samples.value("cleveragents_rpc_requests_total", ["method": "GetTask", "result": "task_not_found", "namespace": namespace.rawValue]) == 1)
            #expect(samples.value("cleveragents_rpc_requests_total", ["method": "GetTask", "result": "namespace_not_found", "namespace": "unknown"]) == 1)
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func metricsCanBeTurnedOff() async throws {
        let server = try await TestServer.start { $0.observability.metricsEnabled = false }
        let reply = try await client.get("\(server.baseURL)/metrics")
        try await server.stop()
        #expect(reply.status == 404)
    }

    @Test func logsAreJSONLinesWithRequestAndTaskIdsAndNoSecrets() async throws {
        let sink = OutputSink.memory()
        var logger = Logger(label: "cleveragents") { JSONLogHandler(label: $0, level: .debug, output: sink) }
        logger.logLevel = .debug
        let secretsKey = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let pushToken = "push-token-\(UUID().uuidString)"
        let apiKey = "graph-api-key-\(UUID().uuidString)"
        let webhook = try await WebhookReceiver.start()
        let server = try await TestServer.start(logger: logger) {
            $0.secretsKey = secretsKey
        }
        do {
            let namespace = try await server.createNamespace(assistant: nil)
            // A graph the LangGraph server does not have: the run fails, and the failure is logged.
            let graphURL = try #require(TestEnvironment.langGraphURL)
            let sealed = try AESGCMSecretBox(base64Key: secretsKey).seal(
                apiKey, for: .actorAPIKey(namespace: namespace, actor: "missing", graphURL: graphURL)
            )
            try await server.store.putActor(
                ActorDefinition(name: "missing", graphURL: graphURL, assistantID: "no-such-graph", apiKey: sealed, isDefault: true),
                in: namespace
            )
            let requestID = "req-\(UUID().uuidString)"
            var request = HTTPClientRequestBuilder(
                url: server.endpoint(namespace.rawValue),
                body: #"{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m1","role":"ROLE_USER","parts":[{"text":"hi"}]},"#
                    + #""configuration":{"taskPushNotificationConfig":{"url":"\#(webhook.url)","token":"\#(pushToken)"}}}}"#
            )
            request.headers.append(("X-Request-Id", requestID))
            let reply = try await client.post(request.url, body: request.body, headers: request.headers)
            #expect(reply.headers.first(name: "x-request-id") == requestID)
            let taskId = try #require(try reply.result().at("task.id")?.stringValue)
            #expect(try reply.result().at("task.status.state") == "TASK_STATE_FAILED")
            // The notifications carry the token: they are sent (and logged) before the logs are read.
            try await waitForNotifications(webhook, upTo: "TASK_STATE_FAILED")
            #expect(webhook.received.allSatisfy { $0.headers["x-a2a-notification-token"] == pushToken })

            let lines = sink.captured
            #expect(!lines.isEmpty)
            var records: [[String: Any]] = []
            for line in lines {
                #expect(line.hasSuffix("\n") && line.dropLast().firstIndex(of: "\n") == nil, "one record per line: \(line)")
                let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
                for field in ["ts", "level", "msg", "logger"] { #expect(record[field] != nil, "\(field) missing in \(line)") }
                for secret in [secretsKey, pushToken, apiKey] { #expect(!line.contains(secret), "a secret in the log: \(line)") }
                records.append(record)
            }
            let access = records.filter { $0["msg"] as? String == "Request" && $0["request_id"] as? String == requestID }
            #expect(access.count == 1)
            #expect(access.first?["http_route"] as? String == "/ns/{namespace}")
            #expect(access.first?["http_status"] as? String == "200")
            #expect(records.contains { $0["task_id"] as? String == taskId && ($0["level"] as? String) == "warning" }, "the failed run is logged with its task id")
        } catch {
            try await server.stop()
            try await webhook.stop()
            throw error
        }
        try await server.stop()
        try await webhook.stop()
    }

    @Test func aClientRequestIdIsKeptOnlyWhenItIsPlain() {
        #expect(RequestObservabilityMiddleware.acceptedRequestID("abc-123_x.y:z") == "abc-123_x.y:z")
        #expect(RequestObservabilityMiddleware.acceptedRequestID("") == nil)
        #expect(RequestObservabilityMiddleware.acceptedRequestID("has space") == nil)
        #expect(RequestObservabilityMiddleware.acceptedRequestID("line\nbreak") == nil)
        #expect(RequestObservabilityMiddleware.acceptedRequestID(String(repeating: "a", count: 129)) == nil)
    }

    @Test func tracingContinuesTheClientsTraceToLangGraphAndExportsSpans() async throws {
        let collector = try await WebhookReceiver.start()
        let graphServer = try await WebhookReceiver.start()
        let server = try await TestServer.start {
            $0.observability.tracingEnabled = true
            $0.observability.tracingEndpoint = "http://127.0.0.1:\(collector.port)/v1/traces"
        }
        let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
        let clientSpanID = "00f067aa0ba902b7"
        do {
            let namespace = try await server.createNamespace(assistant: nil)
            try await server.store.putActor(
                ActorDefinition(name: "recorder", graphURL: "http://127.0.0.1:\(graphServer.port)", assistantID: "a", isDefault: true),
                in: namespace
            )
            var request = HTTPClientRequestBuilder(
                url: server.endpoint(namespace.rawValue),
                body: #"{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m1","role":"ROLE_USER","parts":[{"text":"hi"}]}}}"#
            )
            request.headers.append(("traceparent", "00-\(traceID)-\(clientSpanID)-01"))
            _ = try await client.post(request.url, body: request.body, headers: request.headers)
        } catch {
            try await server.stop()
            try await collector.stop()
            try await graphServer.stop()
            throw error
        }
        // Stopping flushes the span exporter.
        try await server.stop()
        try await collector.stop()
        try await graphServer.stop()

        let run = try #require(graphServer.received.first { $0.path.hasSuffix("/runs/stream") }, "the run reached the graph server")
        let sent = try #require(run.headers["traceparent"]).split(separator: "-").map(String.init)
        #expect(sent.count == 4)
        #expect(sent[1] == traceID, "the graph server's request continues the client's trace")
        #expect(sent[2] != clientSpanID, "its parent is the server's span, not the client's")
        #expect(sent[3] == "01")

        let exports = collector.received.filter { $0.path == "/v1/traces" }
        #expect(!exports.isEmpty, "spans were exported")
        #expect(exports.first?.headers["content-type"] == "application/x-protobuf")
        let traceBytes = Data(hexadecimal: traceID)
        let spanBytes = Data(hexadecimal: sent[2])
        #expect(exports.contains { $0.body.range(of: traceBytes) != nil }, "an exported span belongs to the client's trace")
        #expect(exports.contains { $0.body.range(of: spanBytes) != nil }, "the server's span is exported")
    }

    @Test func withoutTracingTheClientsTraceparentReachesLangGraphUnchanged() async throws {
        let graphServer = try await WebhookReceiver.start()
        let server = try await TestServer.start()
        let traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        do {
            let namespace = try await server.createNamespace(assistant: nil)
            try await server.store.putActor(
                ActorDefinition(name: "recorder", graphURL: "http://127.0.0.1:\(graphServer.port)", assistantID: "a", isDefault: true),
                in: namespace
            )
            var request = HTTPClientRequestBuilder(
                url: server.endpoint(namespace.rawValue),
                body: #"{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m1","role":"ROLE_USER","parts":[{"text":"hi"}]}}}"#
            )
            request.headers.append(("traceparent", traceParent))
            _ = try await client.post(request.url, body: request.body, headers: request.headers)
        } catch {
            try await server.stop()
            try await graphServer.stop()
            throw error
        }
        try await server.stop()
        try await graphServer.stop()
        let run = try #require(graphServer.received.first { $0.path.hasSuffix("/runs/stream") })
        #expect(run.headers["traceparent"] == traceParent)
    }

    // MARK: Helpers

    /// Waits (at most 30 s) until `webhook` accepted a status update to `state`: the task's
    /// notifications are all delivered then, so none is left to retry against a stopped webhook.
    func waitForNotifications(_ webhook: WebhookReceiver, upTo state: String) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        func arrived() throws -> Bool {
            try webhook.received.contains { received in
                try JSONDecoder().decode(JSONValue.self, from: received.body).at("statusUpdate.status.state") == .string(state)
            }
        }
        while try !arrived(), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(25))
        }
        #expect(try arrived(), "the webhook received the update to \(state): \(webhook.received.map { String(decoding: $0.body, as: UTF8.self) })")
    }

    /// Scrapes `/metrics` until `ready` holds (at most 30 s), then returns the samples.
    func scrape(_ server: TestServer, until ready: ([MetricSample]) -> Bool) async throws -> [MetricSample] {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let reply = try await client.get("\(server.baseURL)/metrics")
            #expect(reply.status == 200)
            #expect(reply.headers.first(name: "content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let samples = try MetricSample.parse(String(decoding: reply.body, as: UTF8.self))
            if ready(samples) || ContinuousClock.now > deadline { return samples }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The series names in the metrics table of docs/operations.md.
    func documentedSeries() throws -> [String] {
        let guide = try String(contentsOf: TestEnvironment.repositoryRoot.appendingPathComponent("docs/operations.md"), encoding: .utf8)
        let names = guide.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| `cleveragents_") else { return nil }
            return line.dropFirst(3).prefix { $0 != "`" }.description
        }
        #expect(names.count >= 10, "the guide's metrics table was found")
        return names
    }
}

/// One sample of the Prometheus text format.
struct MetricSample: Sendable {
    var name: String
    var labels: [String: String]
    var value: Double

    static func parse(_ text: String) throws -> [MetricSample] {
        try text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }.map { line in
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                throw ParseError(line: String(line))
            }
            let series = line[..<space]
            guard let brace = series.firstIndex(of: "{") else {
                return MetricSample(name: String(series), labels: [:], value: value)
            }
            var labels: [String: String] = [:]
            // Label values here never contain `",`, so splitting on it is exact.
            for pair in series[series.index(after: brace)..<series.index(before: series.endIndex)].components(separatedBy: "\",") where !pair.isEmpty {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { throw ParseError(line: String(line)) }
                labels[String(parts[0])] = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
            return MetricSample(name: String(series[..<brace]), labels: labels, value: value)
        }
    }

    struct ParseError: Error {
        var line: String
    }
}

extension [MetricSample] {
    /// The value of the series with exactly these labels.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        first { $0.name == name && $0.labels == labels }?.value
    }
}

extension Data {
    init(hexadecimal: String) {
        var bytes: [UInt8] = []
        var index = hexadecimal.startIndex
        while index < hexadecimal.endIndex, let next = hexadecimal.index(index, offsetBy: 2, limitedBy: hexadecimal.endIndex) {
            bytes.append(UInt8(hexadecimal[index..<next], radix: 16) ?? 0)
            index = next
        }
        self.init(bytes)
    }
}
