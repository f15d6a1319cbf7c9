//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsTestSupport
import Foundation
import Testing

@Suite("A2ATimestamp", .timeLimit(.minutes(2)))
struct A2ATimestampTests {
    /// Milliseconds since the epoch computed by Foundation's calendar, an oracle independent of the parser.
    private static func milliseconds(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0, ms: Int = 0)
        -> Int64
    {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        let seconds = calendar.date(from: components)!.timeIntervalSince1970
        return Int64(seconds.rounded()) * 1000 + Int64(ms)
    }

    // MARK: Parsing

    @Test("parses the epoch and the spec's own example")
    func parsesKnownInstants() throws {
        #expect(A2ATimestamp(rfc3339: "1970-01-01T00:00:00Z")?.millisecondsSinceEpoch == 0)
        #expect(A2ATimestamp(rfc3339: "1970-01-01T00:00:00.001Z")?.millisecondsSinceEpoch == 1)
        #expect(A2ATimestamp(rfc3339: "2025-11-09T10:30:00.000Z")?.millisecondsSinceEpoch == Self.milliseconds(2025, 11, 9, 10, 30))
        #expect(A2ATimestamp(rfc3339: "2025-10-28T14:25:33.142Z")?.millisecondsSinceEpoch == Self.milliseconds(2025, 10, 28, 14, 25, 33, ms: 142))
    }

    @Test(
        "fractions of 1 to 9 digits are truncated to milliseconds",
        arguments: [
            ("2025-01-01T00:00:00.1Z", 100), ("2025-01-01T00:00:00.12Z", 120), ("2025-01-01T00:00:00.123Z", 123),
            ("2025-01-01T00:00:00.1239Z", 123), ("2025-01-01T00:00:00.12399Z", 123), ("2025-01-01T00:00:00.680794Z", 680),
            ("2025-01-01T00:00:00.9999999Z", 999), ("2025-01-01T00:00:00.99999999Z", 999), ("2025-01-01T00:00:00.999999999Z", 999),
            ("2025-01-01T00:00:00.000000001Z", 0), ("2025-01-01T00:00:00Z", 0),
        ]
    )
    func fractions(string: String, millis: Int64) throws {
        let timestamp = try #require(A2ATimestamp(rfc3339: string))
        #expect(timestamp.millisecondsSinceEpoch == Self.milliseconds(2025, 1, 1) + millis)
    }

    @Test(
        "the zone designator may be Z, z or a numeric offset",
        arguments: [
            "2025-06-01T12:00:00Z", "2025-06-01T12:00:00z", "2025-06-01T12:00:00+00:00", "2025-06-01T12:00:00-00:00",
            "2025-06-01T14:00:00+02:00", "2025-06-01T06:30:00-05:30", "2025-06-02T01:45:00+13:45", "2025-05-31T12:01:00-23:59",
        ]
    )
    func offsets(string: String) throws {
        let timestamp = try #require(A2ATimestamp(rfc3339: string))
        #expect(timestamp.millisecondsSinceEpoch == Self.milliseconds(2025, 6, 1, 12))
    }

    @Test("the date-time separator may be T, t or a space (RFC 3339 §5.6 note)", arguments: ["T", "t", " "])
    func separators(separator: String) throws {
        #expect(A2ATimestamp(rfc3339: "2025-06-01\(separator)12:00:00Z")?.millisecondsSinceEpoch == Self.milliseconds(2025, 6, 1, 12))
    }

    @Test(
        "leap days exist exactly in leap years",
        arguments: [
            ("2024-02-29", true), ("2000-02-29", true), ("1600-02-29", true), ("2023-02-29", false), ("1900-02-29", false), ("2100-02-29", false),
        ]
    )
    func leapDays(date: String, valid: Bool) {
        #expect((A2ATimestamp(rfc3339: "\(date)T00:00:00Z") != nil) == valid)
    }

    @Test("leap-year instants match the calendar")
    func leapYearInstants() throws {
        #expect(A2ATimestamp(rfc3339: "2024-02-29T23:59:59.999Z")?.millisecondsSinceEpoch == Self.milliseconds(2024, 2, 29, 23, 59, 59, ms: 999))
        #expect(A2ATimestamp(rfc3339: "2024-03-01T00:00:00Z")?.millisecondsSinceEpoch == Self.milliseconds(2024, 3, 1))
        #expect(A2ATimestamp(rfc3339: "2000-12-31T00:00:00Z")?.millisecondsSinceEpoch == Self.milliseconds(2000, 12, 31))
    }

    @Test("instants before 1970 are negative")
    func preEpoch() throws {
        #expect(A2ATimestamp(rfc3339: "1969-12-31T23:59:59.999Z")?.millisecondsSinceEpoch == -1)
        #expect(A2ATimestamp(rfc3339: "1969-12-31T23:59:59Z")?.millisecondsSinceEpoch == -1000)
        #expect(A2ATimestamp(rfc3339: "1900-01-01T00:00:00Z")?.millisecondsSinceEpoch == -2_208_988_800_000)
        #expect(A2ATimestamp(rfc3339: "1601-01-01T00:00:00Z")?.millisecondsSinceEpoch == Self.milliseconds(1601, 1, 1))
    }

    @Test("the range of google.protobuf.Timestamp is accepted up to both ends")
    func rangeEnds() {
        #expect(A2ATimestamp(rfc3339: "0001-01-01T00:00:00Z")?.millisecondsSinceEpoch == -62_135_596_800_000)
        #expect(A2ATimestamp(rfc3339: "9999-12-31T23:59:59.999Z")?.millisecondsSinceEpoch == 253_402_300_799_999)
    }

    @Test(
        "instants outside years 1 to 9999 UTC are rejected",
        arguments: [
            "0000-01-01T00:00:00Z", "0000-12-31T23:59:59.999Z", "0001-01-01T00:00:00+00:01", "0000-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-00:01", "9999-12-31T23:59:59.999-23:59",
        ]
    )
    func outOfRange(string: String) {
        #expect(A2ATimestamp(rfc3339: string) == nil)
    }

    @Test("a leap second (:60) is accepted and counts as the next second")
    func leapSecond() {
        #expect(A2ATimestamp(rfc3339: "2016-12-31T23:59:60Z") == A2ATimestamp(rfc3339: "2017-01-01T00:00:00Z"))
    }

    @Test(
        "malformed timestamps are rejected",
        arguments: [
            "", "2025-11-09", "2025-11-09T10:30:00", "2025-11-09T10:30Z", "25-11-09T10:30:00Z", "2025-1-09T10:30:00Z", "2025-11-9T10:30:00Z",
            "2025/11/09T10:30:00Z", "2025-11-09_10:30:00Z", "2025-13-01T00:00:00Z", "2025-00-01T00:00:00Z", "2025-11-00T00:00:00Z",
            "2025-11-32T00:00:00Z", "2025-04-31T00:00:00Z", "2025-06-31T00:00:00Z", "2025-02-30T00:00:00Z", "2025-11-09T24:00:00Z",
            "2025-11-09T10:60:00Z", "2025-11-09T10:30:61Z", "2025-11-09T10:30:00.Z", "2025-11-09T10:30:00,5Z", "2025-11-09T10:30:00.123",
            "2025-11-09T10:30:00+0100", "2025-11-09T10:30:00+01", "2025-11-09T10:30:00+24:00", "2025-11-09T10:30:00+01:60",
            "2025-11-09T10:30:00ZZ", "2025-11-09T10:30:00Z ", " 2025-11-09T10:30:00Z", "2025-11-09T10:30:00UTC", "2025-11-09T10:30:00.12aZ",
            "２０２５-11-09T10:30:00Z", "-2025-11-09T10:30:00Z", "+2025-11-09T10:30:00Z", "12025-11-09T10:30:00Z", "1733740200000",
        ]
    )
    func malformed(string: String) {
        #expect(A2ATimestamp(rfc3339: string) == nil)
    }

    // MARK: Formatting

    @Test(
        "formats as YYYY-MM-DDTHH:MM:SS.mmmZ",
        arguments: [
            (Int64(0), "1970-01-01T00:00:00.000Z"), (1, "1970-01-01T00:00:00.001Z"), (-1, "1969-12-31T23:59:59.999Z"),
            (-1000, "1969-12-31T23:59:59.000Z"), (-1001, "1969-12-31T23:59:58.999Z"), (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (1_709_251_199_999, "2024-02-29T23:59:59.999Z"), (-2_208_988_800_000, "1900-01-01T00:00:00.000Z"),
            (-62_135_596_800_000, "0001-01-01T00:00:00.000Z"), (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
        ]
    )
    func formats(milliseconds: Int64, expected: String) {
        #expect(A2ATimestamp(millisecondsSinceEpoch: milliseconds).rfc3339 == expected)
        #expect(A2ATimestamp(millisecondsSinceEpoch: milliseconds).description == expected)
    }

    @Test("parsing any accepted form then formatting gives UTC with three fraction digits")
    func normalisesOnFormat() throws {
        #expect(A2ATimestamp(rfc3339: "2024-03-15T10:15:00Z")?.rfc3339 == "2024-03-15T10:15:00.000Z")
        #expect(A2ATimestamp(rfc3339: "2025-04-17T17:47:09.680794Z")?.rfc3339 == "2025-04-17T17:47:09.680Z")
        #expect(A2ATimestamp(rfc3339: "2025-01-01t01:30:00.5+02:00")?.rfc3339 == "2024-12-31T23:30:00.500Z")
    }

    @Test(
        "values outside years 1 to 9999 are formatted clamped, never trapping",
        arguments: [Int64.min, Int64.max, -62_135_596_800_001, 253_402_300_800_000]
    )
    func outOfRangeFormatting(milliseconds: Int64) {
        let formatted = A2ATimestamp(millisecondsSinceEpoch: milliseconds).rfc3339
        #expect(formatted == (milliseconds < 0 ? "0001-01-01T00:00:00.000Z" : "9999-12-31T23:59:59.999Z"))
    }

    @Test("format then parse is the identity over random milliseconds (seeded)")
    func roundTripProperty() throws {
        var generator = SeededGenerator(seed: 20_251_109)
        let pattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
        for iteration in 0..<5_000 {
            // Mostly around today, with a share spread over the whole range.
            let milliseconds =
                iteration % 4 == 0
                ? Int64.random(in: -62_135_596_800_000...253_402_300_799_999, using: &generator)
                : Int64.random(in: -2_000_000_000_000...4_000_000_000_000, using: &generator)
            let timestamp = A2ATimestamp(millisecondsSinceEpoch: milliseconds)
            let formatted = timestamp.rfc3339
            #expect(formatted.wholeMatch(of: pattern) != nil, "\(milliseconds) -> \(formatted)")
            #expect(A2ATimestamp(rfc3339: formatted) == timestamp, "\(milliseconds) -> \(formatted)")
        }
    }

    @Test("formatting agrees with Foundation's calendar (seeded)")
    func formattingMatchesCalendar() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<500 {
            // Foundation switches to the Julian calendar before 1582; stay after it.
            let milliseconds = Int64.random(in: -11_000_000_000_000...253_402_300_799_999, using: &generator)
            let date = Date(timeIntervalSince1970: Double(milliseconds.dividedRoundingDown(by: 1000)))
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let millis = milliseconds - milliseconds.dividedRoundingDown(by: 1000) * 1000
            func pad(_ value: Int, _ width: Int) -> String {
                String(repeating: "0", count: max(0, width - String(value).count)) + String(value)
            }
            let datePart = "\(pad(parts.year!, 4))-\(pad(parts.month!, 2))-\(pad(parts.day!, 2))"
            let timePart = "\(pad(parts.hour!, 2)):\(pad(parts.minute!, 2)):\(pad(parts.second!, 2)).\(pad(Int(millis), 3))"
            let expected = "\(datePart)T\(timePart)Z"
            #expect(A2ATimestamp(millisecondsSinceEpoch: milliseconds).rfc3339 == expected)
        }
    }

    // MARK: Date, Codable, ordering

    @Test("conversion from Date truncates to milliseconds, also before 1970")
    func fromDate() {
        #expect(A2ATimestamp(Date(timeIntervalSince1970: 1.2349)).millisecondsSinceEpoch == 1234)
        #expect(A2ATimestamp(Date(timeIntervalSince1970: -0.0005)).millisecondsSinceEpoch == -1)
        #expect(A2ATimestamp(millisecondsSinceEpoch: 1_500).date == Date(timeIntervalSince1970: 1.5))
    }

    @Test("Codable uses the RFC 3339 string")
    func codable() throws {
        let timestamp = A2ATimestamp(millisecondsSinceEpoch: 1_762_684_200_000)
        #expect(try JSONTesting.encodedString([timestamp]) == #"["2025-11-09T10:30:00.000Z"]"#)
        #expect(try JSONTesting.decode([A2ATimestamp].self, #"["2025-11-09T11:30:00+01:00"]"#) == [timestamp])
    }

    @Test("decoding a malformed string fails with a message showing the expected form")
    func decodingMalformed() throws {
        let error = try #require(throws: DecodingError.self) { try JSONTesting.decode([A2ATimestamp].self, #"["yesterday"]"#) }
        guard case .dataCorrupted(let context) = error else {
            Issue.record("expected dataCorrupted, got \(error)")
            return
        }
        #expect(context.debugDescription.contains("RFC 3339"))
        #expect(context.debugDescription.contains("2025-11-09T10:30:00.000Z"))
    }

    @Test("decoding a number fails")
    func decodingNumber() {
        #expect(throws: DecodingError.self) { try JSONTesting.decode([A2ATimestamp].self, "[1733740200000]") }
    }

    @Test("timestamps order by instant, whatever offset they were written in")
    func ordering() throws {
        let earlier = try #require(A2ATimestamp(rfc3339: "2025-06-01T12:00:00+02:00"))
        let later = try #require(A2ATimestamp(rfc3339: "2025-06-01T11:00:00Z"))
        #expect(earlier < later)
        #expect(!(later < earlier))
        #expect([later, earlier].sorted() == [earlier, later])
    }
}

extension Int64 {
    fileprivate func dividedRoundingDown(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
