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

@Suite("ServerSentEventParser")
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
}
