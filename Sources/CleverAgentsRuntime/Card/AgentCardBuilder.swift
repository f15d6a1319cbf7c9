//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
public import CleverAgentsDomain

/// Builds a namespace's agent card from its settings and actors.
public struct AgentCardBuilder: Sendable {
    /// The server's public base URL, without a trailing slash (`https://agents.example.com`);
    /// when `nil`, each card uses the base URL the request arrived at.
    public var publicBaseURL: String?
    public var serverVersion: String
    public var provider: AgentProvider?
    public var documentationURL: String?
    public var capabilities: AgentCapabilities

    public init(
        publicBaseURL: String?,
        serverVersion: String,
        provider: AgentProvider? = nil,
        documentationURL: String? = nil,
        capabilities: AgentCapabilities = AgentCapabilities(streaming: true, pushNotifications: false, extendedAgentCard: false)
    ) {
        self.publicBaseURL = publicBaseURL.map(Self.trimmingSlashes)
        self.serverVersion = serverVersion
        self.provider = provider
        self.documentationURL = documentationURL
        self.capabilities = capabilities
    }

    /// The JSON-RPC endpoint of a namespace.
    public func endpoint(for namespace: NamespaceName, requestBaseURL: String) -> String {
        "\(publicBaseURL ?? Self.trimmingSlashes(requestBaseURL))/ns/\(namespace.rawValue)"
    }

    static func trimmingSlashes(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// The card of a namespace; `requestBaseURL` is used when no public base URL is configured.
    public func card(for snapshot: NamespaceSnapshot, requestBaseURL: String) -> AgentCard {
        let namespace = snapshot.namespace
        let requiresAuth = namespace.authMode == .required
        return AgentCard(
            name: namespace.displayName,
            description: namespace.description.isEmpty ? "CleverAgents namespace '\(namespace.name)'" : namespace.description,
            // The same endpoint speaks 1.0 and, for older clients, 0.3; 1.0 comes first.
            supportedInterfaces: [
                AgentInterface(url: endpoint(for: namespace.name, requestBaseURL: requestBaseURL), protocolBinding: "JSONRPC", protocolVersion: "1.0"),
                AgentInterface(url: endpoint(for: namespace.name, requestBaseURL: requestBaseURL), protocolBinding: "JSONRPC", protocolVersion: "0.3"),
            ],
            provider: provider,
            version: serverVersion,
            documentationUrl: documentationURL,
            capabilities: capabilities,
            securitySchemes: requiresAuth
                ? [
                    "bearer": .httpAuth(HTTPAuthSecurityScheme(description: "A CleverAgents API token", scheme: "Bearer")),
                    "apiKey": .apiKey(APIKeySecurityScheme(description: "A CleverAgents API token", location: "header", name: "X-API-Key")),
                ] : [:],
            securityRequirements: requiresAuth
                ? [SecurityRequirement(schemes: ["bearer": .init()]), SecurityRequirement(schemes: ["apiKey": .init()])] : [],
            defaultInputModes: ["text/plain", "application/json"],
            defaultOutputModes: ["text/plain", "application/json"],
            skills: snapshot.actors.map(\.skill)
        )
    }
}
