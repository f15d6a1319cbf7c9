//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsRuntime
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Limits the requests of each client address before anything else is done for them: no body is
/// read, no namespace looked up, no credential checked (`limits.clientRequestsPerSecond`).
///
/// Over it: HTTP 429 with `Retry-After` and `-32053`, as for the other rate limits. The probes are
/// not limited (the orchestrator polls them).
struct ClientRateLimitMiddleware: RouterMiddleware {
    typealias Context = A2ARequestContext

    let limiter: ClientRateLimiter
    /// Behind a TLS proxy every connection comes from the proxy: the client is the last address
    /// of `X-Forwarded-For`, which the proxy appends.
    let trustsForwardedFor: Bool

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if TransportSecurityMiddleware.probes.contains(request.uri.path) { return try await next(request, context) }
        let forwarded = trustsForwardedFor ? request.headers[values: Self.forwardedFor].last : nil
        guard let client = Self.clientKey(remote: context.channel.remoteAddress, forwardedFor: forwarded) else {
            return try await next(request, context)
        }
        if case .limited(let retryAfter) = limiter.admit(client) {
            return JSONRPCEndpoint.rateLimited(codec: .v1_0, id: .null, retryAfter: retryAfter)
        }
        return try await next(request, context)
    }

    /// The bucket a client counts against: its IPv4 address, or the /64 network of its IPv6
    /// address (one host controls a whole /64, so per address it could pick a fresh bucket for
    /// every request). With a forwarded address, the last one in the header.
    static func clientKey(remote: SocketAddress?, forwardedFor: String?) -> String? {
        var address = remote
        if let forwardedFor, let last = forwardedFor.split(separator: ",").last {
            let text = last.trimmingCharacters(in: .whitespaces)
            address = (try? SocketAddress(ipAddress: text, port: 0)) ?? address
        }
        switch address {
        case .v4:
            return address?.ipAddress
        case .v6(let v6):
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            // An IPv4 client of a server listening on IPv6 arrives as ::ffff:a.b.c.d.
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
                return bytes[12..<16].map(String.init).joined(separator: ".")
            }
            let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            return groups.joined(separator: ":") + "::/64"
        default:
            return nil
        }
    }
}
