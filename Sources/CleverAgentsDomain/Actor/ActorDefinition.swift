//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol

/// An actor: a namespace entity that binds a name to a remote LangGraph graph.
///
/// A message picks its actor with `metadata.actor`, or gets the namespace's default actor.
/// Each actor is one skill on the namespace's agent card.
public struct ActorDefinition: Sendable, Hashable, Codable {
    /// Unique within the namespace; the same rules as a namespace name.
    public var name: String
    public var description: String
    /// Skill tags and examples shown on the agent card.
    public var tags: [String]
    public var examples: [String]
    /// The LangGraph deployment's base URL (`http://127.0.0.1:2024`).
    public var graphURL: String
    /// The assistant id or graph id to run.
    public var assistantID: String
    /// Passed as the run's `config` (`configurable`, `tags`, `recursion_limit`…).
    public var config: JSONObject?
    /// Passed as the run's `context`.
    public var context: JSONObject?
    /// The `x-api-key` sent to the deployment, sealed at rest; never logged.
    public var apiKey: SealedSecret?
    /// Stream modes requested from LangGraph; `nil` means the adapter's default.
    public var streamModes: [String]?
    /// Total run timeout in seconds; `nil` means the server default.
    public var runTimeoutSeconds: Int?
    /// Whether this is the namespace's default actor.
    public var isDefault: Bool
    /// When the actor last changed; set by the store when it reads the actor.
    public var updatedAt: A2ATimestamp?

    public init(
        name: String,
        description: String = "",
        tags: [String] = [],
        examples: [String] = [],
        graphURL: String,
        assistantID: String,
        config: JSONObject? = nil,
        context: JSONObject? = nil,
        apiKey: SealedSecret? = nil,
        streamModes: [String]? = nil,
        runTimeoutSeconds: Int? = nil,
        isDefault: Bool = false
    ) {
        self.name = name
        self.description = description
        self.tags = tags
        self.examples = examples
        self.graphURL = graphURL
        self.assistantID = assistantID
        self.config = config
        self.context = context
        self.apiKey = apiKey
        self.streamModes = streamModes
        self.runTimeoutSeconds = runTimeoutSeconds
        self.isDefault = isDefault
    }

    /// Reads an actor; the fields `actors/put` makes optional may be left out here too
    /// (`description` empty, no `tags` or `examples`, not the default), so a synced body needs
    /// no more than `name`, `graphURL` and `assistantID`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.name = try container.decode(String.self, forKey: .name)
        self.description = try container.decodeIfPresent(String.self, forKey: .description) ?? ""
        self.tags = try container.decodeIfPresent([String].self, forKey: .tags) ?? []
        self.examples = try container.decodeIfPresent([String].self, forKey: .examples) ?? []
        self.graphURL = try container.decode(String.self, forKey: .graphURL)
        self.assistantID = try container.decode(String.self, forKey: .assistantID)
        self.config = try container.decodeIfPresent(JSONObject.self, forKey: .config)
        self.context = try container.decodeIfPresent(JSONObject.self, forKey: .context)
        self.apiKey = try container.decodeIfPresent(SealedSecret.self, forKey: .apiKey)
        self.streamModes = try container.decodeIfPresent([String].self, forKey: .streamModes)
        self.runTimeoutSeconds = try container.decodeIfPresent(Int.self, forKey: .runTimeoutSeconds)
        self.isDefault = try container.decodeIfPresent(Bool.self, forKey: .isDefault) ?? false
        self.updatedAt = try container.decodeIfPresent(A2ATimestamp.self, forKey: .updatedAt)
    }

    /// Actor names follow the namespace-name rules.
    public static func isValidName(_ name: String) -> Bool {
        NamespaceName.isValid(name)
    }

    /// The agent-card skill for this actor.
    public var skill: AgentSkill {
        AgentSkill(
            id: name,
            name: name,
            description: description.isEmpty ? "Runs the LangGraph assistant '\(assistantID)'." : description,
            tags: tags.isEmpty ? ["langgraph"] : tags,
            examples: examples,
            inputModes: ["text/plain", "application/json"],
            outputModes: ["text/plain", "application/json"]
        )
    }
}

/// A secret stored sealed (encrypted) at rest. The plaintext never appears in `description`.
public struct SealedSecret: Sendable, Hashable, Codable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The sealed form as stored, e.g. `v1:<base64 nonce+ciphertext+tag>`.
    public var sealed: String

    public init(sealed: String) {
        self.sealed = sealed
    }

    public var description: String { "<sealed secret>" }
    public var debugDescription: String { "<sealed secret>" }
}
