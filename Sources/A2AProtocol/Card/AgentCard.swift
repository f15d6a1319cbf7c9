//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// A self-describing manifest of an agent (`lf.a2a.v1.AgentCard`), served at
/// `/.well-known/agent-card.json`.
public struct AgentCard: Sendable, Hashable {
    public var name: String
    public var description: String
    public var supportedInterfaces: [AgentInterface]
    public var provider: AgentProvider?
    public var version: String
    public var documentationUrl: String?
    public var capabilities: AgentCapabilities
    public var securitySchemes: [String: SecurityScheme]
    public var securityRequirements: [SecurityRequirement]
    public var defaultInputModes: [String]
    public var defaultOutputModes: [String]
    public var skills: [AgentSkill]
    public var signatures: [AgentCardSignature]
    public var iconUrl: String?

    public init(
        name: String,
        description: String,
        supportedInterfaces: [AgentInterface],
        provider: AgentProvider? = nil,
        version: String,
        documentationUrl: String? = nil,
        capabilities: AgentCapabilities,
        securitySchemes: [String: SecurityScheme] = [:],
        securityRequirements: [SecurityRequirement] = [],
        defaultInputModes: [String],
        defaultOutputModes: [String],
        skills: [AgentSkill],
        signatures: [AgentCardSignature] = [],
        iconUrl: String? = nil
    ) {
        self.name = name
        self.description = description
        self.supportedInterfaces = supportedInterfaces
        self.provider = provider
        self.version = version
        self.documentationUrl = documentationUrl
        self.capabilities = capabilities
        self.securitySchemes = securitySchemes
        self.securityRequirements = securityRequirements
        self.defaultInputModes = defaultInputModes
        self.defaultOutputModes = defaultOutputModes
        self.skills = skills
        self.signatures = signatures
        self.iconUrl = iconUrl
    }
}

extension AgentCard: Codable {
    enum CodingKeys: String, CodingKey {
        case name, description, supportedInterfaces, provider, version, documentationUrl, capabilities
        case securitySchemes, securityRequirements, defaultInputModes, defaultOutputModes, skills, signatures, iconUrl
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.name = try container.decode(String.self, forKey: .name)
        self.description = try container.decode(String.self, forKey: .description)
        self.supportedInterfaces = try container.decodeIfPresent([AgentInterface].self, forKey: .supportedInterfaces) ?? []
        self.provider = try container.decodeIfPresent(AgentProvider.self, forKey: .provider)
        self.version = try container.decode(String.self, forKey: .version)
        self.documentationUrl = try container.decodeIfPresent(String.self, forKey: .documentationUrl)
        self.capabilities = try container.decodeIfPresent(AgentCapabilities.self, forKey: .capabilities) ?? AgentCapabilities()
        self.securitySchemes = try container.decodeIfPresent([String: SecurityScheme].self, forKey: .securitySchemes) ?? [:]
        self.securityRequirements = try container.decodeIfPresent([SecurityRequirement].self, forKey: .securityRequirements) ?? []
        self.defaultInputModes = try container.decodeIfPresent([String].self, forKey: .defaultInputModes) ?? []
        self.defaultOutputModes = try container.decodeIfPresent([String].self, forKey: .defaultOutputModes) ?? []
        self.skills = try container.decodeIfPresent([AgentSkill].self, forKey: .skills) ?? []
        self.signatures = try container.decodeIfPresent([AgentCardSignature].self, forKey: .signatures) ?? []
        self.iconUrl = try container.decodeIfPresent(String.self, forKey: .iconUrl)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(description, forKey: .description)
        try container.encode(supportedInterfaces, forKey: .supportedInterfaces)
        try container.encodeIfPresent(provider, forKey: .provider)
        try container.encode(version, forKey: .version)
        try container.encodeIfPresent(documentationUrl, forKey: .documentationUrl)
        try container.encode(capabilities, forKey: .capabilities)
        if !securitySchemes.isEmpty { try container.encode(securitySchemes, forKey: .securitySchemes) }
        if !securityRequirements.isEmpty { try container.encode(securityRequirements, forKey: .securityRequirements) }
        try container.encode(defaultInputModes, forKey: .defaultInputModes)
        try container.encode(defaultOutputModes, forKey: .defaultOutputModes)
        try container.encode(skills, forKey: .skills)
        if !signatures.isEmpty { try container.encode(signatures, forKey: .signatures) }
        try container.encodeIfPresent(iconUrl, forKey: .iconUrl)
    }
}

/// Where and how an agent is reached (`lf.a2a.v1.AgentInterface`).
public struct AgentInterface: Sendable, Hashable, Codable {
    public var url: String
    /// `JSONRPC`, `HTTP+JSON` or `GRPC`.
    public var protocolBinding: String
    public var tenant: String?
    public var protocolVersion: String

    public init(url: String, protocolBinding: String = "JSONRPC", tenant: String? = nil, protocolVersion: String = "1.0") {
        self.url = url
        self.protocolBinding = protocolBinding
        self.tenant = tenant
        self.protocolVersion = protocolVersion
    }
}

/// Who runs the agent (`lf.a2a.v1.AgentProvider`).
public struct AgentProvider: Sendable, Hashable, Codable {
    public var url: String
    public var organization: String

    public init(url: String, organization: String) {
        self.url = url
        self.organization = organization
    }
}

/// Optional features the agent supports (`lf.a2a.v1.AgentCapabilities`).
public struct AgentCapabilities: Sendable, Hashable {
    public var streaming: Bool?
    public var pushNotifications: Bool?
    public var extensions: [AgentExtension]
    public var extendedAgentCard: Bool?

    public init(streaming: Bool? = nil, pushNotifications: Bool? = nil, extensions: [AgentExtension] = [], extendedAgentCard: Bool? = nil) {
        self.streaming = streaming
        self.pushNotifications = pushNotifications
        self.extensions = extensions
        self.extendedAgentCard = extendedAgentCard
    }
}

extension AgentCapabilities: Codable {
    enum CodingKeys: String, CodingKey {
        case streaming, pushNotifications, extensions, extendedAgentCard
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.streaming = try container.decodeIfPresent(Bool.self, forKey: .streaming)
        self.pushNotifications = try container.decodeIfPresent(Bool.self, forKey: .pushNotifications)
        self.extensions = try container.decodeIfPresent([AgentExtension].self, forKey: .extensions) ?? []
        self.extendedAgentCard = try container.decodeIfPresent(Bool.self, forKey: .extendedAgentCard)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(streaming, forKey: .streaming)
        try container.encodeIfPresent(pushNotifications, forKey: .pushNotifications)
        if !extensions.isEmpty { try container.encode(extensions, forKey: .extensions) }
        try container.encodeIfPresent(extendedAgentCard, forKey: .extendedAgentCard)
    }
}

/// A protocol extension the agent supports (`lf.a2a.v1.AgentExtension`).
public struct AgentExtension: Sendable, Hashable, Codable {
    public var uri: String
    public var description: String?
    public var required: Bool?
    public var params: JSONObject?

    public init(uri: String, description: String? = nil, required: Bool? = nil, params: JSONObject? = nil) {
        self.uri = uri
        self.description = description
        self.required = required
        self.params = params
    }
}

/// A capability the agent offers (`lf.a2a.v1.AgentSkill`). Our skills are a namespace's actors.
public struct AgentSkill: Sendable, Hashable {
    public var id: String
    public var name: String
    public var description: String
    public var tags: [String]
    public var examples: [String]
    public var inputModes: [String]
    public var outputModes: [String]
    public var securityRequirements: [SecurityRequirement]

    public init(
        id: String,
        name: String,
        description: String,
        tags: [String],
        examples: [String] = [],
        inputModes: [String] = [],
        outputModes: [String] = [],
        securityRequirements: [SecurityRequirement] = []
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.tags = tags
        self.examples = examples
        self.inputModes = inputModes
        self.outputModes = outputModes
        self.securityRequirements = securityRequirements
    }
}

extension AgentSkill: Codable {
    enum CodingKeys: String, CodingKey {
        case id, name, description, tags, examples, inputModes, outputModes, securityRequirements
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.id = try container.decode(String.self, forKey: .id)
        self.name = try container.decode(String.self, forKey: .name)
        self.description = try container.decode(String.self, forKey: .description)
        self.tags = try container.decodeIfPresent([String].self, forKey: .tags) ?? []
        self.examples = try container.decodeIfPresent([String].self, forKey: .examples) ?? []
        self.inputModes = try container.decodeIfPresent([String].self, forKey: .inputModes) ?? []
        self.outputModes = try container.decodeIfPresent([String].self, forKey: .outputModes) ?? []
        self.securityRequirements = try container.decodeIfPresent([SecurityRequirement].self, forKey: .securityRequirements) ?? []
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
        if !securityRequirements.isEmpty { try container.encode(securityRequirements, forKey: .securityRequirements) }
    }
}

/// A JWS signature over the card (`lf.a2a.v1.AgentCardSignature`).
public struct AgentCardSignature: Sendable, Hashable, Codable {
    public var protected: String
    public var signature: String
    public var header: JSONObject?

    public init(protected: String, signature: String, header: JSONObject? = nil) {
        self.protected = protected
        self.signature = signature
        self.header = header
    }
}
