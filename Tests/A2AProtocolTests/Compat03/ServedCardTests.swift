//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import Testing

@testable import A2AProtocol

@Suite("The served card: 1.0 with the 0.3 fields merged in", .timeLimit(.minutes(2)))
struct ServedCardTests {
    static func card(interfaces: [AgentInterface], extendedAgentCard: Bool = false) -> AgentCard {
        AgentCard(
            name: "n",
            description: "d",
            supportedInterfaces: interfaces,
            version: "1",
            capabilities: AgentCapabilities(streaming: true, pushNotifications: false, extendedAgentCard: extendedAgentCard),
            securitySchemes: [
                "bearer": .httpAuth(HTTPAuthSecurityScheme(description: "token", scheme: "Bearer")),
                "apiKey": .apiKey(APIKeySecurityScheme(description: "token", location: "header", name: "X-API-Key")),
            ],
            securityRequirements: [SecurityRequirement(schemes: ["bearer": .init()])],
            defaultInputModes: ["text/plain"],
            defaultOutputModes: ["text/plain"],
            skills: [AgentSkill(id: "echo", name: "echo", description: "e", tags: ["t"])]
        )
    }

    static let both = [
        AgentInterface(url: "https://a/ns/x", protocolBinding: "JSONRPC", protocolVersion: "1.0"),
        AgentInterface(url: "https://a/ns/x", protocolBinding: "JSONRPC", protocolVersion: "0.3"),
    ]

    func decode<T: Decodable>(_ type: T.Type, _ value: JSONValue) throws -> T {
        try JSONDecoder().decode(type, from: JSONEncoder().encode(value))
    }

    @Test func bothGenerationsReadTheSameCard() throws {
        let card = Self.card(interfaces: Self.both)
        let served = try card.servedJSON()
        #expect(try decode(AgentCard.self, served) == card, "a 1.0 reader gets the card back")
        var legacy = try #require(A2A03.AgentCard(card))
        legacy.supportsAuthenticatedExtendedCard = nil  // false is left out
        #expect(try decode(A2A03.AgentCard.self, served) == legacy, "a 0.3 reader gets its form of it")
        // The 0.3 fields a 0.3 client requires are there, beside the 1.0 ones.
        #expect(served["url"] == "https://a/ns/x")
        #expect(served["preferredTransport"] == "JSONRPC")
        #expect(served["protocolVersion"] == "0.3")
        #expect(served["supportedInterfaces"]?.arrayValue?.count == 2)
        #expect(served.at("securitySchemes", "bearer", "type") == "http")
        #expect(served.at("securitySchemes", "bearer", "httpAuthSecurityScheme", "scheme") == "Bearer")
        #expect(served.at("securitySchemes", "apiKey", "in") == "header")
        #expect(served.at("securitySchemes", "apiKey", "apiKeySecurityScheme", "location") == "header")
        #expect(served["security"] == [["bearer": []]])
        #expect(served["securityRequirements"] != nil)
        #expect(served["supportsAuthenticatedExtendedCard"] == nil, "left out unless true")
    }

    @Test func anExtendedCardIsAnnouncedInBothForms() throws {
        let served = try Self.card(interfaces: Self.both, extendedAgentCard: true).servedJSON()
        #expect(served["supportsAuthenticatedExtendedCard"] == true)
        #expect(served.at("capabilities", "extendedAgentCard") == true)
    }

    @Test func aCardWithout03InterfaceIsServedAsItIs() throws {
        let card = Self.card(interfaces: [Self.both[0]])
        let served = try card.servedJSON()
        #expect(served == (try JSONDecoder().decode(JSONValue.self, from: A2AJSON.makeEncoder().encode(card))))
        #expect(served["url"] == nil)
    }

    @Test func theMergeNeverReplacesAValue() {
        let base: JSONValue = ["a": 1, "list": [["x": 1], "s"], "nested": ["k": "v"]]
        let other: JSONValue = ["a": 2, "b": 3, "list": [["x": 2, "y": 3], "t", "extra"], "nested": ["k": "w", "l": true]]
        #expect(base.filledIn(from: other) == ["a": 1, "b": 3, "list": [["x": 1, "y": 3], "s"], "nested": ["k": "v", "l": true]])
    }
}
