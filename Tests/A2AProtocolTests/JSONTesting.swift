//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import Foundation

/// Small JSON helpers shared by the suites of this target.
enum JSONTesting {
    /// Decodes `type` from JSON text.
    static func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(json.utf8))
    }

    /// Parses JSON text as a generic value.
    static func value(_ json: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
    }

    /// Encodes `value` and reads the output back as a generic value, so that key order does not matter.
    static func encodedValue(_ value: some Encodable) throws -> JSONValue {
        let data = try JSONEncoder().encode(value)
        return try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// Encodes `value` as compact JSON text with sorted keys.
    static func encodedString(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Every object key anywhere inside `value`.
    static func allKeys(in value: JSONValue) -> Set<String> {
        switch value {
        case .object(let object):
            var keys = Set(object.keys)
            for child in object.values { keys.formUnion(allKeys(in: child)) }
            return keys
        case .array(let array):
            return array.reduce(into: Set<String>()) { $0.formUnion(allKeys(in: $1)) }
        default:
            return []
        }
    }

    /// Rewrites every `status.timestamp` in its canonical form (`….mmmZ`).
    ///
    /// Our encoder always writes three fraction digits in UTC (spec §5.6.1, `YYYY-MM-DDTHH:mm:ss.sssZ`),
    /// so the spec's `2024-03-15T10:15:00Z` legitimately comes back as `2024-03-15T10:15:00.000Z`, and
    /// `.680794Z` as `.680Z`. Only TaskStatus timestamps are touched: strings in free-form metadata
    /// must come back verbatim.
    static func canonicalizingStatusTimestamps(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let array):
            return .array(array.map(canonicalizingStatusTimestamps))
        case .object(var object):
            if case .object(var status)? = object["status"], let string = status["timestamp"]?.stringValue,
                let timestamp = A2ATimestamp(rfc3339: string)
            {
                status["timestamp"] = .string(timestamp.rfc3339)
                object["status"] = .object(status)
            }
            return .object(object.mapValues(canonicalizingStatusTimestamps))
        default:
            return value
        }
    }

    /// `root` with the value at `path` replaced (or removed, when `value` is nil).
    static func setting(_ value: JSONValue?, at path: [PathComponent], in root: JSONValue) -> JSONValue {
        guard let first = path.first else { return value ?? .null }
        let rest = Array(path.dropFirst())
        switch (first, root) {
        case (.key(let key), .object(var object)):
            if rest.isEmpty {
                object[key] = value
            } else {
                object[key] = setting(value, at: rest, in: object[key] ?? .object([:]))
            }
            return .object(object)
        case (.index(let index), .array(var array)):
            array[index] = setting(value, at: rest, in: array[index])
            return .array(array)
        default:
            preconditionFailure("path \(path) does not fit \(root)")
        }
    }

    /// One step of a path into a JSON value: an object key or an array index.
    enum PathComponent: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
        case key(String)
        case index(Int)

        init(stringLiteral value: String) { self = .key(value) }
        init(integerLiteral value: Int) { self = .index(value) }
    }

    /// Decodes `type` from a generic JSON value.
    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value))
    }
}

/// A JSON-RPC 2.0 request decoded the way the HTTP front end does it.
func decodeRequest(_ json: String) throws -> JSONRPCRequest<A2AMethodCall> {
    try JSONDecoder().decode(JSONRPCRequest<A2AMethodCall>.self, from: Data(json.utf8))
}

extension JSONRPCError {
    /// The `google.rpc.BadRequest` field violations in `data`, as `(field, description)` pairs.
    var fieldViolations: [(field: String, description: String)] {
        (data ?? []).flatMap { detail -> [(field: String, description: String)] in
            guard detail["@type"]?.stringValue == "type.googleapis.com/google.rpc.BadRequest" else { return [] }
            return (detail["fieldViolations"]?.arrayValue ?? []).map {
                (field: $0["field"]?.stringValue ?? "<missing>", description: $0["description"]?.stringValue ?? "<missing>")
            }
        }
    }

    /// The `reason` of the first `google.rpc.ErrorInfo` in `data`.
    var errorInfoReason: String? {
        data?.first { $0["@type"]?.stringValue == "type.googleapis.com/google.rpc.ErrorInfo" }?["reason"]?.stringValue
    }
}
