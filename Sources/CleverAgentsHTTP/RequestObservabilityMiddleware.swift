//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsRuntime
import HTTPTypes
public import Hummingbird
import Logging

/// Gives every request an id in its logs (`request_id`, also echoed as `X-Request-Id`), counts
/// and times it by route template, and writes one access log line.
///
/// A client's `X-Request-Id` is kept when it is short and plain, so a request can be followed
/// from an ingress into our logs. Probe and scrape requests log at debug level only. Query
/// strings are never logged: clients may put anything there.
public struct RequestObservabilityMiddleware: RouterMiddleware {
    public typealias Context = A2ARequestContext

    public let metrics: ServerMetrics
    public let logRequests: Bool

    static let requestIDHeader = HTTPField.Name("X-Request-Id")!
    static let quietRoutes: Set<String> = ["/healthz", "/readyz", "/metrics"]

    public init(metrics: ServerMetrics, logRequests: Bool) {
        self.metrics = metrics
        self.logRequests = logRequests
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let requestID = request.headers[Self.requestIDHeader].flatMap(Self.acceptedRequestID) ?? context.id
        // Hummingbird's logger names its own id already; each change may reformat the metadata.
        if requestID != context.id {
            context.logger[metadataKey: "hb.request.id"] = "\(requestID)"
        }
        context.logger[metadataKey: "request_id"] = "\(requestID)"
        let started = ContinuousClock.now
        do {
            var response = try await next(request, context)
            response.headers[Self.requestIDHeader] = requestID
            finish(request, context: context, status: response.status.code, started: started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            finish(request, context: context, status: status, started: started)
            throw error
        }
    }

    private func finish(_ request: Request, context: Context, status: Int, started: ContinuousClock.Instant) {
        let duration = ContinuousClock.now - started
        // Unmatched paths share one label value (Hummingbird names them NotFound), so scanners cannot grow the series.
        let route = context.endpointPath ?? "NotFound"
        metrics.recordHTTP(route: route, method: request.method.rawValue, status: status, duration: duration)
        guard logRequests else { return }
        let level: Logger.Level = Self.quietRoutes.contains(route) ? .debug : .info
        context.logger.log(
            level: level,
            "Request",
            metadata: [
                "http_method": "\(request.method.rawValue)",
                "http_path": "\(request.uri.path)",
                "http_route": "\(route)",
                "http_status": "\(status)",
                "duration_ms": "\(Self.milliseconds(duration))",
            ]
        )
    }

    /// A client request id: 1 to 128 letters, digits, `-`, `_`, `.` or `:`.
    static func acceptedRequestID(_ value: String) -> String? {
        guard (1...128).contains(value.utf8.count) else { return nil }
        let allowed = value.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x5F || byte == 0x2E || byte == 0x3A
        }
        return allowed ? value : nil
    }

    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let micros = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        return "\(micros / 1000).\(micros % 1000 / 100)"
    }
}
