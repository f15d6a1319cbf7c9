//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// The lifecycle state of a task (`lf.a2a.v1.TaskState`).
///
/// Written on the wire as the enum name (`TASK_STATE_WORKING`); the integer form of ProtoJSON is
/// also accepted when decoding.
public enum TaskState: String, Sendable, Hashable, CaseIterable {
    case unspecified = "TASK_STATE_UNSPECIFIED"
    case submitted = "TASK_STATE_SUBMITTED"
    case working = "TASK_STATE_WORKING"
    case completed = "TASK_STATE_COMPLETED"
    case failed = "TASK_STATE_FAILED"
    case canceled = "TASK_STATE_CANCELED"
    case inputRequired = "TASK_STATE_INPUT_REQUIRED"
    case rejected = "TASK_STATE_REJECTED"
    case authRequired = "TASK_STATE_AUTH_REQUIRED"

    /// The proto enum number.
    public var number: Int {
        switch self {
        case .unspecified: 0
        case .submitted: 1
        case .working: 2
        case .completed: 3
        case .failed: 4
        case .canceled: 5
        case .inputRequired: 6
        case .rejected: 7
        case .authRequired: 8
        }
    }

    public init?(number: Int) {
        guard let state = Self.allCases.first(where: { $0.number == number }) else { return nil }
        self = state
    }

    /// Completed, failed, canceled and rejected tasks accept no further messages.
    public var isTerminal: Bool {
        switch self {
        case .completed, .failed, .canceled, .rejected: true
        default: false
        }
    }

    /// Input-required and auth-required tasks wait for the client; a blocking send returns on them.
    public var isInterrupted: Bool {
        self == .inputRequired || self == .authRequired
    }
}

extension TaskState: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let name = try? container.decode(String.self) {
            guard let state = TaskState(rawValue: name) else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription: "Unknown task state '\(name)'; expected one of \(TaskState.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            self = state
        } else {
            let number = try container.decode(Int.self)
            guard let state = TaskState(number: number) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "Unknown task state number \(number)")
            }
            self = state
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// The sender of a message (`lf.a2a.v1.Role`).
public enum Role: String, Sendable, Hashable, CaseIterable {
    case unspecified = "ROLE_UNSPECIFIED"
    case user = "ROLE_USER"
    case agent = "ROLE_AGENT"
}

extension Role: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let name = try? container.decode(String.self) {
            guard let role = Role(rawValue: name) else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription: "Unknown role '\(name)'; expected ROLE_USER or ROLE_AGENT"
                )
            }
            self = role
        } else {
            let number = try container.decode(Int.self)
            switch number {
            case 0: self = .unspecified
            case 1: self = .user
            case 2: self = .agent
            default: throw DecodingError.dataCorruptedError(in: container, debugDescription: "Unknown role number \(number)")
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
