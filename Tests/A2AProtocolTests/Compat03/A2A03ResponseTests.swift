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

@Suite("A2A03.Response and errors", .timeLimit(.minutes(2)))
struct A2A03ResponseTests {
    static let task = A2ATask(id: "t", contextId: "c", status: TaskStatus(state: .completed))

    @Test("each 1.0 result is written as the bare 0.3 result inside the envelope")
    func results() throws {
        let config = TaskPushNotificationConfig(tenant: "acme", id: "c1", taskId: "t", url: "https://h")
        let cases: [(A2A03.Response, String)] = [
            (
                A2A03.Response(SendMessageResponse.task(Self.task)),
                #"{"kind": "task", "id": "t", "contextId": "c", "status": {"state": "completed"}}"#
            ),
            (
                A2A03.Response(SendMessageResponse.message(Message(messageId: "m", role: .agent, parts: [.text("x")]))),
                #"{"kind": "message", "messageId": "m", "role": "agent", "parts": [{"kind": "text", "text": "x"}]}"#
            ),
            (A2A03.Response(Self.task), #"{"kind": "task", "id": "t", "contextId": "c", "status": {"state": "completed"}}"#),
            (A2A03.Response(config), #"{"taskId": "t", "pushNotificationConfig": {"id": "c1", "url": "https://h"}}"#),
            (
                A2A03.Response(ListTaskPushNotificationConfigsResponse(configs: [config, config])),
                #"[{"taskId": "t", "pushNotificationConfig": {"id": "c1", "url": "https://h"}}, {"taskId": "t", "pushNotificationConfig": {"id": "c1", "url": "https://h"}}]"#
            ),
            (A2A03.Response(ListTaskPushNotificationConfigsResponse(configs: [])), "[]"),
            (A2A03.Response(EmptyResult()), "null"),
        ]
        for (response, json) in cases {
            let envelope = try JSONTesting.encodedValue(JSONRPCResultResponse(id: .string("r"), result: response))
            #expect(envelope == .object(["jsonrpc": "2.0", "id": "r", "result": try JSONTesting.value(json)]), "\(response)")
        }
    }

    @Test("a stream event goes inside the envelope as the bare object with its kind")
    func streamEventEnvelope() throws {
        let event = A2A03.streamEvent(.statusUpdate(TaskStatusUpdateEvent(taskId: "t", contextId: "c", status: TaskStatus(state: .working))))
        #expect(
            try JSONTesting.encodedString(JSONRPCResultResponse(id: .number(3), result: event))
                == #"{"id":3,"jsonrpc":"2.0","result":{"contextId":"c","final":false,"kind":"status-update","status":{"state":"working"},"taskId":"t"}}"#
        )
    }

    // MARK: Errors

    @Test("invalid params: data is {errors: [{field, message}]}, not the 1.0 detail array")
    func invalidParamsData() throws {
        let error = JSONRPCError.invalidParams(field: "message.role", description: "Unknown role 'ROLE_USER'")
        #expect(
            try JSONTesting.encodedValue(A2A03.ErrorObject(error))
                == .object([
                    "code": -32602,
                    "message": .string(error.message),
                    "data": ["errors": [["field": "message.role", "message": "Unknown role 'ROLE_USER'"]]],
                ])
        )
        let whole = try JSONTesting.encodedValue(A2A03.ErrorObject(.invalidParams(field: "", description: "params is required")))
        #expect(whole.at("data", "errors") == [["message": "params is required"]])
    }

    @Test(
        "other errors keep code and message and have no data, -32008 and -32009 included",
        arguments: [
            JSONRPCError.taskNotFound("t"), .taskNotCancelable("t", state: .completed), .pushNotificationNotSupported(), .unsupportedOperation("x"),
            .contentTypeNotSupported("x"), .invalidAgentResponse("x"), .extendedAgentCardNotConfigured(), .extensionSupportRequired("urn:x"),
            .versionNotSupported("2.0", supported: ["1.0", "0.3"]), .methodNotFound("tasks/list"), .parseError(), .invalidRequest(), .internalError(),
        ]
    )
    func otherErrors(error: JSONRPCError) throws {
        let encoded = try JSONTesting.encodedValue(A2A03.ErrorObject(error))
        #expect(encoded == .object(["code": .number(Double(error.code)), "message": .string(error.message)]))
    }

    @Test("the error envelope echoes the id, null included")
    func errorEnvelope() throws {
        #expect(
            try JSONTesting.encodedString(A2A03.ErrorResponse(id: .null, error: .parseError()))
                == #"{"error":{"code":-32700,"message":"Invalid JSON payload"},"id":null,"jsonrpc":"2.0"}"#
        )
    }

    // MARK: Agent card

    static func card(interfaces: [AgentInterface], capabilities: AgentCapabilities = AgentCapabilities()) -> AgentCard {
        AgentCard(
            name: "n",
            description: "d",
            supportedInterfaces: interfaces,
            version: "1",
            capabilities: capabilities,
            defaultInputModes: ["text/plain"],
            defaultOutputModes: ["text/plain"],
            skills: []
        )
    }

    @Test("the first 0.3 interface is the card's url; the other 0.3 ones are additionalInterfaces; 1.0 ones are dropped")
    func cardInterfaces() throws {
        let card = Self.card(interfaces: [
            AgentInterface(url: "https://a/v1", protocolVersion: "1.0"),
            AgentInterface(url: "https://a/rpc", tenant: "t", protocolVersion: "0.3"),
            AgentInterface(url: "https://a/grpc", protocolBinding: "GRPC", protocolVersion: "0.3.0"),
            AgentInterface(url: "https://a/rest", protocolBinding: "HTTP+JSON", protocolVersion: ""),
        ])
        let card03 = try #require(A2A03.AgentCard(card))
        #expect(card03.url == "https://a/rpc")
        #expect(card03.preferredTransport == "JSONRPC")
        #expect(card03.protocolVersion == "0.3")
        #expect(
            card03.additionalInterfaces == [
                A2A03.AgentInterface(url: "https://a/grpc", transport: "GRPC"), A2A03.AgentInterface(url: "https://a/rest", transport: "HTTP+JSON"),
            ])
        let unversioned = try #require(A2A03.AgentCard(Self.card(interfaces: [AgentInterface(url: "https://a", protocolVersion: "")])))
        #expect(unversioned.protocolVersion == "0.3")
    }

    @Test("a card with no 0.3 interface has no 0.3 form: the response is -32009")
    func cardWithout03() throws {
        let card = Self.card(interfaces: [AgentInterface(url: "https://a", protocolVersion: "1.0")])
        #expect(A2A03.AgentCard(card) == nil)
        let error = try #require(throws: JSONRPCError.self) { try A2A03.Response(agentCard: card) }
        #expect(error.code == JSONRPCError.versionNotSupportedCode)
    }

    @Test(
        "which interface versions the 0.3 codec serves",
        arguments: [
            ("", true), ("0.3", true), ("0.3.0", true), ("0.9", true), ("0.2.9", false), ("1.0", false), ("1", false), ("0", false), ("x.y", false),
        ]
    )
    func legacyVersions(version: String, legacy: Bool) {
        #expect(A2A03.isLegacyVersion(version) == legacy)
    }

    @Test("security schemes take the type form; OAuth loses deviceCode and pkceRequired; requirements become OpenAPI style")
    func cardSecurity() throws {
        var card = Self.card(
            interfaces: [AgentInterface(url: "https://a", protocolVersion: "0.3")],
            capabilities: AgentCapabilities(streaming: false, extensions: [AgentExtension(uri: "urn:e", required: true)], extendedAgentCard: false)
        )
        card.securitySchemes = [
            "oauth": .oauth2(
                OAuth2SecurityScheme(
                    flows: [
                        "authorizationCode": [
                            "authorizationUrl": "https://a/auth", "tokenUrl": "https://a/token", "scopes": ["r": "read"], "pkceRequired": true,
                        ],
                        "deviceCode": ["deviceAuthorizationUrl": "https://a/device", "tokenUrl": "https://a/token", "scopes": [:]],
                    ],
                    oauth2MetadataUrl: "https://a/.well-known"
                )
            ),
            "oidc": .openIdConnect(OpenIdConnectSecurityScheme(description: "d", openIdConnectUrl: "https://a/oidc")),
            "mtls": .mutualTLS(MutualTLSSecurityScheme()),
        ]
        card.securityRequirements = [SecurityRequirement(schemes: ["oauth": .init(["r"]), "mtls": .init()])]
        card.skills = [
            AgentSkill(id: "s", name: "S", description: "d", tags: [], securityRequirements: [SecurityRequirement(schemes: ["oidc": .init()])])
        ]
        let encoded = try JSONTesting.encodedValue(try #require(A2A03.AgentCard(card)))
        #expect(
            encoded["securitySchemes"]
                == (try JSONTesting.value(
                    #"""
                    {"oauth": {"type": "oauth2", "oauth2MetadataUrl": "https://a/.well-known",
                               "flows": {"authorizationCode": {"authorizationUrl": "https://a/auth", "tokenUrl": "https://a/token", "scopes": {"r": "read"}}}},
                     "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://a/oidc", "description": "d"},
                     "mtls": {"type": "mutualTLS"}}
                    """#
                ))
        )
        #expect(encoded["security"] == [["oauth": ["r"], "mtls": []]])
        #expect(encoded["skills"] == [["id": "s", "name": "S", "description": "d", "tags": [], "security": [["oidc": []]]]])
        #expect(encoded["capabilities"] == ["streaming": false, "extensions": [["uri": "urn:e", "required": true]]])
        #expect(encoded["supportsAuthenticatedExtendedCard"] == false)
        // The 0.3 decoder reads all of it back.
        #expect(try JSONTesting.decode(A2A03.AgentCard.self, from: encoded) == A2A03.AgentCard(card))
    }

    @Test("an unknown security scheme type is rejected")
    func unknownSchemeType() {
        #expect(throws: DecodingError.self) { try JSONTesting.decode(A2A03.SecurityScheme.self, #"{"type": "magic"}"#) }
    }
}
