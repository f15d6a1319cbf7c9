//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import CleverAgentsHTTP
import HTTPTypes
import Hummingbird
import Logging
import Tracing

/// Opens a server span per request, continuing the client's W3C trace context, and hands the
/// span on: the request's `traceparent` is replaced by the server span's, so the LangGraph
/// calls the request starts become children of it. Logs of the request carry `trace_id`.
struct TraceContextMiddleware<T: Tracer>: RouterMiddleware {
    typealias Context = A2ARequestContext

    let tracer: T

    static var traceParent: HTTPField.Name { HTTPField.Name("traceparent")! }
    static var traceState: HTTPField.Name { HTTPField.Name("tracestate")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var clientContext = ServiceContext.topLevel
        tracer.extract(request.headers, into: &clientContext, using: HTTPFieldsExtractor())
        return try await tracer.withSpan("\(request.method.rawValue)", context: clientContext, ofKind: .server) { span in
            var outgoing = HTTPFields()
            tracer.inject(span.context, into: &outgoing, using: HTTPFieldsInjector())
            var head = request.head
            head.headerFields[Self.traceParent] = outgoing[Self.traceParent]
            head.headerFields[Self.traceState] = outgoing[Self.traceState]
            let request = Request(head: head, body: request.body)
            var context = context
            if let traceID = outgoing[Self.traceParent].flatMap(TraceParent.traceID) {
                context.logger[metadataKey: "trace_id"] = "\(traceID)"
            }
            span.attributes["http.request.method"] = request.method.rawValue
            span.attributes["url.path"] = request.uri.path
            let response: Response
            do {
                response = try await next(request, context)
            } catch {
                span.operationName = "\(request.method.rawValue) \(context.endpointPath ?? "NotFound")"
                throw error
            }
            // Route templates keep span names few; the path is an attribute.
            span.operationName = "\(request.method.rawValue) \(context.endpointPath ?? "NotFound")"
            span.attributes["http.route"] = context.endpointPath ?? "NotFound"
            span.attributes["http.response.status_code"] = Int(response.status.code)
            if response.status.code >= 500 {
                span.setStatus(SpanStatus(code: .error))
            }
            return response
        }
    }
}

/// W3C `traceparent` values: `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`.
enum TraceParent {
    static func traceID(_ traceParent: String) -> String? {
        let fields = traceParent.split(separator: "-")
        guard fields.count == 4, fields[1].count == 32 else { return nil }
        return String(fields[1])
    }
}

struct HTTPFieldsExtractor: Extractor {
    func extract(key: String, from fields: HTTPFields) -> String? {
        guard let name = HTTPField.Name(key) else { return nil }
        return fields[name]
    }
}

struct HTTPFieldsInjector: Injector {
    func inject(_ value: String, forKey key: String, into fields: inout HTTPFields) {
        guard let name = HTTPField.Name(key) else { return }
        fields[name] = value
    }
}
