//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import HTTPTypes
import Hummingbird
import NIOCore

/// Records each request, answers injected status faults, checks `x-api-key`, and turns errors
/// into LangGraph's `{"detail": …}` bodies.
struct EmulatorMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    let faults: EmulatorFaults
    let apiKey: String?

    static let recordedHeaders = ["traceparent", "tracestate", "last-event-id", "user-agent", "accept"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        let administrative = path.hasPrefix("/_emulator")
        if !administrative {
            var headers: [String: String] = [:]
            for name in Self.recordedHeaders {
                if let value = request.headers[HTTPField.Name(name)!] { headers[name] = value }
            }
            if request.headers[HTTPField.Name("x-api-key")!] != nil { headers["x-api-key"] = "present" }
            faults.record(RecordedRequest(method: request.method.rawValue, path: path, headers: headers))
            if let fault = faults.take(method: request.method.rawValue, path: path, kind: { $0.status != nil }), let status = fault.status {
                var response = Self.error(status: status, detail: "injected fault")
                if let retryAfter = fault.retryAfterSeconds { response.headers[HTTPField.Name("retry-after")!] = String(retryAfter) }
                return response
            }
            if let apiKey, path != "/ok", path != "/info", request.headers[HTTPField.Name("x-api-key")!] != apiKey {
                return Self.error(status: 401, detail: "invalid api key")
            }
        }
        do {
            return try await next(request, context)
        } catch let error as EmulatorError {
            return Self.error(status: error.status, detail: error.detail)
        } catch let error as HTTPError {
            return Self.error(status: error.status.code, detail: error.body ?? error.status.reasonPhrase)
        }
    }

    static func error(status: Int, detail: String) -> Response {
        Response(
            status: HTTPResponse.Status(code: status),
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(["detail": .string(detail)])))
        )
    }
}
