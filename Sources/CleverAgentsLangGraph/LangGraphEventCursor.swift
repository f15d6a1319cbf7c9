//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol

/// Where a run's event stream stands, so that a re-joined stream goes on without losing or
/// repeating an event.
///
/// LangGraph replays the events of a resumable run that come after the `Last-Event-ID` of a join.
/// Event ids are `<milliseconds>-<sequence>`. Redis-backed servers make them unique, but the
/// in-memory runtime of `langgraph dev` writes `<ms>-0` for every event, so several events can
/// share an id, and a replay after the last id seen would skip those of them not yet seen. So a
/// re-join asks for the replay after the previous *distinct* id and skips, by position, the
/// events of the last id group that were already delivered.
///
/// A server may also send an event twice when a join races a live event into both its replay
/// and its live queue (the in-memory runtime does, for events written while it replays). Events
/// with an older id than the newest delivered are such repeats and are dropped. A repeat of the
/// newest id cannot be told from a new event written in the same millisecond (with the in-memory
/// runtime's shared ids), and is kept rather than risk losing an event.
struct LangGraphEventCursor: Sendable, Hashable {
    /// The `Last-Event-ID` that asks for a replay of everything.
    static let fromStart = "0-0"

    /// The id of the newest event delivered.
    private(set) var lastID: String?
    /// The id delivered before ``lastID``.
    private var previousID: String?
    /// How many events were delivered with the id ``lastID``.
    private var groupCount = 0
    /// Events of the ``lastID`` group that the current connection replays, still to skip.
    private var toSkip = 0
    /// How many times the stream was re-joined.
    private(set) var rejoins = 0

    /// The number of events delivered.
    private(set) var delivered = 0

    init() {}

    /// The `Last-Event-ID` for a re-join: the replay then starts with the current id group.
    var resumeID: String { previousID ?? Self.fromStart }

    /// Prepares for a new connection that replays from ``resumeID``; returns that id. (Before
    /// any event was delivered, the replay starts at the run's first event.)
    mutating func rejoin() -> String {
        if delivered > 0 { rejoins += 1 }
        toSkip = groupCount
        return resumeID
    }

    /// Whether `event` is new; if so, it counts as delivered.
    mutating func admit(_ event: ServerSentEvent) -> Bool {
        guard let id = event.id else {
            // A stream without ids cannot be resumed, nor checked for repeats.
            delivered += 1
            return true
        }
        guard let lastID else {
            self.lastID = id
            groupCount = 1
            delivered += 1
            return true
        }
        switch Self.compare(id, lastID) {
        case .orderedAscending:
            return false
        case .orderedSame:
            if toSkip > 0 {
                toSkip -= 1
                return false
            }
            // A new event with the same id: the in-memory runtime's ids repeat within a
            // millisecond. (A repeat of the same event cannot be told from it; it is kept rather
            // than risk losing an event.)
            groupCount += 1
        case .orderedDescending:
            toSkip = 0
            previousID = lastID
            self.lastID = id
            groupCount = 1
        }
        delivered += 1
        return true
    }

    /// Orders event ids: `<ms>-<seq>` numerically, anything else as text.
    static func compare(_ left: String, _ right: String) -> ComparisonResult {
        if let left = StreamID(left), let right = StreamID(right) {
            if left == right { return .orderedSame }
            return left < right ? .orderedAscending : .orderedDescending
        }
        if left == right { return .orderedSame }
        return left < right ? .orderedAscending : .orderedDescending
    }

    /// A Redis stream id: milliseconds and a sequence number.
    struct StreamID: Comparable {
        var milliseconds: UInt64
        var sequence: UInt64

        /// `<milliseconds>-<sequence>`, both decimal digits; read byte by byte (every event has one).
        init?(_ text: String) {
            var fields: (UInt64, UInt64) = (0, 0)
            var inSequence = false
            var digits = 0
            for byte in text.utf8 {
                if byte == UInt8(ascii: "-") {
                    guard !inSequence, digits > 0 else { return nil }
                    inSequence = true
                    digits = 0
                    continue
                }
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                var field = inSequence ? fields.1 : fields.0
                let (shifted, overflowed) = field.multipliedReportingOverflow(by: 10)
                let (sum, carried) = shifted.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
                guard !overflowed, !carried else { return nil }
                field = sum
                if inSequence { fields.1 = field } else { fields.0 = field }
                digits += 1
            }
            guard inSequence, digits > 0 else { return nil }
            (milliseconds, sequence) = fields
        }

        static func < (left: StreamID, right: StreamID) -> Bool {
            (left.milliseconds, left.sequence) < (right.milliseconds, right.sequence)
        }
    }

    enum ComparisonResult {
        case orderedAscending, orderedSame, orderedDescending
    }
}
