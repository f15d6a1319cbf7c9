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
import Foundation
import HTTPTypes
import Hummingbird

/// Enforces HTTPS where the server is configured for it, and adds HSTS to HTTPS answers.
///
/// Behind a TLS-terminating proxy, a request must say `X-Forwarded-Proto: https`; anything else
/// is refused (403), except the probes, which the orchestrator sends directly over HTTP.
struct TransportSecurityMiddleware: RouterMiddleware {
    typealias Context = A2ARequestContext

    let transport: HTTPFrontEndConfiguration.Transport

    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    static let strictTransportSecurity = HTTPField.Name("Strict-Transport-Security")!
    static let probes: Set<String> = ["/healthz", "/readyz", "/metrics"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        switch transport {
        case .plain:
            return try await next(request, context)
        case .tls:
            var response = try await next(request, context)
            response.headers[Self.strictTransportSecurity] = "max-age=31536000; includeSubDomains"
            return response
        case .tlsProxy:
            let proto = request.headers[Self.forwardedProto]?.split(separator: ",").first.map { $0.trimmingBlanks().lowercased() }
            if proto != "https" {
                if Self.probes.contains(request.uri.path) { return try await next(request, context) }
                return JSONRPCEndpoint.errorResponse(
                    JSONRPCError(code: JSONRPCError.permissionDeniedCode, message: "HTTPS is required: this server accepts requests only through its TLS proxy"),
                    id: .null,
                    status: .forbidden
                )
            }
            var response = try await next(request, context)
            response.headers[Self.strictTransportSecurity] = "max-age=31536000; includeSubDomains"
            return response
        }
    }
}
