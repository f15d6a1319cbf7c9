//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsDomain
public import CleverAgentsRuntime

/// Settings of the HTTP front end.
public struct HTTPFrontEndConfiguration: Sendable, Hashable {
    /// Largest accepted request body.
    public var maximumBodySize: Int
    /// The namespace whose card the server root serves (`/.well-known/agent-card.json`).
    public var defaultNamespace: NamespaceName?
    /// `Cache-Control: max-age` of agent cards, in seconds.
    public var agentCardMaxAge: Int
    /// Deepest nesting of objects and arrays accepted in a request.
    public var maximumJSONDepth: Int
    /// Production mode: namespaces with authentication disabled still require credentials.
    public var production: Bool
    /// How requests reach the server, for the HTTPS rules.
    public var transport: Transport
    /// Whether each request writes an access log line (`log.requests`).
    public var logRequests: Bool
    /// Requests per client address before any other work (`limits.clientRequestsPerSecond`);
    /// `nil` for none.
    public var clientRateLimit: ClientRateLimit?

    /// How requests reach the server.
    public enum Transport: Sendable, Hashable {
        /// Plain HTTP (development, or a private network).
        case plain
        /// TLS terminated by this server; responses carry HSTS.
        case tls
        /// Behind a TLS-terminating proxy: requests must say `X-Forwarded-Proto: https`.
        case tlsProxy
    }

    public init(
        maximumBodySize: Int = 1 << 20,
        defaultNamespace: NamespaceName? = nil,
        agentCardMaxAge: Int = 60,
        maximumJSONDepth: Int = 32,
        production: Bool = false,
        transport: Transport = .plain,
        logRequests: Bool = true,
        clientRateLimit: ClientRateLimit? = nil
    ) {
        self.maximumBodySize = maximumBodySize
        self.defaultNamespace = defaultNamespace
        self.agentCardMaxAge = agentCardMaxAge
        self.maximumJSONDepth = maximumJSONDepth
        self.production = production
        self.transport = transport
        self.logRequests = logRequests
        self.clientRateLimit = clientRateLimit
    }
}
