//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// A coding key for ProtoJSON objects, whose parsers must accept a field under its JSON name
/// (`historyLength`) and under its proto name (`history_length`).
public struct ProtoJSONKey: CodingKey, Hashable, Sendable {
    public var stringValue: String
    public var intValue: Int? { nil }

    public init(_ name: String) {
        self.stringValue = name
    }

    public init?(stringValue: String) {
        self.stringValue = stringValue
    }

    public init?(intValue: Int) {
        nil
    }

    /// The proto (snake_case) name of a lowerCamelCase JSON name.
    static func protoName(_ jsonName: String) -> String {
        // Field names are ASCII: byte by byte, without the Unicode case tables (this runs for
        // every optional field a request leaves out).
        guard jsonName.utf8.allSatisfy({ $0 < 0x80 }) else { return unicodeProtoName(jsonName) }
        let uppercase = jsonName.utf8.reduce(0) { $0 + ((UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($1) ? 1 : 0) }
        if uppercase == 0 { return jsonName }
        return String(unsafeUninitializedCapacity: jsonName.utf8.count + uppercase) { buffer in
            var index = 0
            for byte in jsonName.utf8 {
                if (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) {
                    buffer[index] = UInt8(ascii: "_")
                    buffer[index + 1] = byte | 0x20
                    index += 2
                } else {
                    buffer[index] = byte
                    index += 1
                }
            }
            return index
        }
    }

    private static func unicodeProtoName(_ jsonName: String) -> String {
        var output = ""
        output.reserveCapacity(jsonName.utf8.count + 4)
        for character in jsonName {
            if character.isUppercase {
                output.append("_")
                output.append(contentsOf: character.lowercased())
            } else {
                output.append(character)
            }
        }
        return output
    }
}

extension KeyedDecodingContainer where Key == ProtoJSONKey {
    /// Decodes the field under its JSON name, or else its proto name.

    public func decodeIfPresent<T: Decodable>(_ type: T.Type, field jsonName: String) throws -> T? {
        let key = ProtoJSONKey(jsonName)
        if contains(key) {
            return try decodeIfPresent(T.self, forKey: key)
        }
        let protoKey = ProtoJSONKey(ProtoJSONKey.protoName(jsonName))
        if protoKey.stringValue != jsonName, contains(protoKey) {
            return try decodeIfPresent(T.self, forKey: protoKey)
        }
        return nil
    }

    /// Decodes a required field under its JSON name, or else its proto name.

    public func decode<T: Decodable>(_ type: T.Type, field jsonName: String) throws -> T {
        guard let value = try decodeIfPresent(T.self, field: jsonName) else {
            throw DecodingError.keyNotFound(
                ProtoJSONKey(jsonName),
                .init(codingPath: codingPath, debugDescription: "No value for '\(jsonName)'")
            )
        }
        return value
    }

    /// Whether the field is present under either name.

    public func contains(field jsonName: String) -> Bool {
        contains(ProtoJSONKey(jsonName)) || contains(ProtoJSONKey(ProtoJSONKey.protoName(jsonName)))
    }
}
