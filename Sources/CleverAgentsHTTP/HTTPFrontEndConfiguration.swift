//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsDomain

/// Settings of the HTTP front end.
public struct HTTPFrontEndConfiguration: Sendable, Hashable {
    /// Largest accepted request body.
    public var maximumBodySize: Int
    /// The namespace whose card the server root serves (`/.well-known/agent-card.json`).
    public var defaultNamespace: NamespaceName?
    /// `Cache-Control: max-age` of agent cards, in seconds.
    public var agentCardMaxAge: Int
    /// Whether each request writes an access log line (`log.requests`).
    public var logRequests: Bool

    public init(maximumBodySize: Int = 1 << 20, defaultNamespace: NamespaceName? = nil, agentCardMaxAge: Int = 60, logRequests: Bool = true) {
        self.maximumBodySize = maximumBodySize
        self.defaultNamespace = defaultNamespace
        self.agentCardMaxAge = agentCardMaxAge
        self.logRequests = logRequests
    }
}
