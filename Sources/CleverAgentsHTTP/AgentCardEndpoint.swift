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
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationCompat

/// Serves agent cards, in the 1.0 layout with the 0.3 fields merged in
/// (``A2AProtocol/AgentCard/servedJSON()``), with `Cache-Control`, `ETag` and `Last-Modified`, and
/// answers `If-None-Match` with 304.
struct AgentCardEndpoint: Sendable {
    static let wellKnownNames = ["agent-card.json", "agent.json"]

    let service: A2AService
    let configuration: HTTPFrontEndConfiguration

    func respond(to request: Request, namespace rawNamespace: String, context: A2ARequestContext) async throws -> Response {
        guard let namespace = NamespaceName(rawNamespace) else {
            return JSONRPCEndpoint.errorResponse(.namespaceNotFound(rawNamespace), id: .null, status: .notFound)
        }
        let card: AgentCard
        let lastModified: A2ATimestamp
        do {
            var (_, snapshot) = try await service.namespace(namespace)
            if configuration.production && snapshot.namespace.authMode == .disabled {
                // Production requires credentials everywhere; the card says so.
                snapshot.namespace.authMode = .required
            }
            card = service.cards.card(for: snapshot, requestBaseURL: Self.baseURL(of: request, transport: configuration.transport))
            lastModified = snapshot.lastModified
        } catch {
            return JSONRPCEndpoint.plainFailure(error, logger: context.logger)
        }
        let encoder = A2AJSON.makeEncoder()
        encoder.outputFormatting.insert(.sortedKeys)  // a stable body gives a stable ETag
        // The 1.0 card with the 0.3 fields merged in: 0.3 clients start from this card too.
        let body = try encoder.encode(card.servedJSON())
        let etag = "\"" + SHA256.hash(data: body).prefix(16).map { String(format: "%02x", $0) }.joined() + "\""
        var headers: HTTPFields = [
            .contentType: "application/json",
            .eTag: etag,
            .lastModified: Self.httpDate(lastModified),
        ]
        if service.cards.publicBaseURL != nil {
            headers[.cacheControl] = "public, max-age=\(configuration.agentCardMaxAge)"
        } else {
            // The card names the scheme and host the request claimed: no shared cache may keep
            // it for others (development only; production requires http.publicBaseUrl).
            headers[.cacheControl] = "private, max-age=\(configuration.agentCardMaxAge)"
            headers[.vary] = "Host, X-Forwarded-Proto"
        }
        if let ifNoneMatch = request.headers[.ifNoneMatch], Self.matches(ifNoneMatch, etag: etag) {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: body)))
    }

    /// The scheme and authority the request was sent to, for cards when no public URL is set.
    static func baseURL(of request: Request, transport: HTTPFrontEndConfiguration.Transport) -> String {
        let scheme: String
        switch transport {
        case .plain: scheme = request.head.scheme ?? "http"
        case .tls, .tlsProxy: scheme = "https"
        }
        let authority = request.head.authority ?? "localhost"
        return "\(scheme)://\(authority)"
    }

    /// `If-None-Match` holds `*` or a list of (possibly weak) entity tags.
    static func matches(_ ifNoneMatch: String, etag: String) -> Bool {
        ifNoneMatch.split(separator: ",").contains { candidate in
            var tag = candidate.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            return tag == etag
        }
    }

    /// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
    static func httpDate(_ timestamp: A2ATimestamp) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: timestamp.date)
    }
}
