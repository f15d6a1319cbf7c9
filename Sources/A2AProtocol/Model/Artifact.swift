//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// An output of a task (`lf.a2a.v1.Artifact`).
public struct Artifact: Sendable, Hashable {
    public var artifactId: String
    public var name: String?
    public var description: String?
    public var parts: [Part]
    public var metadata: JSONObject?
    public var extensions: [String]

    public init(
        artifactId: String,
        name: String? = nil,
        description: String? = nil,
        parts: [Part],
        metadata: JSONObject? = nil,
        extensions: [String] = []
    ) {
        self.artifactId = artifactId
        self.name = name
        self.description = description
        self.parts = parts
        self.metadata = metadata
        self.extensions = extensions
    }
}

extension Artifact: Codable {
    enum CodingKeys: String, CodingKey {
        case artifactId, name, description, parts, metadata, extensions
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: ProtoJSONKey.self)
        self.artifactId = try container.decode(String.self, field: "artifactId")
        self.name = try container.decodeIfPresent(String.self, field: "name")
        self.description = try container.decodeIfPresent(String.self, field: "description")
        self.parts = try container.decode([Part].self, field: "parts")
        self.metadata = try container.decodeIfPresent(JSONObject.self, field: "metadata")
        self.extensions = try container.decodeIfPresent([String].self, field: "extensions") ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(artifactId, forKey: .artifactId)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encodeIfPresent(description, forKey: .description)
        try container.encode(parts, forKey: .parts)
        try container.encodeIfPresent(metadata, forKey: .metadata)
        if !extensions.isEmpty { try container.encode(extensions, forKey: .extensions) }
    }
}
