//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import CleverAgentsTestSupport
import Foundation
import Testing

@testable import A2AProtocol

@Suite("ServerSentEventParser", .timeLimit(.minutes(2)))
struct ServerSentEventParserTests {
    private static func parse(_ text: String) -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        return parser.consume(Array(text.utf8))
    }

    /// A stream using every feature, with multi-byte characters, written with LF line ends
    /// (the literal's last line break is not part of it, hence two empty lines at the end).
    static let stream = """
        : keep-alive comment

        data: {"result": {"task": {"id": "t1"}}}

        event: error
        id: 7
        retry: 1500
        data: first line
        data:second line, no space
        data:  two spaces keep one

        data: Grüße 👋


        """

    static let streamEvents = [
        ServerSentEvent(data: #"{"result": {"task": {"id": "t1"}}}"#),
        ServerSentEvent(event: "error", data: "first line\nsecond line, no space\n two spaces keep one", id: "7", retry: 1500),
        ServerSentEvent(data: "Grüße 👋", id: "7"),
    ]

    @Test("LF, CRLF and CR line endings give the same events", arguments: ["\n", "\r\n", "\r"])
    func lineEndings(lineEnd: String) {
        let text = Self.stream.replacingOccurrences(of: "\n", with: lineEnd)
        #expect(Self.parse(text) == Self.streamEvents)
    }

    @Test("mixed line endings in one stream")
    func mixedLineEndings() {
        #expect(Self.parse("data: a\r\ndata: b\rdata: c\n\r\n") == [ServerSentEvent(data: "a\nb\nc")])
    }

    @Test("split at every possible byte boundary, the events are the same", arguments: ["\n", "\r\n", "\r"])
    func everySplitPoint(lineEnd: String) {
        let bytes = Array(Self.stream.replacingOccurrences(of: "\n", with: lineEnd).utf8)
        for split in 0...bytes.count {
            var parser = ServerSentEventParser()
            let events = parser.consume(bytes[..<split]) + parser.consume(bytes[split...])
            #expect(events == Self.streamEvents, "split at \(split)")
        }
    }

    @Test("fed one byte at a time, and in random chunks (seeded), the events are the same")
    func chunked() {
        let bytes = Array(Self.stream.replacingOccurrences(of: "\n", with: "\r\n").utf8)
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for byte in bytes { events += parser.consume([byte]) }
        #expect(events == Self.streamEvents)

        var generator = SeededGenerator(seed: 7)
        for _ in 0..<200 {
            var parser = ServerSentEventParser()
            var events: [ServerSentEvent] = []
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + Int.random(in: 0...9, using: &generator))
                events += parser.consume(bytes[start..<end])
                start = end
            }
            #expect(events == Self.streamEvents)
        }
    }

    @Test("comments produce nothing and do not end an event")
    func comments() {
        #expect(Self.parse(": ping\n\n:\n\n") == [])
        #expect(Self.parse("data: a\n: note\ndata: b\n\n") == [ServerSentEvent(data: "a\nb")])
    }

    @Test("a block without data is not dispatched")
    func noData() {
        #expect(Self.parse("event: x\nretry: 5\n\n") == [])
        #expect(Self.parse("\n\n\n") == [])
    }

    @Test("empty data lines count: data alone, or data: with nothing after")
    func emptyData() {
        #expect(Self.parse("data\n\n") == [ServerSentEvent(data: "")])
        #expect(Self.parse("data:\n\n") == [ServerSentEvent(data: "")])
        #expect(Self.parse("data:\ndata:\n\n") == [ServerSentEvent(data: "\n")])
    }

    @Test("event type and retry apply to one event only")
    func perEventFields() {
        let events = Self.parse("event: a\nretry: 10\ndata: 1\n\ndata: 2\n\n")
        #expect(events == [ServerSentEvent(event: "a", data: "1", retry: 10), ServerSentEvent(data: "2")])
    }

    @Test("the last event id persists across events and is reported for reconnecting")
    func lastEventID() {
        var parser = ServerSentEventParser()
        #expect(parser.lastEventID == nil)
        let events = parser.consume(Array("id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n".utf8))
        #expect(events.map(\.id) == ["1", "1", "2"])
        #expect(parser.lastEventID == "2")
    }

    @Test("an id in a block without data still updates the last event id")
    func idWithoutData() {
        var parser = ServerSentEventParser()
        let events = parser.consume(Array("id: 5\n\ndata: x\n\n".utf8))
        #expect(events == [ServerSentEvent(data: "x", id: "5")])
        #expect(parser.lastEventID == "5")
    }

    @Test("an empty id resets the last event id to empty")
    func emptyID() {
        var parser = ServerSentEventParser()
        let events = parser.consume(Array("id: 1\ndata: a\n\nid\ndata: b\n\n".utf8))
        #expect(events.map(\.id) == ["1", ""])
        #expect(parser.lastEventID == "")
    }

    @Test("an id containing NUL is ignored")
    func idWithNul() {
        var parser = ServerSentEventParser()
        let events = parser.consume(Array("id: 1\ndata: a\n\nid: 2\u{0}x\ndata: b\n\n".utf8))
        #expect(events.map(\.id) == ["1", "1"])
        #expect(parser.lastEventID == "1")
    }

    @Test(
        "retry takes only ASCII digits",
        arguments: [
            ("retry: 2500", Int?.some(2500)), ("retry: -1", nil), ("retry: +5", nil), ("retry: 1.5", nil), ("retry: x", nil), ("retry:", nil),
        ]
    )
    func retry(line: String, expected: Int?) {
        #expect(Self.parse("\(line)\ndata: a\n\n").first?.retry == expected)
    }

    @Test("only one space after the colon is removed; unknown fields are ignored")
    func fieldSyntax() {
        #expect(Self.parse("data:   x\nfoo: bar\nDATA: y\n\n") == [ServerSentEvent(data: "  x")])
        #expect(Self.parse("event:type\ndata:x:y: z\n\n") == [ServerSentEvent(event: "type", data: "x:y: z")])
    }

    @Test("a final event without its blank line is discarded at the end of the stream")
    func unterminatedEvent() {
        var parser = ServerSentEventParser()
        #expect(parser.consume(Array("data: a\n\ndata: b\n".utf8)) == [ServerSentEvent(data: "a")])
        #expect(parser.finish() == [])
        #expect(parser.consume(Array("data: c\n\n".utf8)) == [ServerSentEvent(data: "c")])
    }

    @Test("after finish, the parser reads a new stream (a reconnect): only the last event id carries over")
    func reconnect() {
        var parser = ServerSentEventParser()
        // The first connection drops in the middle of an event, right after a CR.
        #expect(parser.consume(Array("id: 4\ndata: a\n\nevent: partial\nretry: 10\nid: 5\ndata: b\r".utf8)).map(\.data) == ["a"])
        #expect(parser.finish() == [])
        #expect(parser.lastEventID == "5")
        // The second stream starts with a byte order mark and an LF that must not be taken for the end of that CR.
        let events = parser.consume([0xEF, 0xBB, 0xBF] + Array("\ndata: c\n\n".utf8))
        #expect(events == [ServerSentEvent(data: "c", id: "5")])
    }

    @Test("a byte order mark at the start of the stream is skipped, even when split across chunks")
    func byteOrderMark() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("data: a\n\n".utf8)
        for split in 0...bytes.count {
            var parser = ServerSentEventParser()
            let events = parser.consume(bytes[..<split]) + parser.consume(bytes[split...])
            #expect(events == [ServerSentEvent(data: "a")], "split at \(split)")
        }
    }

    @Test("a byte order mark anywhere else is content")
    func laterByteOrderMark() {
        #expect(Self.parse("data: a\n\ndata: \u{FEFF}b\n\n") == [ServerSentEvent(data: "a"), ServerSentEvent(data: "\u{FEFF}b")])
        // A second mark at the start is not skipped: the line then starts with an unknown field.
        #expect(Self.parse("\u{FEFF}\u{FEFF}data: a\n\n") == [])
    }

    // MARK: Limits

    /// Feeds `bytes` in chunks of `size` bytes, collecting the events.
    private static func feed(_ parser: inout ServerSentEventParser, _ bytes: [UInt8], chunk size: Int) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + size)
            events += parser.consume(bytes[start..<end])
            start = end
        }
        return events
    }

    @Test("a line of exactly the line limit is read; one byte more stops the parser", arguments: ["\n", "\r\n", "\r"])
    func lineLimitBoundary(lineEnd: String) {
        let line = "data: " + String(repeating: "x", count: 26)
        var parser = ServerSentEventParser(maximumLineBytes: line.utf8.count, maximumEventBytes: 1 << 20)
        #expect(parser.consume(Array((line + lineEnd + lineEnd).utf8)) == [ServerSentEvent(data: String(repeating: "x", count: 26))])
        #expect(parser.exceededLimit == nil)

        var over = ServerSentEventParser(maximumLineBytes: line.utf8.count, maximumEventBytes: 1 << 20)
        #expect(over.consume(Array((line + "x" + lineEnd + lineEnd).utf8)) == [])
        #expect(over.exceededLimit == .lineLength)
    }

    @Test("a comment or any other field counts as a line too")
    func longCommentAndField() {
        for text in [": " + String(repeating: "c", count: 100) + "\n", "event: " + String(repeating: "e", count: 100) + "\n"] {
            var parser = ServerSentEventParser(maximumLineBytes: 64, maximumEventBytes: 1 << 20)
            #expect(parser.consume(Array(("data: a\n\n" + text + "data: b\n\n").utf8)) == [ServerSentEvent(data: "a")])
            #expect(parser.exceededLimit == .lineLength)
        }
    }

    @Test("the events completed before the limit are returned; nothing after it is read, not even after finish")
    func stopsForGood() {
        var parser = ServerSentEventParser(maximumLineBytes: 16, maximumEventBytes: 1 << 20)
        let events = parser.consume(Array("data: a\n\ndata: b\n\ndata: 0123456789abcdef\n\ndata: c\n\n".utf8))
        #expect(events == [ServerSentEvent(data: "a"), ServerSentEvent(data: "b")])
        #expect(parser.exceededLimit == .lineLength)
        #expect(parser.consume(Array("data: d\n\n".utf8)) == [])
        #expect(parser.finish() == [])
        #expect(parser.consume(Array("data: e\n\n".utf8)) == [])
        #expect(parser.exceededLimit == .lineLength)
    }

    @Test("data lines that each fit add up to an event over the event limit, counted with the line being read", arguments: ["\n", "\r\n", "\r"])
    func eventLimit(lineEnd: String) {
        // Two data lines of 10 bytes: the event's data is 21 bytes ("…\n…").
        let event = "data: 0123456789" + lineEnd + "data: 0123456789" + lineEnd + lineEnd
        // The second line is read while the event holds 10 bytes: 10 + 16 = 26 fits, 25 does not.
        var fits = ServerSentEventParser(maximumLineBytes: 16, maximumEventBytes: 26)
        #expect(fits.consume(Array(event.utf8)) == [ServerSentEvent(data: "0123456789\n0123456789")])
        #expect(fits.exceededLimit == nil)

        var over = ServerSentEventParser(maximumLineBytes: 16, maximumEventBytes: 25)
        #expect(over.consume(Array(("data: a" + lineEnd + lineEnd + event).utf8)) == [ServerSentEvent(data: "a")])
        #expect(over.exceededLimit == .eventSize)
    }

    @Test("the event limit starts again with each event")
    func eventLimitPerEvent() {
        var parser = ServerSentEventParser(maximumLineBytes: 64, maximumEventBytes: 64)
        let event = "data: " + String(repeating: "y", count: 50) + "\n\n"
        let events = parser.consume(Array(String(repeating: event, count: 1000).utf8))
        #expect(events.count == 1000)
        #expect(parser.exceededLimit == nil)
    }

    @Test("a limit is hit wherever the chunks split the stream", arguments: ["\n", "\r\n", "\r"])
    func limitAcrossChunks(lineEnd: String) {
        let long = "data: " + String(repeating: "x", count: 100)
        let bytes = Array(("data: a" + lineEnd + lineEnd + long + lineEnd + lineEnd + "data: b" + lineEnd + lineEnd).utf8)
        for split in 0...bytes.count {
            var parser = ServerSentEventParser(maximumLineBytes: 64, maximumEventBytes: 1 << 20)
            let events = parser.consume(bytes[..<split]) + parser.consume(bytes[split...])
            #expect(events == [ServerSentEvent(data: "a")], "split at \(split)")
            #expect(parser.exceededLimit == .lineLength, "split at \(split)")
        }
        for size in 1...9 {
            var parser = ServerSentEventParser(maximumLineBytes: 64, maximumEventBytes: 1 << 20)
            #expect(Self.feed(&parser, bytes, chunk: size) == [ServerSentEvent(data: "a")], "chunks of \(size)")
            #expect(parser.exceededLimit == .lineLength)
        }
    }

    @Test("a CR LF split across chunks at the limit is one line end, not a byte of the line")
    func lineEndAcrossChunksAtTheLimit() {
        let line = Array("data: 0123456789".utf8)
        var parser = ServerSentEventParser(maximumLineBytes: line.count, maximumEventBytes: 1 << 20)
        var events = parser.consume(line + [UInt8(ascii: "\r")])
        events += parser.consume([UInt8(ascii: "\n")] + Array("\r\n".utf8))
        #expect(events == [ServerSentEvent(data: "0123456789")])
        #expect(parser.exceededLimit == nil)
    }

    @Test("an endless line: the parser's buffers stay within the limit, and are dropped when it is passed")
    func endlessLineIsBounded() {
        let limit = 256 << 10
        var parser = ServerSentEventParser(maximumLineBytes: limit, maximumEventBytes: limit)
        #expect(parser.consume(Array("data: ".utf8)) == [])
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 4096)
        var fed = 6
        var largest = 0
        while parser.exceededLimit == nil, fed < 10 * limit {
            #expect(parser.consume(chunk) == [])
            fed += chunk.count
            largest = max(largest, parser.bufferedBytes)
        }
        #expect(parser.exceededLimit == .lineLength)
        // Stopped within one chunk of the limit, never holding much more than the limit.
        #expect(fed <= limit + chunk.count)
        #expect(largest >= limit / 2, "the line was buffered up to the limit")
        // (The allocator may round the last allocation up by a page or so.)
        #expect(largest <= limit + limit / 4, "buffers grew to \(largest) bytes")
        #expect(parser.bufferedBytes == 0)
        for _ in 0..<100 { _ = parser.consume(chunk) }
        #expect(parser.bufferedBytes == 0)
    }

    @Test("endless empty data lines: the event's buffer stays within the event limit")
    func endlessDataLinesAreBounded() {
        let limit = 64 << 10
        var parser = ServerSentEventParser(maximumLineBytes: limit, maximumEventBytes: limit)
        let chunk = Array(String(repeating: "data\r\n", count: 1000).utf8)
        var largest = 0
        var fed = 0
        while parser.exceededLimit == nil, fed < 100 * limit {
            #expect(parser.consume(chunk) == [])
            fed += chunk.count
            largest = max(largest, parser.bufferedBytes)
        }
        #expect(parser.exceededLimit == .eventSize)
        #expect(largest <= 2 * limit, "buffers grew to \(largest) bytes")
        #expect(parser.bufferedBytes == 0)
    }

    @Test("a long event's buffers are given back once it is dispatched")
    func longEventReleasesItsBuffers() {
        var parser = ServerSentEventParser(maximumLineBytes: 1 << 20, maximumEventBytes: 1 << 20)
        let events = parser.consume(Array(("data: " + String(repeating: "z", count: 500_000) + "\n").utf8))
        #expect(events.isEmpty)
        #expect(parser.bufferedBytes >= 500_000)
        #expect(parser.consume(Array("\n".utf8)).map(\.data.utf8.count) == [500_000])
        #expect(parser.bufferedBytes < 500_000)
    }

    @Test("with limits, a parser reads what one without reads, or stops: its events are then a prefix (random streams, seeded)")
    func limitsOnlyCut() {
        var generator = SeededGenerator(seed: 11)
        let pieces = [
            "data: ", "data:", "event: e", "id: 1", ": c", "retry: 5", "x", "yy", String(repeating: "z", count: 40), "\n", "\r\n", "\r", "\n\n",
        ]
        for _ in 0..<300 {
            var text = ""
            for _ in 0..<Int.random(in: 1...60, using: &generator) { text += pieces[Int.random(in: pieces.indices, using: &generator)] }
            let bytes = Array(text.utf8)
            var unbounded = ServerSentEventParser()
            let expected = unbounded.consume(bytes)
            var bounded = ServerSentEventParser(
                maximumLineBytes: Int.random(in: 1...80, using: &generator),
                maximumEventBytes: Int.random(in: 1...160, using: &generator)
            )
            let events = Self.feed(&bounded, bytes, chunk: Int.random(in: 1...16, using: &generator))
            if bounded.exceededLimit == nil {
                #expect(events == expected, "\(text.debugDescription)")
            } else {
                #expect(events.count <= expected.count && Array(expected.prefix(events.count)) == events, "\(text.debugDescription)")
            }
        }
    }
}
