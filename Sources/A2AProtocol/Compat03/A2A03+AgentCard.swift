//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

extension A2A03 {
    /// An agent card in the 0.3 shape: one preferred `url`/`preferredTransport`/`protocolVersion`
    /// plus `additionalInterfaces`, `type`-discriminated security schemes, OpenAPI-style `security`,
    /// and `supportsAuthenticatedExtendedCard` at the top level.
    ///
    /// The result of `agent/getAuthenticatedExtendedCard`: a2a-sdk's 0.3 client validates that
    /// result as a 0.3 card (it needs `url`, and security schemes with `type`), so a 1.0 card will
    /// not do there. Build it from the 1.0 card with ``init(_:)``.
    public struct AgentCard: Sendable, Hashable {
        public var protocolVersion: String
        public var name: String
        public var description: String
        /// The preferred endpoint.
        public var url: String
        /// `JSONRPC`, `GRPC` or `HTTP+JSON`.
        public var preferredTransport: String?
        /// Left out of the JSON when empty.
        public var additionalInterfaces: [AgentInterface]
        public var iconUrl: String?
        public var provider: AgentProvider?
        public var version: String
        public var documentationUrl: String?
        public var capabilities: AgentCapabilities
        /// Left out of the JSON when empty.
        public var securitySchemes: [String: SecurityScheme]
        /// OpenAPI security requirements: each entry maps scheme names to scopes. Left out of the JSON when empty.
        public var security: [[String: [String]]]
        public var defaultInputModes: [String]
        public var defaultOutputModes: [String]
        public var skills: [AgentSkill]
        public var supportsAuthenticatedExtendedCard: Bool?
        /// Left out of the JSON when empty.
        public var signatures: [AgentCardSignature]

        public init(
            protocolVersion: String = A2A03.protocolVersion,
            name: String,
            description: String,
            url: String,
            preferredTransport: String? = nil,
            additionalInterfaces: [AgentInterface] = [],
            iconUrl: String? = nil,
            provider: AgentProvider? = nil,
            version: String,
            documentationUrl: String? = nil,
            capabilities: AgentCapabilities,
            securitySchemes: [String: SecurityScheme] = [:],
            security: [[String: [String]]] = [],
            defaultInputModes: [String],
            defaultOutputModes: [String],
            skills: [AgentSkill],
            supportsAuthenticatedExtendedCard: Bool? = nil,
            signatures: [AgentCardSignature] = []
        ) {
            self.protocolVersion = protocolVersion
            self.name = name
            self.description = description
            self.url = url
            self.preferredTransport = preferredTransport
            self.additionalInterfaces = additionalInterfaces
            self.iconUrl = iconUrl
            self.provider = provider
            self.version = version
            self.documentationUrl = documentationUrl
            self.capabilities = capabilities
            self.securitySchemes = securitySchemes
            self.security = security
            self.defaultInputModes = defaultInputModes
            self.defaultOutputModes = defaultOutputModes
            self.skills = skills
            self.supportsAuthenticatedExtendedCard = supportsAuthenticatedExtendedCard
            self.signatures = signatures
        }
    }

    /// Another endpoint of the agent: `{url, transport}` (1.0 calls `transport` `protocolBinding`).
    public struct AgentInterface: Sendable, Hashable, Codable {
        public var url: String
        public var transport: String

        public init(url: String, transport: String) {
            self.url = url
            self.transport = transport
        }
    }

    /// Optional features in 0.3. `stateTransitionHistory` no longer exists in 1.0.
    public struct AgentCapabilities: Sendable, Hashable {
        public var streaming: Bool?
        public var pushNotifications: Bool?
        public var stateTransitionHistory: Bool?
        /// Left out of the JSON when empty.
        public var extensions: [AgentExtension]

        public init(streaming: Bool? = nil, pushNotifications: Bool? = nil, stateTransitionHistory: Bool? = nil, extensions: [AgentExtension] = []) {
            self.streaming = streaming
            self.pushNotifications = pushNotifications
            self.stateTransitionHistory = stateTransitionHistory
            self.extensions = extensions
        }
    }

    /// A skill in 0.3; `security` is the OpenAPI form of 1.0 `securityRequirements`.
    public struct AgentSkill: Sendable, Hashable {
        public var id: String
        public var name: String
        public var description: String
        public var tags: [String]
        /// Left out of the JSON when empty, like the other lists below.
        public var examples: [String]
        public var inputModes: [String]
        public var outputModes: [String]
        public var security: [[String: [String]]]

        public init(
            id: String,
            name: String,
            description: String,
            tags: [String],
            examples: [String] = [],
            inputModes: [String] = [],
            outputModes: [String] = [],
            security: [[String: [String]]] = []
        ) {
            self.id = id
            self.name = name
            self.description = description
            self.tags = tags
            self.examples = examples
            self.inputModes = inputModes
            self.outputModes = outputModes
            self.security = security
        }
    }

    /// A security scheme in 0.3, OpenAPI style: discriminated by `type` (`apiKey`, `http`,
    /// `oauth2`, `openIdConnect`, `mutualTLS`) instead of 1.0's wrapper key.
    ///
    /// The payloads are the 1.0 structs; the API key's `location` is written as `in`.
    public enum SecurityScheme: Sendable, Hashable {
        case apiKey(APIKeySecurityScheme)
        case http(HTTPAuthSecurityScheme)
        case oauth2(OAuth2SecurityScheme)
        case openIdConnect(OpenIdConnectSecurityScheme)
        case mutualTLS(MutualTLSSecurityScheme)
    }
}

// MARK: Codable

extension A2A03.AgentCard: Codable {
    enum CodingKeys: String, CodingKey {
        case protocolVersion, name, description, url, preferredTransport, additionalInterfaces, iconUrl, provider, version
        case documentationUrl, capabilities, securitySchemes, security, defaultInputModes, defaultOutputModes, skills
        case supportsAuthenticatedExtendedCard, signatures
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.protocolVersion = try container.decodeIfPresent(String.self, forKey: .protocolVersion) ?? "0.3.0"
        self.name = try container.decode(String.self, forKey: .name)
        self.description = try container.decode(String.self, forKey: .description)
        self.url = try container.decode(String.self, forKey: .url)
        self.preferredTransport = try container.decodeIfPresent(String.self, forKey: .preferredTransport)
        self.additionalInterfaces = try container.decodeIfPresent([A2A03.AgentInterface].self, forKey: .additionalInterfaces) ?? []
        self.iconUrl = try container.decodeIfPresent(String.self, forKey: .iconUrl)
        self.provider = try container.decodeIfPresent(AgentProvider.self, forKey: .provider)
        self.version = try container.decode(String.self, forKey: .version)
        self.documentationUrl = try container.decodeIfPresent(String.self, forKey: .documentationUrl)
        self.capabilities = try container.decode(A2A03.AgentCapabilities.self, forKey: .capabilities)
        self.securitySchemes = try container.decodeIfPresent([String: A2A03.SecurityScheme].self, forKey: .securitySchemes) ?? [:]
        self.security = try container.decodeIfPresent([[String: [String]]].self, forKey: .security) ?? []
        self.defaultInputModes = try container.decode([String].self, forKey: .defaultInputModes)
        self.defaultOutputModes = try container.decode([String].self, forKey: .defaultOutputModes)
        self.skills = try container.decode([A2A03.AgentSkill].self, forKey: .skills)
        self.supportsAuthenticatedExtendedCard = try container.decodeIfPresent(Bool.self, forKey: .supportsAuthenticatedExtendedCard)
        self.signatures = try container.decodeIfPresent([AgentCardSignature].self, forKey: .signatures) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(protocolVersion, forKey: .protocolVersion)
        try container.encode(name, forKey: .name)
        try container.encode(description, forKey: .description)
        try container.encode(url, forKey: .url)
        try container.encodeIfPresent(preferredTransport, forKey: .preferredTransport)
        if !additionalInterfaces.isEmpty { try container.encode(additionalInterfaces, forKey: .additionalInterfaces) }
        try container.encodeIfPresent(iconUrl, forKey: .iconUrl)
        try container.encodeIfPresent(provider, forKey: .provider)
        try container.encode(version, forKey: .version)
        try container.encodeIfPresent(documentationUrl, forKey: .documentationUrl)
        try container.encode(capabilities, forKey: .capabilities)
        if !securitySchemes.isEmpty { try container.encode(securitySchemes, forKey: .securitySchemes) }
        if !security.isEmpty { try container.encode(security, forKey: .security) }
        try container.encode(defaultInputModes, forKey: .defaultInputModes)
        try container.encode(defaultOutputModes, forKey: .defaultOutputModes)
        try container.encode(skills, forKey: .skills)
        try container.encodeIfPresent(supportsAuthenticatedExtendedCard, forKey: .supportsAuthenticatedExtendedCard)
        if !signatures.isEmpty { try container.encode(signatures, forKey: .signatures) }
    }
}

extension A2A03.AgentCapabilities: Codable {
    enum CodingKeys: String, CodingKey {
        case streaming, pushNotifications, stateTransitionHistory, extensions
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.streaming = try container.decodeIfPresent(Bool.self, forKey: .streaming)
        self.pushNotifications = try container.decodeIfPresent(Bool.self, forKey: .pushNotifications)
        self.stateTransitionHistory = try container.decodeIfPresent(Bool.self, forKey: .stateTransitionHistory)
        self.extensions = try container.decodeIfPresent([AgentExtension].self, forKey: .extensions) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(streaming, forKey: .streaming)
        try container.encodeIfPresent(pushNotifications, forKey: .pushNotifications)
        try container.encodeIfPresent(stateTransitionHistory, forKey: .stateTransitionHistory)
        if !extensions.isEmpty { try container.encode(extensions, forKey: .extensions) }
    }
}

extension A2A03.AgentSkill: Codable {
    enum CodingKeys: String, CodingKey {
        case id, name, description, tags, examples, inputModes, outputModes, security
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.id = try container.decode(String.self, forKey: .id)
        self.name = try container.decode(String.self, forKey: .name)
        self.description = try container.decode(String.self, forKey: .description)
        self.tags = try container.decode([String].self, forKey: .tags)
        self.examples = try container.decodeIfPresent([String].self, forKey: .examples) ?? []
        self.inputModes = try container.decodeIfPresent([String].self, forKey: .inputModes) ?? []
        self.outputModes = try container.decodeIfPresent([String].self, forKey: .outputModes) ?? []
        self.security = try container.decodeIfPresent([[String: [String]]].self, forKey: .security) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(description, forKey: .description)
        try container.encode(tags, forKey: .tags)
        if !examples.isEmpty { try container.encode(examples, forKey: .examples) }
        if !inputModes.isEmpty { try container.encode(inputModes, forKey: .inputModes) }
        if !outputModes.isEmpty { try container.encode(outputModes, forKey: .outputModes) }
        if !security.isEmpty { try container.encode(security, forKey: .security) }
    }
}

extension A2A03.SecurityScheme: Codable {
    enum CodingKeys: String, CodingKey {
        case type, description
        case `in`, name
        case scheme, bearerFormat
        case flows, oauth2MetadataUrl
        case openIdConnectUrl
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let description = try container.decodeIfPresent(String.self, forKey: .description)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "apiKey":
            self = .apiKey(
                APIKeySecurityScheme(
                    description: description,
                    location: try container.decode(String.self, forKey: .in),
                    name: try container.decode(String.self, forKey: .name)
                )
            )
        case "http":
            self = .http(
                HTTPAuthSecurityScheme(
                    description: description,
                    scheme: try container.decode(String.self, forKey: .scheme),
                    bearerFormat: try container.decodeIfPresent(String.self, forKey: .bearerFormat)
                )
            )
        case "oauth2":
            self = .oauth2(
                OAuth2SecurityScheme(
                    description: description,
                    flows: try container.decode(JSONObject.self, forKey: .flows),
                    oauth2MetadataUrl: try container.decodeIfPresent(String.self, forKey: .oauth2MetadataUrl)
                )
            )
        case "openIdConnect":
            self = .openIdConnect(
                OpenIdConnectSecurityScheme(description: description, openIdConnectUrl: try container.decode(String.self, forKey: .openIdConnectUrl))
            )
        case "mutualTLS":
            self = .mutualTLS(MutualTLSSecurityScheme(description: description))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type,
                in: container,
                debugDescription: "Unknown security scheme type '\(type)'; expected apiKey, http, oauth2, openIdConnect or mutualTLS"
            )
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .apiKey(let scheme):
            try container.encode("apiKey", forKey: .type)
            try container.encode(scheme.location, forKey: .in)
            try container.encode(scheme.name, forKey: .name)
            try container.encodeIfPresent(scheme.description, forKey: .description)
        case .http(let scheme):
            try container.encode("http", forKey: .type)
            try container.encode(scheme.scheme, forKey: .scheme)
            try container.encodeIfPresent(scheme.bearerFormat, forKey: .bearerFormat)
            try container.encodeIfPresent(scheme.description, forKey: .description)
        case .oauth2(let scheme):
            try container.encode("oauth2", forKey: .type)
            try container.encode(scheme.flows, forKey: .flows)
            try container.encodeIfPresent(scheme.oauth2MetadataUrl, forKey: .oauth2MetadataUrl)
            try container.encodeIfPresent(scheme.description, forKey: .description)
        case .openIdConnect(let scheme):
            try container.encode("openIdConnect", forKey: .type)
            try container.encode(scheme.openIdConnectUrl, forKey: .openIdConnectUrl)
            try container.encodeIfPresent(scheme.description, forKey: .description)
        case .mutualTLS(let scheme):
            try container.encode("mutualTLS", forKey: .type)
            try container.encodeIfPresent(scheme.description, forKey: .description)
        }
    }
}

// MARK: From 1.0

extension A2A03.AgentCard {
    /// The 0.3 form of a 1.0 card, or `nil` when the card has no 0.3 interface.
    ///
    /// The interfaces kept are those whose `protocolVersion` is empty or in [0.3, 1.0), in card
    /// order: the first gives `url`, `preferredTransport` and `protocolVersion` (`"0.3"` when
    /// empty), the others become `additionalInterfaces`; 1.0 interfaces and `tenant` are dropped.
    /// `capabilities.extendedAgentCard` becomes `supportsAuthenticatedExtendedCard`; security
    /// schemes take the `type` form; `securityRequirements` become `security`. Lost on the way:
    /// the OAuth `deviceCode` flow and `pkceRequired`, which 0.3 does not have. This is what
    /// a2a-sdk 1.3.0 serves.
    public init?(_ card: A2AProtocol.AgentCard) {
        let interfaces = card.supportedInterfaces.filter { A2A03.isLegacyVersion($0.protocolVersion) }
        guard let primary = interfaces.first else { return nil }
        self.init(
            protocolVersion: primary.protocolVersion.isEmpty ? A2A03.protocolVersion : primary.protocolVersion,
            name: card.name,
            description: card.description,
            url: primary.url,
            preferredTransport: primary.protocolBinding,
            additionalInterfaces: interfaces.dropFirst().map { A2A03.AgentInterface(url: $0.url, transport: $0.protocolBinding) },
            iconUrl: card.iconUrl,
            provider: card.provider,
            version: card.version,
            documentationUrl: card.documentationUrl,
            capabilities: A2A03.AgentCapabilities(
                streaming: card.capabilities.streaming,
                pushNotifications: card.capabilities.pushNotifications,
                extensions: card.capabilities.extensions
            ),
            securitySchemes: card.securitySchemes.mapValues { A2A03.SecurityScheme($0) },
            security: card.securityRequirements.map(A2A03.security),
            defaultInputModes: card.defaultInputModes,
            defaultOutputModes: card.defaultOutputModes,
            skills: card.skills.map { A2A03.AgentSkill($0) },
            supportsAuthenticatedExtendedCard: card.capabilities.extendedAgentCard,
            signatures: card.signatures
        )
    }
}

extension A2A03.AgentSkill {
    /// The 0.3 form of a 1.0 skill.
    public init(_ skill: A2AProtocol.AgentSkill) {
        self.init(
            id: skill.id,
            name: skill.name,
            description: skill.description,
            tags: skill.tags,
            examples: skill.examples,
            inputModes: skill.inputModes,
            outputModes: skill.outputModes,
            security: skill.securityRequirements.map(A2A03.security)
        )
    }
}

extension A2A03.SecurityScheme {
    /// The `type` form of a 1.0 scheme. OAuth flows lose `deviceCode` and `authorizationCode.pkceRequired`.
    public init(_ scheme: A2AProtocol.SecurityScheme) {
        switch scheme {
        case .apiKey(let scheme): self = .apiKey(scheme)
        case .httpAuth(let scheme): self = .http(scheme)
        case .openIdConnect(let scheme): self = .openIdConnect(scheme)
        case .mutualTLS(let scheme): self = .mutualTLS(scheme)
        case .oauth2(var scheme):
            scheme.flows.removeValue(forKey: "deviceCode")
            if case .object(var flow)? = scheme.flows["authorizationCode"] {
                flow.removeValue(forKey: "pkceRequired")
                scheme.flows["authorizationCode"] = .object(flow)
            }
            self = .oauth2(scheme)
        }
    }
}

extension A2A03 {
    /// The OpenAPI form of a 1.0 security requirement: scheme name → scopes.
    static func security(_ requirement: SecurityRequirement) -> [String: [String]] {
        requirement.schemes.mapValues(\.list)
    }

    /// Whether an interface's `protocolVersion` is served by the 0.3 codec: empty, or in [0.3, 1.0).
    public static func isLegacyVersion(_ version: String) -> Bool {
        if version.isEmpty { return true }
        let components = version.split(separator: ".", omittingEmptySubsequences: false)
        guard components.count >= 2, let major = Int(components[0]), let minor = Int(components[1]) else { return false }
        return major == 0 && minor >= 3
    }
}
