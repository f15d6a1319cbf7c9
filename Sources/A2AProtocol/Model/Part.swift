//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import struct Foundation.Data

/// One piece of content in a message or artifact (`lf.a2a.v1.Part`).
///
/// Exactly one of text, raw bytes, a URL or structured data; there is no `kind` field in 1.0.
public struct Part: Sendable, Hashable {
    /// What the part carries.
    public enum Content: Sendable, Hashable {
        case text(String)
        /// Inline bytes, base64 on the wire.
        case raw(Data)
        /// A URL pointing at the content.
        case url(String)
        /// Any JSON value.
        case data(JSONValue)
    }

    public var content: Content
    public var metadata: JSONObject?
    public var filename: String?
    public var mediaType: String?

    public init(_ content: Content, metadata: JSONObject? = nil, filename: String? = nil, mediaType: String? = nil) {
        self.content = content
        self.metadata = metadata
        self.filename = filename
        self.mediaType = mediaType
    }

    /// A text part.
    public static func text(_ text: String, metadata: JSONObject? = nil) -> Part {
        Part(.text(text), metadata: metadata)
    }

    /// A structured-data part.
    public static func data(_ value: JSONValue, metadata: JSONObject? = nil) -> Part {
        Part(.data(value), metadata: metadata)
    }

    /// The text, when this is a text part.
    public var text: String? {
        if case .text(let text) = content { return text }
        return nil
    }
}

extension Part: Codable {
    enum CodingKeys: String, CodingKey {
        case text, raw, url, data, metadata, filename, mediaType
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: ProtoJSONKey.self)
        var found: [Content] = []
        if let text = try container.decodeIfPresent(String.self, field: "text") { found.append(.text(text)) }
        if let raw = try container.decodeIfPresent(Data.self, field: "raw") { found.append(.raw(raw)) }
        if let url = try container.decodeIfPresent(String.self, field: "url") { found.append(.url(url)) }
        if container.contains(ProtoJSONKey("data")) { found.append(.data(try container.decode(JSONValue.self, forKey: ProtoJSONKey("data")))) }
        guard found.count == 1, let content = found.first else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: found.isEmpty
                        ? "A part must have one of text, raw, url or data"
                        : "A part must have only one of text, raw, url or data"
                )
            )
        }
        self.content = content
        self.metadata = try container.decodeIfPresent(JSONObject.self, field: "metadata")
        self.filename = try container.decodeIfPresent(String.self, field: "filename")
        self.mediaType = try container.decodeIfPresent(String.self, field: "mediaType")
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch content {
        case .text(let text): try container.encode(text, forKey: .text)
        case .raw(let raw): try container.encode(raw, forKey: .raw)
        case .url(let url): try container.encode(url, forKey: .url)
        case .data(let data): try container.encode(data, forKey: .data)
        }
        try container.encodeIfPresent(metadata, forKey: .metadata)
        try container.encodeIfPresent(filename, forKey: .filename)
        try container.encodeIfPresent(mediaType, forKey: .mediaType)
    }
}
