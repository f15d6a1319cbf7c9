//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import Testing

@testable import CleverAgentsLangGraph

/// Re-joining a stream with the cursor's `Last-Event-ID` delivers every event once, whatever the
/// server's event ids look like.
@Suite(.timeLimit(.minutes(2))) struct LangGraphEventCursorTests {
    static func event(_ id: String?, _ data: String, name: String = "custom") -> ServerSentEvent {
        ServerSentEvent(event: name, data: data, id: id)
    }

    /// What a server replays after `lastEventID`: the events whose id is greater, compared as the
    /// in-memory runtime compares them (as text) or as Redis does (numerically).
    static func replay(_ events: [ServerSentEvent], after lastEventID: String, numeric: Bool) -> [ServerSentEvent] {
        events.filter { event in
            guard let id = event.id else { return false }
            return numeric ? LangGraphEventCursor.compare(id, lastEventID) == .orderedDescending : id > lastEventID
        }
    }

    /// Delivers `events` cut after each possible number of events, re-joined from the cursor, and
    /// expects every event exactly once, in order. With `races`, the join also sends the events
    /// delivered before again (as a server does whose live queue races its replay), after the
    /// first replayed one.
    static func expectLosslessRejoin(_ events: [ServerSentEvent], numeric: Bool, races: Bool, sourceLocation: SourceLocation = #_sourceLocation) {
        for cut in 0...events.count {
            var cursor = LangGraphEventCursor()
            var delivered = events.prefix(cut).filter { cursor.admit($0) }
            var replayed = replay(events, after: cursor.rejoin(), numeric: numeric)
            if races, cut > 1 {
                replayed.insert(contentsOf: events.prefix(cut - 1), at: min(1, replayed.count))
            }
            delivered += replayed.filter { cursor.admit($0) }
            #expect(delivered == events, "cut after \(cut) events", sourceLocation: sourceLocation)
        }
    }

    @Test func inMemoryRuntimeIDsRepeatWithinAMillisecondAndNothingIsLost() throws {
        // Recorded from `langgraph dev`: many events share `<ms>-0`, and tokens.sse even has two
        // identical events (a whitespace token) with the same id.
        let events = try Transcript("tokens").events()
        #expect(Set(events.compactMap(\.id)).count < events.count, "the transcript has repeated ids")
        for name in ["tokens", "tokens-messages", "steps", "ask-two-final-resume"] {
            Self.expectLosslessRejoin(try Transcript(name).events(), numeric: false, races: false)
        }
    }

    @Test func uniqueIDsAreOrderedNumericallyAndOlderRepeatsAreDropped() {
        // 9-0 < 10-0 numerically, not as text.
        let events = (0..<12).map { Self.event("\($0 + 5)-\($0 % 3)", "{\"n\":\($0)}") }
        Self.expectLosslessRejoin(events, numeric: true, races: false)
        Self.expectLosslessRejoin(events, numeric: true, races: true)
    }

    @Test func olderEventsAreRepeatsEvenWithSharedIDs() throws {
        let events = try Transcript("steps").events()
        var cursor = LangGraphEventCursor()
        let first = events.prefix(6).filter { cursor.admit($0) }
        _ = cursor.rejoin()
        let again = events.filter { cursor.admit($0) }
        #expect(first + again == events)
    }

    @Test func nothingSeenReplaysFromTheStart() {
        let cursor = LangGraphEventCursor()
        #expect(cursor.resumeID == "0-0")
        #expect(cursor.lastID == nil)
    }

    /// Feeds `(id, data)` events and returns which were admitted.
    static func admit(_ cursor: inout LangGraphEventCursor, _ events: [(String?, String)]) -> [Bool] {
        events.map { cursor.admit(Self.event($0.0, $0.1)) }
    }

    @Test func sharedIDsOnTheFirstConnectionAreNewEvents() {
        var cursor = LangGraphEventCursor()
        #expect(Self.admit(&cursor, [("5-0", "a"), ("5-0", "a"), ("4-9", "z"), ("6-0", "b")]) == [true, true, false, true])
        #expect(cursor.resumeID == "5-0")
        #expect(cursor.delivered == 3)
        // After a re-join, the replay of the 6-0 group is skipped, and with shared ids the same
        // id again is taken as a new event.
        #expect(cursor.rejoin() == "5-0")
        #expect(Self.admit(&cursor, [("6-0", "b"), ("6-0", "c")]) == [false, true])
        #expect(cursor.rejoins == 1)
    }

    @Test func theReplayOfTheNewestGroupIsSkippedByPosition() {
        var cursor = LangGraphEventCursor()
        #expect(Self.admit(&cursor, [("5-0", "a"), ("5-1", "b"), ("5-1", "c")]) == [true, true, true])
        #expect(cursor.rejoin() == "5-0")
        #expect(Self.admit(&cursor, [("5-1", "b"), ("5-1", "c"), ("5-1", "d"), ("5-2", "e")]) == [false, false, true, true])
        #expect(cursor.delivered == 5)
    }

    @Test func aJoinBeforeAnyEventReplaysEverythingAndIsNotARejoin() {
        var cursor = LangGraphEventCursor()
        #expect(cursor.rejoin() == "0-0")
        #expect(cursor.rejoins == 0)
        #expect(Self.admit(&cursor, [("5-0", "a"), ("5-0", "b")]) == [true, true])
    }

    @Test func eventsWithoutIDsAreAlwaysNew() {
        var cursor = LangGraphEventCursor()
        #expect(Self.admit(&cursor, [(nil, "a"), (nil, "a")]) == [true, true])
        #expect(cursor.delivered == 2)
        #expect(cursor.resumeID == "0-0")
    }

    @Test func idsThatAreNotStreamIDsCompareAsText() {
        #expect(LangGraphEventCursor.compare("b", "a") == .orderedDescending)
        #expect(LangGraphEventCursor.compare("a", "a") == .orderedSame)
        #expect(LangGraphEventCursor.compare("10-0", "9-0") == .orderedDescending)
        #expect(LangGraphEventCursor.compare("9-1", "9-0-1") == .orderedDescending)
    }

    @Test(arguments: ["", "-", "5", "5-", "-5", "5--1", "5-1-", "a-1", "5-b", "+5-1", "5- 1", "18446744073709551616-0", "0-18446744073709551616"])
    func textThatIsNotAStreamIDIsNotReadAsOne(text: String) {
        #expect(LangGraphEventCursor.StreamID(text) == nil)
    }

    @Test func streamIDsAreReadToTheirLimits() throws {
        let largest = try #require(LangGraphEventCursor.StreamID("18446744073709551615-18446744073709551615"))
        #expect(largest.milliseconds == .max && largest.sequence == .max)
        let small = try #require(LangGraphEventCursor.StreamID("0-7"))
        #expect(small.milliseconds == 0 && small.sequence == 7)
        #expect(LangGraphEventCursor.StreamID("1733-2")! < LangGraphEventCursor.StreamID("1733-10")!)
    }
}
