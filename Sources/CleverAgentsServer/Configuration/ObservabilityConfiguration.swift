//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation

/// Metrics, tracing and access-log settings (`metrics.*`, `tracing.*`, `log.requests`).
public struct ObservabilityConfiguration: Sendable, Hashable {
    /// `metrics.enabled`: serve Prometheus metrics on `GET /metrics`.
    public var metricsEnabled: Bool
    /// `metrics.namespaceLabel`: label RPC series with the namespace (one series per tenant).
    public var metricsNamespaceLabel: Bool
    /// `tracing.enabled`: export spans with OTLP/HTTP and propagate the server's span to LangGraph.
    public var tracingEnabled: Bool
    /// `tracing.endpoint`: the OTLP/HTTP traces endpoint.
    public var tracingEndpoint: String
    /// `tracing.serviceName`: `service.name` of the exported spans.
    public var tracingServiceName: String
    /// `tracing.sampleRatio`: share of new traces that are sampled; a client's decision is kept.
    public var tracingSampleRatio: Double
    /// `log.requests`: one access log line per request.
    public var logRequests: Bool

    public init(
        metricsEnabled: Bool = true,
        metricsNamespaceLabel: Bool = false,
        tracingEnabled: Bool = false,
        tracingEndpoint: String = "http://localhost:4318/v1/traces",
        tracingServiceName: String = "cleveragents",
        tracingSampleRatio: Double = 1.0,
        logRequests: Bool = true
    ) {
        self.metricsEnabled = metricsEnabled
        self.metricsNamespaceLabel = metricsNamespaceLabel
        self.tracingEnabled = tracingEnabled
        self.tracingEndpoint = tracingEndpoint
        self.tracingServiceName = tracingServiceName
        self.tracingSampleRatio = tracingSampleRatio
        self.logRequests = logRequests
    }

    /// Reads and validates the keys; the error names the first bad one.
    init(values: ConfigValues) throws(ConfigurationError) {
        let defaults = ObservabilityConfiguration()
        let endpoint = try values.string("tracing.endpoint") ?? defaults.tracingEndpoint
        guard let components = URLComponents(string: endpoint), ["http", "https"].contains(components.scheme ?? ""), components.host?.isEmpty == false else {
            throw ConfigurationError(key: "tracing.endpoint", reason: "'\(endpoint)' is not an http(s) URL")
        }
        var ratio = defaults.tracingSampleRatio
        if let text = try values.string("tracing.sampleRatio") {
            guard let value = Double(text), (0...1).contains(value) else {
                throw ConfigurationError(key: "tracing.sampleRatio", reason: "'\(text)' is not a number between 0 and 1")
            }
            ratio = value
        }
        let serviceName = try values.string("tracing.serviceName") ?? defaults.tracingServiceName
        guard serviceName.utf8.count <= 255 else {
            throw ConfigurationError(key: "tracing.serviceName", reason: "is longer than 255 bytes")
        }
        self.init(
            metricsEnabled: try values.boolean("metrics.enabled") ?? defaults.metricsEnabled,
            metricsNamespaceLabel: try values.boolean("metrics.namespaceLabel") ?? defaults.metricsNamespaceLabel,
            tracingEnabled: try values.boolean("tracing.enabled") ?? defaults.tracingEnabled,
            tracingEndpoint: endpoint,
            tracingServiceName: serviceName,
            tracingSampleRatio: ratio,
            logRequests: try values.boolean("log.requests") ?? defaults.logRequests
        )
    }
}
