//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import Foundation
import Testing

@Suite("ActorDefinition", .timeLimit(.minutes(2)))
struct ActorDefinitionTests {
    @Test("the skill of a described actor uses its name, description, tags and examples")
    func describedSkill() {
        let actor = ActorDefinition(
            name: "travel",
            description: "Books trips",
            tags: ["travel", "booking"],
            examples: ["Book me a flight"],
            graphURL: "http://127.0.0.1:2024",
            assistantID: "agent"
        )
        #expect(
            actor.skill
                == AgentSkill(
                    id: "travel",
                    name: "travel",
                    description: "Books trips",
                    tags: ["travel", "booking"],
                    examples: ["Book me a flight"],
                    inputModes: ["text/plain", "application/json"],
                    outputModes: ["text/plain", "application/json"]
                )
        )
    }

    @Test("an undescribed, untagged actor gets a description naming its assistant and the langgraph tag")
    func defaultSkill() {
        let skill = ActorDefinition(name: "echo", graphURL: "http://127.0.0.1:2024", assistantID: "echo-graph").skill
        #expect(skill.description == "Runs the LangGraph assistant 'echo-graph'.")
        #expect(skill.tags == ["langgraph"])
        #expect(skill.examples == [])
        #expect(skill.securityRequirements == [])
    }

    @Test(
        "actor names follow the namespace-name rules",
        arguments: [("echo", true), ("travel-2", true), ("Echo", false), ("-x", false), ("", false)]
    )
    func names(name: String, valid: Bool) {
        #expect(ActorDefinition.isValidName(name) == valid)
    }

    @Test("the initializer defaults")
    func defaults() {
        let actor = ActorDefinition(name: "echo", graphURL: "http://127.0.0.1:2024", assistantID: "agent")
        #expect(actor.description == "")
        #expect(actor.tags.isEmpty)
        #expect(actor.apiKey == nil)
        #expect(!actor.isDefault)
        #expect(actor.updatedAt == nil)
        #expect(actor.streamModes == nil)
        #expect(actor.runTimeoutSeconds == nil)
    }

    @Test("an actor round-trips through Codable")
    func codable() throws {
        var actor = ActorDefinition(
            name: "echo",
            graphURL: "http://127.0.0.1:2024",
            assistantID: "agent",
            config: ["recursion_limit": 5],
            apiKey: SealedSecret(sealed: "v1:abc"),
            streamModes: ["values"],
            runTimeoutSeconds: 60,
            isDefault: true
        )
        actor.updatedAt = A2ATimestamp(millisecondsSinceEpoch: 5)
        #expect(try JSONDecoder().decode(ActorDefinition.self, from: JSONEncoder().encode(actor)) == actor)
    }
}
