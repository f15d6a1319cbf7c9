//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import struct Foundation.Data

/// The A2A 0.3 JSON-RPC wire format, and its conversions to and from the A2A 1.0 types.
///
/// The server has one domain model (the A2A 1.0 types) and two codecs. A 0.3 request is decoded
/// into the nested types of this namespace, which mirror `types.ts` of A2A v0.3.0, and then
/// converted to the 1.0 call with ``A2A03MethodCall``; a 1.0 result is converted back with
/// ``A2A03/Response``, ``A2A03/StreamEvent`` and ``A2A03/ErrorResponse``.
///
/// ```swift
/// let request = try JSONDecoder().decode(JSONRPCRequest<A2A03MethodCall>.self, from: body)
/// let call: A2AMethodCall = try request.call.get().call        // A2A 1.0 from here on
/// // … handle the call, getting a SendMessageResponse …
/// let body = try encoder.encode(JSONRPCResultResponse(id: request.responseID, result: A2A03.Response(result)))
/// ```
///
/// Decoding is lenient where real 0.3 clients differ from the schema (a missing `kind` on a
/// message, task or part; timestamps without a zone; URL-safe or unpadded base64). Encoding is
/// exact: `kind` on every task, message, part and event, `final` on every status update,
/// `append` and `lastChunk` on every artifact update, and absent optionals left out.
public enum A2A03 {
    /// The `metadata` key that marks a data part whose 1.0 value was not a JSON object and was
    /// wrapped as `{"value": …}` (the a2a-sdk 1.3.0 convention).
    public static let dataPartCompatMetadataKey = "data_part_compat"

    /// The protocol version reported for 0.3 interfaces that do not state one.
    public static let protocolVersion = "0.3"
}

// MARK: TaskState

extension A2A03 {
    /// The state of a task in 0.3: a kebab-case string.
    public enum TaskState: String, Sendable, Hashable, CaseIterable, Codable {
        case submitted
        case working
        case inputRequired = "input-required"
        case completed
        case canceled
        case failed
        case rejected
        case authRequired = "auth-required"
        case unknown

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            let name = try container.decode(String.self)
            guard let state = TaskState(rawValue: name) else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription: "Unknown task state '\(name)'; expected one of \(TaskState.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            self = state
        }

        /// The 0.3 name of a 1.0 state; `TASK_STATE_UNSPECIFIED` is `unknown`.
        public init(_ state: A2AProtocol.TaskState) {
            switch state {
            case .unspecified: self = .unknown
            case .submitted: self = .submitted
            case .working: self = .working
            case .completed: self = .completed
            case .failed: self = .failed
            case .canceled: self = .canceled
            case .inputRequired: self = .inputRequired
            case .rejected: self = .rejected
            case .authRequired: self = .authRequired
            }
        }
    }
}

extension TaskState {
    /// The 1.0 state of a 0.3 state; `unknown` is `TASK_STATE_UNSPECIFIED`.
    public init(a2a03 state: A2A03.TaskState) {
        switch state {
        case .unknown: self = .unspecified
        case .submitted: self = .submitted
        case .working: self = .working
        case .completed: self = .completed
        case .failed: self = .failed
        case .canceled: self = .canceled
        case .inputRequired: self = .inputRequired
        case .rejected: self = .rejected
        case .authRequired: self = .authRequired
        }
    }
}

// MARK: Role

extension A2A03 {
    /// The sender of a message in 0.3: `user` or `agent`, and nothing else.
    public enum Role: String, Sendable, Hashable, CaseIterable, Codable {
        case user
        case agent

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            let name = try container.decode(String.self)
            guard let role = Role(rawValue: name) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "Unknown role '\(name)'; expected user or agent")
            }
            self = role
        }

        /// The 0.3 role of a 1.0 role: `ROLE_USER` is `user`, anything else `agent` (as a2a-sdk 1.3.0 does).
        public init(_ role: A2AProtocol.Role) {
            self = role == .user ? .user : .agent
        }
    }
}

extension Role {
    /// The 1.0 role of a 0.3 role.
    public init(a2a03 role: A2A03.Role) {
        switch role {
        case .user: self = .user
        case .agent: self = .agent
        }
    }
}

// MARK: Shared coding helpers

extension A2A03 {
    /// Checks the `kind` discriminator: a missing `kind` is accepted, a different one is not.
    static func checkKind<Key: CodingKey>(_ expected: String, in container: KeyedDecodingContainer<Key>, key: Key) throws {
        guard let kind = try container.decodeIfPresent(String.self, forKey: key) else { return }
        guard kind == expected else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "expected kind '\(expected)', found '\(kind)'")
        }
    }

    /// Parses a 0.3 timestamp: RFC 3339, or ISO 8601 without a zone (as in the 0.3 spec's examples), read as UTC.
    static func timestamp(_ string: String) -> A2ATimestamp? {
        if let timestamp = A2ATimestamp(rfc3339: string) { return timestamp }
        return A2ATimestamp(rfc3339: string + "Z")
    }

    /// Decodes base64 leniently: standard or URL-safe alphabet, with or without padding.
    static func decodeBase64(_ string: String) -> Data? {
        if let data = Data(base64Encoded: string) { return data }
        var normalized = ""
        normalized.reserveCapacity(string.utf8.count + 3)
        for character in string.unicodeScalars {
            switch character {
            case "-": normalized.append("+")
            case "_": normalized.append("/")
            case "=": continue
            default: normalized.unicodeScalars.append(character)
            }
        }
        switch normalized.utf8.count % 4 {
        case 0: break
        case 1: return nil
        case let remainder: normalized += String(repeating: "=", count: 4 - remainder)
        }
        return Data(base64Encoded: normalized)
    }
}

extension Optional where Wrapped == String {
    /// The string, or `nil` when it is missing or empty (0.3 leaves empty values out).
    var nonEmpty: String? {
        switch self {
        case .some(let value) where !value.isEmpty: value
        default: nil
        }
    }
}
