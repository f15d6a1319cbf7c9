//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import struct Foundation.Data

extension A2A03 {
    /// One piece of content in 0.3: a text, file or data part, told apart by `kind`.
    ///
    /// When `kind` is missing the part is recognised by its `text`, `file` or `data` member.
    public enum Part: Sendable, Hashable {
        case text(TextPart)
        case file(FilePart)
        case data(DataPart)

        /// The part's `metadata`.
        public var metadata: JSONObject? {
            switch self {
            case .text(let part): part.metadata
            case .file(let part): part.metadata
            case .data(let part): part.metadata
            }
        }
    }

    /// `{"kind": "text", "text": …}`.
    public struct TextPart: Sendable, Hashable {
        public var text: String
        public var metadata: JSONObject?

        public init(text: String, metadata: JSONObject? = nil) {
            self.text = text
            self.metadata = metadata
        }
    }

    /// `{"kind": "file", "file": {"bytes" | "uri": …, "name"?, "mimeType"?}}`.
    public struct FilePart: Sendable, Hashable {
        public var file: FileContent
        public var metadata: JSONObject?

        public init(file: FileContent, metadata: JSONObject? = nil) {
            self.file = file
            self.metadata = metadata
        }
    }

    /// The `file` of a file part: inline bytes or a URI, never both.
    public enum FileContent: Sendable, Hashable {
        case bytes(FileWithBytes)
        case uri(FileWithUri)
    }

    /// A file sent inline, base64 on the wire (`bytes`).
    public struct FileWithBytes: Sendable, Hashable {
        public var bytes: Data
        public var name: String?
        public var mimeType: String?

        public init(bytes: Data, name: String? = nil, mimeType: String? = nil) {
            self.bytes = bytes
            self.name = name
            self.mimeType = mimeType
        }
    }

    /// A file the receiver fetches from `uri`.
    public struct FileWithUri: Sendable, Hashable {
        public var uri: String
        public var name: String?
        public var mimeType: String?

        public init(uri: String, name: String? = nil, mimeType: String? = nil) {
            self.uri = uri
            self.name = name
            self.mimeType = mimeType
        }
    }

    /// `{"kind": "data", "data": {…}}`; in 0.3 `data` is always a JSON object.
    public struct DataPart: Sendable, Hashable {
        public var data: JSONObject
        public var metadata: JSONObject?

        public init(data: JSONObject, metadata: JSONObject? = nil) {
            self.data = data
            self.metadata = metadata
        }
    }
}

// MARK: Codable

extension A2A03.Part: Codable {
    enum CodingKeys: String, CodingKey {
        case kind, text, file, data, metadata
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kind: String
        if let value = try container.decodeIfPresent(String.self, forKey: .kind) {
            kind = value
        } else {
            // Lenient: recognise the part by its content member.
            let members = [CodingKeys.text, .file, .data].filter { container.contains($0) }
            guard members.count == 1, let member = members.first else {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: decoder.codingPath,
                        debugDescription: "A part without kind must have exactly one of text, file or data"
                    )
                )
            }
            kind = member.stringValue
        }
        let metadata = try container.decodeIfPresent(JSONObject.self, forKey: .metadata)
        switch kind {
        case "text":
            self = .text(A2A03.TextPart(text: try container.decode(String.self, forKey: .text), metadata: metadata))
        case "file":
            self = .file(A2A03.FilePart(file: try container.decode(A2A03.FileContent.self, forKey: .file), metadata: metadata))
        case "data":
            self = .data(A2A03.DataPart(data: try container.decode(JSONObject.self, forKey: .data), metadata: metadata))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .kind,
                in: container,
                debugDescription: "Unknown part kind '\(kind)'; expected text, file or data"
            )
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .text(let part):
            try container.encode("text", forKey: .kind)
            try container.encode(part.text, forKey: .text)
        case .file(let part):
            try container.encode("file", forKey: .kind)
            try container.encode(part.file, forKey: .file)
        case .data(let part):
            try container.encode("data", forKey: .kind)
            try container.encode(part.data, forKey: .data)
        }
        try container.encodeIfPresent(metadata, forKey: .metadata)
    }
}

extension A2A03.FileContent: Codable {
    enum CodingKeys: String, CodingKey {
        case bytes, uri, name, mimeType
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decodeIfPresent(String.self, forKey: .name)
        let mimeType = try container.decodeIfPresent(String.self, forKey: .mimeType)
        switch (container.contains(.bytes), container.contains(.uri)) {
        case (true, false):
            let string = try container.decode(String.self, forKey: .bytes)
            guard let bytes = A2A03.decodeBase64(string) else {
                throw DecodingError.dataCorruptedError(forKey: .bytes, in: container, debugDescription: "bytes must be base64")
            }
            self = .bytes(A2A03.FileWithBytes(bytes: bytes, name: name, mimeType: mimeType))
        case (false, true):
            self = .uri(A2A03.FileWithUri(uri: try container.decode(String.self, forKey: .uri), name: name, mimeType: mimeType))
        default:
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "A file must have exactly one of bytes or uri")
            )
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .bytes(let file):
            // Padded standard base64, as a2a-sdk emits it.
            try container.encode(file.bytes.base64EncodedString(), forKey: .bytes)
            try container.encodeIfPresent(file.name, forKey: .name)
            try container.encodeIfPresent(file.mimeType, forKey: .mimeType)
        case .uri(let file):
            try container.encode(file.uri, forKey: .uri)
            try container.encodeIfPresent(file.name, forKey: .name)
            try container.encodeIfPresent(file.mimeType, forKey: .mimeType)
        }
    }
}

// MARK: Conversions

extension A2A03.Part {
    /// The 0.3 form of a 1.0 part.
    ///
    /// - `text` becomes a text part; a 1.0 `filename` or `mediaType` on it is dropped.
    /// - `raw` and `url` become a file part with `bytes` or `uri`; `filename` is `name` and
    ///   `mediaType` is `mimeType` (left out when empty).
    /// - `data` holding a JSON object becomes a data part (`filename`/`mediaType` dropped). Any other
    ///   JSON value is wrapped as `{"value": …}`, and ``A2A03/dataPartCompatMetadataKey`` is set to
    ///   `true` in `metadata`, so that ``A2AProtocol/Part/init(a2a03:)`` can unwrap it again.
    public init(_ part: A2AProtocol.Part) {
        switch part.content {
        case .text(let text):
            self = .text(A2A03.TextPart(text: text, metadata: part.metadata))
        case .raw(let bytes):
            let file = A2A03.FileWithBytes(bytes: bytes, name: part.filename.nonEmpty, mimeType: part.mediaType.nonEmpty)
            self = .file(A2A03.FilePart(file: .bytes(file), metadata: part.metadata))
        case .url(let uri):
            let file = A2A03.FileWithUri(uri: uri, name: part.filename.nonEmpty, mimeType: part.mediaType.nonEmpty)
            self = .file(A2A03.FilePart(file: .uri(file), metadata: part.metadata))
        case .data(.object(let object)):
            self = .data(A2A03.DataPart(data: object, metadata: part.metadata))
        case .data(let value):
            var metadata = part.metadata ?? [:]
            metadata[A2A03.dataPartCompatMetadataKey] = .bool(true)
            self = .data(A2A03.DataPart(data: ["value": value], metadata: metadata))
        }
    }
}

extension Part {
    /// The 1.0 form of a 0.3 part.
    ///
    /// File parts become `raw` or `url` parts (`name` is `filename`, `mimeType` is `mediaType`;
    /// empty values are left unset). A data part whose `metadata` carries
    /// ``A2A03/dataPartCompatMetadataKey`` `= true` and whose `data` has a `value` member becomes
    /// that value again. The marker key is always removed from `metadata`, and `metadata` is left
    /// unset when nothing else is in it (as a2a-sdk 1.3.0 does).
    public init(a2a03 part: A2A03.Part) {
        switch part {
        case .text(let part):
            self.init(.text(part.text), metadata: part.metadata)
        case .file(let part):
            switch part.file {
            case .bytes(let file):
                self.init(.raw(file.bytes), metadata: part.metadata, filename: file.name.nonEmpty, mediaType: file.mimeType.nonEmpty)
            case .uri(let file):
                self.init(.url(file.uri), metadata: part.metadata, filename: file.name.nonEmpty, mediaType: file.mimeType.nonEmpty)
            }
        case .data(let part):
            guard var metadata = part.metadata, let marker = metadata.removeValue(forKey: A2A03.dataPartCompatMetadataKey) else {
                self.init(.data(.object(part.data)), metadata: part.metadata)
                return
            }
            let remaining = metadata.isEmpty ? nil : metadata
            if marker == .bool(true), let value = part.data["value"] {
                self.init(.data(value), metadata: remaining)
            } else {
                self.init(.data(.object(part.data)), metadata: remaining)
            }
        }
    }
}
