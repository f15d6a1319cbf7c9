//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import Testing

@Suite("HistoryWindow", .timeLimit(.minutes(2)))
struct HistoryWindowTests {
    static let history = (1...5).map { Message(messageId: "m\($0)", role: $0.isMultiple(of: 2) ? .agent : .user, parts: []) }

    @Test("unset keeps the whole history")
    func unset() {
        #expect(HistoryWindow.apply(nil, to: Self.history) == Self.history)
    }

    @Test("0 keeps none")
    func zero() {
        #expect(HistoryWindow.apply(0, to: Self.history) == [])
    }

    @Test("N keeps the last N messages, oldest first", arguments: [1, 2, 4, 5])
    func lastN(length: Int) {
        let window = HistoryWindow.apply(length, to: Self.history)
        #expect(window.map(\.messageId) == Self.history.suffix(length).map(\.messageId))
        #expect(window.last?.messageId == "m5")
    }

    @Test("N larger than the history keeps all of it")
    func larger() {
        #expect(HistoryWindow.apply(6, to: Self.history) == Self.history)
        #expect(HistoryWindow.apply(Int.max, to: Self.history) == Self.history)
    }

    @Test("a negative length keeps none (the front end rejects it before it gets here)")
    func negative() {
        #expect(HistoryWindow.apply(-1, to: Self.history) == [])
    }

    @Test("an empty history stays empty", arguments: [Int?.none, 0, 3])
    func empty(length: Int?) {
        #expect(HistoryWindow.apply(length, to: []) == [])
    }
}
