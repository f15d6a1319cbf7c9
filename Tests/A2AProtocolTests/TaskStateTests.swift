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

@Suite("TaskState and Role", .timeLimit(.minutes(2)))
struct TaskStateTests {
    /// The 1.0 proto enum, name and number (`specification/a2a.proto`).
    static let protoStates: [(String, Int, TaskState)] = [
        ("TASK_STATE_UNSPECIFIED", 0, .unspecified), ("TASK_STATE_SUBMITTED", 1, .submitted), ("TASK_STATE_WORKING", 2, .working),
        ("TASK_STATE_COMPLETED", 3, .completed), ("TASK_STATE_FAILED", 4, .failed), ("TASK_STATE_CANCELED", 5, .canceled),
        ("TASK_STATE_INPUT_REQUIRED", 6, .inputRequired), ("TASK_STATE_REJECTED", 7, .rejected), ("TASK_STATE_AUTH_REQUIRED", 8, .authRequired),
    ]

    @Test("every state decodes from its enum name and from its number, and encodes as its name", arguments: protoStates)
    func stateNamesAndNumbers(name: String, number: Int, state: TaskState) throws {
        #expect(try JSONTesting.decode([TaskState].self, #"["\#(name)"]"#) == [state])
        #expect(try JSONTesting.decode([TaskState].self, "[\(number)]") == [state])
        #expect(try JSONTesting.encodedString([state]) == #"["\#(name)"]"#)
        #expect(state.number == number)
        #expect(TaskState(number: number) == state)
    }

    @Test("the proto enum has exactly these nine states")
    func allStates() {
        #expect(TaskState.allCases.count == Self.protoStates.count)
        #expect(TaskState(number: 9) == nil)
        #expect(TaskState(number: -1) == nil)
    }

    @Test("an unknown state name is rejected with a message listing the valid names", arguments: ["TASK_STATE_PAUSED", "working", "completed", ""])
    func unknownStateName(name: String) throws {
        let error = try #require(throws: DecodingError.self) { try JSONTesting.decode([TaskState].self, #"["\#(name)"]"#) }
        guard case .dataCorrupted(let context) = error else {
            Issue.record("expected dataCorrupted, got \(error)")
            return
        }
        #expect(context.debugDescription.contains("'\(name)'"))
        for state in TaskState.allCases {
            #expect(context.debugDescription.contains(state.rawValue))
        }
    }

    @Test("an unknown state number is rejected", arguments: [9, -1, 100])
    func unknownStateNumber(number: Int) {
        #expect(throws: DecodingError.self) { try JSONTesting.decode([TaskState].self, "[\(number)]") }
    }

    @Test("a state that is neither a string nor a number is rejected", arguments: ["[true]", "[null]", "[{}]", "[2.5]"])
    func wrongType(json: String) {
        #expect(throws: DecodingError.self) { try JSONTesting.decode([TaskState].self, json) }
    }

    @Test("completed, failed, canceled and rejected are terminal; input- and auth-required are interrupted")
    func classification() {
        let terminal = Set(TaskState.allCases.filter(\.isTerminal))
        let interrupted = Set(TaskState.allCases.filter(\.isInterrupted))
        #expect(terminal == [.completed, .failed, .canceled, .rejected])
        #expect(interrupted == [.inputRequired, .authRequired])
        #expect(terminal.isDisjoint(with: interrupted))
    }

    @Test(
        "every role decodes from its name and its number, and encodes as its name",
        arguments: [("ROLE_UNSPECIFIED", 0, Role.unspecified), ("ROLE_USER", 1, .user), ("ROLE_AGENT", 2, .agent)]
    )
    func roles(name: String, number: Int, role: Role) throws {
        #expect(try JSONTesting.decode([Role].self, #"["\#(name)"]"#) == [role])
        #expect(try JSONTesting.decode([Role].self, "[\(number)]") == [role])
        #expect(try JSONTesting.encodedString([role]) == #"["\#(name)"]"#)
    }

    @Test("an unknown role name is rejected with a message listing the valid names", arguments: ["user", "ROLE_SYSTEM", "agent"])
    func unknownRoleName(name: String) throws {
        let error = try #require(throws: DecodingError.self) { try JSONTesting.decode([Role].self, #"["\#(name)"]"#) }
        guard case .dataCorrupted(let context) = error else {
            Issue.record("expected dataCorrupted, got \(error)")
            return
        }
        #expect(context.debugDescription.contains("'\(name)'"))
        #expect(context.debugDescription.contains("ROLE_USER"))
        #expect(context.debugDescription.contains("ROLE_AGENT"))
    }

    @Test("an unknown role number is rejected", arguments: [3, -1])
    func unknownRoleNumber(number: Int) {
        #expect(throws: DecodingError.self) { try JSONTesting.decode([Role].self, "[\(number)]") }
    }
}
