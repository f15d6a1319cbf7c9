//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import CleverAgentsHTTP
public import CleverAgentsRuntime
import Hummingbird
public import Logging
import NIOCore
import OTel
public import Prometheus
import ServiceLifecycle
import Tracing

/// The server's metrics registry and, when `tracing.enabled`, its tracer and span exporter.
///
/// Nothing here is process-wide: each server has its own registry and tracer, so several
/// servers (tests) can run in one process and `/metrics` shows only this server's series.
public struct ServerObservability: Sendable {
    /// The Prometheus registry behind `/metrics`.
    public let registry: PrometheusCollectorRegistry
    /// Where the server's components record metrics.
    public let metrics: ServerMetrics
    let tracer: (any Tracer)?
    /// Exports finished spans; runs with the server's services.
    let tracingService: (any Service)?

    public init(configuration: ObservabilityConfiguration, version: String, logger: Logger) throws {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.requestBuckets
        factory.durationHistogramBuckets = [
            ServerMetrics.Name.executorRunDuration: Self.runBuckets,
            ServerMetrics.Name.executorFirstEvent: Self.requestBuckets,
            ServerMetrics.Name.streamFirstEvent: Self.firstEventBuckets,
        ]
        metrics = ServerMetrics(factory: factory, namespaceLabel: configuration.metricsNamespaceLabel)
        metrics.recordBuildInfo(version: version)
        guard configuration.tracingEnabled else {
            tracer = nil
            tracingService = nil
            return
        }
        var otel = OTel.Configuration.default
        otel.serviceName = configuration.tracingServiceName
        otel.logs.enabled = false
        otel.metrics.enabled = false
        otel.traces.enabled = true
        otel.traces.exporter = .otlp
        otel.traces.otlpExporter.endpoint = configuration.tracingEndpoint
        otel.traces.otlpExporter.protocol = .httpProtobuf
        otel.traces.sampler = .parentBasedTraceIDRatio(ratio: configuration.tracingSampleRatio) ?? .parentBasedAlwaysOn
        otel.propagators = [.traceContext]
        otel.diagnosticLogger = .custom(logger)
        let backend = try OTel.makeTracingBackend(configuration: otel)
        tracer = backend.factory
        tracingService = backend.service
    }

    /// Seconds: 5 ms … 60 s, for requests and the graph server's first event.
    static let requestBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
    ]

    /// Seconds: 100 ms … 1 h, for whole graph runs.
    /// Fine below a few milliseconds: a stream's first event costs about one durable commit.
    static let firstEventBuckets: [Duration] = [
        .microseconds(100), .microseconds(200), .microseconds(300), .microseconds(400), .microseconds(500),
        .microseconds(750), .milliseconds(1), .microseconds(1500), .milliseconds(2), .milliseconds(3), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(2), .seconds(10),
    ]

    static let runBuckets: [Duration] = [
        .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(15), .seconds(30), .seconds(60),
        .seconds(120), .seconds(300), .seconds(600), .seconds(1800), .seconds(3600),
    ]

    /// Adds the tracing middleware (first, so it wraps everything) when tracing is on.
    func addTracing(to router: Router<A2ARequestContext>) {
        guard let tracer else { return }
        addTracing(tracer, to: router)
    }

    private func addTracing<T: Tracer>(_ tracer: T, to router: Router<A2ARequestContext>) {
        router.add(middleware: TraceContextMiddleware(tracer: tracer))
    }

    /// Adds `GET /metrics` in the Prometheus text format when metrics are on.
    func addMetricsRoute(to router: Router<A2ARequestContext>) {
        router.get("/metrics") { [registry] _, _ in
            var buffer: [UInt8] = []
            buffer.reserveCapacity(16 * 1024)
            registry.emit(into: &buffer)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer))
            )
        }
    }
}
