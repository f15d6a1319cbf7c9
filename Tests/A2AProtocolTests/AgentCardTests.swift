//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import Foundation
import Testing

@Suite("AgentCard and SecurityScheme", .timeLimit(.minutes(2)))
struct AgentCardTests {
    /// A card shaped like the ones this server serves for a namespace.
    static let card = AgentCard(
        name: "acme",
        description: "Acme agents",
        supportedInterfaces: [AgentInterface(url: "https://agents.example.com/ns/acme")],
        provider: AgentProvider(url: "https://example.com", organization: "Example"),
        version: "1.0.0",
        capabilities: AgentCapabilities(streaming: true, pushNotifications: false),
        securitySchemes: [
            "bearer": .httpAuth(HTTPAuthSecurityScheme(scheme: "Bearer")),
            "apiKey": .apiKey(APIKeySecurityScheme(location: "header", name: "X-API-Key")),
        ],
        securityRequirements: [SecurityRequirement(schemes: ["bearer": .init()]), SecurityRequirement(schemes: ["apiKey": .init()])],
        defaultInputModes: ["text/plain"],
        defaultOutputModes: ["text/plain", "application/json"],
        skills: [AgentSkill(id: "echo", name: "echo", description: "Echoes", tags: ["test"])]
    )

    @Test("the namespace card has the 1.0 shape")
    func cardShape() throws {
        let expected = try JSONTesting.value(
            """
            {
              "name": "acme", "description": "Acme agents", "version": "1.0.0",
              "supportedInterfaces": [{"url": "https://agents.example.com/ns/acme", "protocolBinding": "JSONRPC", "protocolVersion": "1.0"}],
              "provider": {"url": "https://example.com", "organization": "Example"},
              "capabilities": {"streaming": true, "pushNotifications": false},
              "securitySchemes": {
                "bearer": {"httpAuthSecurityScheme": {"scheme": "Bearer"}},
                "apiKey": {"apiKeySecurityScheme": {"location": "header", "name": "X-API-Key"}}
              },
              "securityRequirements": [{"schemes": {"bearer": {"list": []}}}, {"schemes": {"apiKey": {"list": []}}}],
              "defaultInputModes": ["text/plain"], "defaultOutputModes": ["text/plain", "application/json"],
              "skills": [{"id": "echo", "name": "echo", "description": "Echoes", "tags": ["test"]}]
            }
            """
        )
        #expect(try JSONTesting.encodedValue(Self.card) == expected)
        #expect(try JSONDecoder().decode(AgentCard.self, from: JSONEncoder().encode(Self.card)) == Self.card)
    }

    @Test("a minimal card decodes with empty defaults and writes its required lists back")
    func minimalCard() throws {
        let card = try JSONTesting.decode(AgentCard.self, #"{"name": "n", "description": "d", "version": "1"}"#)
        #expect(card.supportedInterfaces == [])
        #expect(card.capabilities == AgentCapabilities())
        #expect(card.securitySchemes.isEmpty)
        #expect(card.skills == [])
        let encoded = try JSONTesting.encodedValue(card)
        #expect(encoded["skills"] == [])
        #expect(encoded["supportedInterfaces"] == [])
        #expect(encoded["capabilities"] == [:])
        #expect(encoded["securitySchemes"] == nil)
        #expect(encoded["signatures"] == nil)
    }

    @Test("name, description and version are required", arguments: ["name", "description", "version"])
    func requiredFields(field: String) throws {
        var object: [String: JSONValue] = ["name": "n", "description": "d", "version": "1"]
        object[field] = nil
        let error = try #require(throws: DecodingError.self) {
            try JSONDecoder().decode(AgentCard.self, from: JSONEncoder().encode(JSONValue.object(object)))
        }
        guard case .keyNotFound(let key, _) = error else {
            Issue.record("expected keyNotFound, got \(error)")
            return
        }
        #expect(key.stringValue == field)
    }

    @Test(
        "every security scheme is written under its oneof key and round-trips",
        arguments: [
            (SecurityScheme.apiKey(APIKeySecurityScheme(description: "key", location: "query", name: "k")), "apiKeySecurityScheme"),
            (.httpAuth(HTTPAuthSecurityScheme(scheme: "Bearer", bearerFormat: "JWT")), "httpAuthSecurityScheme"),
            (.oauth2(OAuth2SecurityScheme(flows: ["clientCredentials": ["tokenUrl": "https://x/token", "scopes": [:]]])), "oauth2SecurityScheme"),
            (
                .openIdConnect(OpenIdConnectSecurityScheme(openIdConnectUrl: "https://x/.well-known/openid-configuration")),
                "openIdConnectSecurityScheme"
            ),
            (.mutualTLS(MutualTLSSecurityScheme(description: "mTLS")), "mtlsSecurityScheme"),
        ]
    )
    func securitySchemes(scheme: SecurityScheme, key: String) throws {
        let encoded = try JSONTesting.encodedValue(scheme)
        #expect(encoded.objectValue?.keys.sorted() == [key])
        #expect(try JSONDecoder().decode(SecurityScheme.self, from: JSONEncoder().encode(scheme)) == scheme)
    }

    @Test("a 0.3-style security scheme (type discriminator) is rejected")
    func legacySecurityScheme() throws {
        let error = try #require(throws: DecodingError.self) {
            try JSONTesting.decode(SecurityScheme.self, #"{"type": "http", "scheme": "bearer"}"#)
        }
        guard case .dataCorrupted(let context) = error else {
            Issue.record("expected dataCorrupted, got \(error)")
            return
        }
        #expect(context.debugDescription == "Unknown security scheme")
    }

    @Test("a security requirement's scopes default to an empty list")
    func scopesDefault() throws {
        let requirement = try JSONTesting.decode(SecurityRequirement.self, #"{"schemes": {"google": {}, "oidc": {"list": ["openid"]}}}"#)
        #expect(requirement.schemes == ["google": .init(), "oidc": .init(["openid"])])
    }

    @Test("capabilities leave out what is unset and write what is set, false included")
    func capabilities() throws {
        #expect(try JSONTesting.encodedString(AgentCapabilities()) == "{}")
        let capabilities = AgentCapabilities(
            streaming: false,
            pushNotifications: true,
            extensions: [AgentExtension(uri: "https://ext/1", required: false)],
            extendedAgentCard: true
        )
        #expect(
            try JSONTesting.encodedString(capabilities)
                == #"{"extendedAgentCard":true,"extensions":[{"required":false,"uri":"https://ext/1"}],"pushNotifications":true,"streaming":false}"#
        )
    }

    @Test("a skill always writes its tags and leaves out empty optional lists")
    func skill() throws {
        let skill = AgentSkill(id: "s", name: "S", description: "d", tags: [])
        #expect(try JSONTesting.encodedString(skill) == #"{"description":"d","id":"s","name":"S","tags":[]}"#)
        let decoded = try JSONTesting.decode(AgentSkill.self, #"{"id": "s", "name": "S", "description": "d"}"#)
        #expect(decoded == skill)
    }

    @Test("an interface defaults to JSON-RPC and protocol version 1.0")
    func interfaceDefaults() {
        let interface = AgentInterface(url: "https://x")
        #expect(interface.protocolBinding == "JSONRPC")
        #expect(interface.protocolVersion == "1.0")
        #expect(interface.tenant == nil)
    }
}
