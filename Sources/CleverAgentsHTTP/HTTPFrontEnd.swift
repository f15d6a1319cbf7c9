//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
public import CleverAgentsRuntime
import Foundation
public import Hummingbird
import Logging

/// The HTTP front end: JSON-RPC on `POST /ns/{namespace}`, agent cards, and health endpoints.
public struct HTTPFrontEnd: Sendable {
    public let service: A2AService
    public let admin: AdminService
    public let authenticator: Authenticator
    public let configuration: HTTPFrontEndConfiguration
    /// Whether the server can take traffic (database reachable, schema current).
    public let readiness: @Sendable () async -> Readiness
    /// Serves the `_cleveragents/sync/*` methods when set.
    public let sync: SyncService?
    public let metrics: ServerMetrics

    public init(
        service: A2AService,
        admin: AdminService,
        authenticator: Authenticator,
        configuration: HTTPFrontEndConfiguration,
        sync: SyncService? = nil,
        readiness: @escaping @Sendable () async -> Readiness,
        metrics: ServerMetrics = ServerMetrics()
    ) {
        self.service = service
        self.admin = admin
        self.authenticator = authenticator
        self.configuration = configuration
        self.sync = sync
        self.readiness = readiness
        self.metrics = metrics
    }

    /// Adds the front end's routes to a router, behind request ids, metrics and access logs,
    /// the transport security rules, and the rate limit per client address when configured.
    public func addRoutes(to router: Router<A2ARequestContext>) {
        router.add(middleware: RequestObservabilityMiddleware(metrics: metrics, logRequests: configuration.logRequests))
        router.add(middleware: TransportSecurityMiddleware(transport: configuration.transport))
        if let limit = configuration.clientRateLimit {
            // Before any route: a flood costs neither a body read, a namespace lookup nor a credential check.
            let limiter = ClientRateLimiter(limit)
            router.add(middleware: ClientRateLimitMiddleware(limiter: limiter, trustsForwardedFor: configuration.transport == .tlsProxy))
        }
        let jsonRPC = JSONRPCEndpoint(
            dispatcher: JSONRPCDispatcher(service: service, admin: admin, sync: sync),
            authenticator: authenticator,
            configuration: configuration,
            metrics: metrics
        )
        let cards = AgentCardEndpoint(service: service, configuration: configuration)
        // The router matches `{url}` and `{url}/` alike, as clients join paths both ways.
        router.post("/ns/:namespace") { [metrics] request, context in
            let started = ContinuousClock.now
            return await jsonRPC.respond(to: request, namespace: context.parameters.get("namespace") ?? "", context: context)
                .endingWhenTheClientLeaves(context.channel) { metrics.recordStreamFirstEvent(after: .now - started) }
        }
        // Server administration (namespaces, principals): superadmins only.
        router.post("/") { request, context in
            try await jsonRPC.respondServer(to: request, context: context)
        }
        for name in AgentCardEndpoint.wellKnownNames {
            router.get("/ns/:namespace/.well-known/\(name)") { request, context in
                try await cards.respond(to: request, namespace: context.parameters.get("namespace") ?? "", context: context)
            }
            // The configured default namespace's card, or the only namespace's.
            router.get("/.well-known/\(name)") { [service] request, context in
                let root: NamespaceName?
                do {
                    root = try await service.rootNamespace(configured: configuration.defaultNamespace)
                } catch {
                    return JSONRPCEndpoint.plainFailure(error, logger: context.logger)
                }
                guard let root else { return Self.noRootCard() }
                return try await cards.respond(to: request, namespace: root.rawValue, context: context)
            }
        }
        router.get("/healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(string: #"{"status":"ok"}"#)))
        }
        router.get("/readyz") { _, _ in
            let readiness = await readiness()
            return Response(
                status: readiness.isReady ? .ok : .serviceUnavailable,
                headers: [.contentType: "application/json", .cacheControl: "no-store"],
                body: .init(byteBuffer: .init(string: readiness.json))
            )
        }
    }
}

extension HTTPFrontEnd {
    /// The root's answer when it has no card: several namespaces (or none) and no
    /// `namespaces.default`. It says where cards are, without naming any tenant to an anonymous
    /// caller.
    static func noRootCard() -> Response {
        let body = #"{"error":"this server hosts several namespaces and none is the default (namespaces.default); each serves its card at /ns/{namespace}/.well-known/agent-card.json","namespaceCard":"/ns/{namespace}/.well-known/agent-card.json"}"#
        return Response(status: .notFound, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(string: body)))
    }
}

/// The answer of `/readyz`.
public struct Readiness: Sendable, Hashable {
    /// What is not ready, empty when ready.
    public var problems: [String]

    public init(problems: [String]) {
        self.problems = problems
    }

    public var isReady: Bool { problems.isEmpty }

    var json: String {
        if isReady { return #"{"status":"ready"}"# }
        let list = problems.map { "\"\($0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\"" }
        return #"{"status":"unavailable","problems":["# + list.joined(separator: ",") + "]}"
    }
}
