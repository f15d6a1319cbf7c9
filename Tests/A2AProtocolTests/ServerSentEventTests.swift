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

@Suite("ServerSentEvent", .timeLimit(.minutes(2)))
struct ServerSentEventTests {
    private static func parse(_ text: String) -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        return parser.consume(Array(text.utf8))
    }

    @Test("a data-only event is one data line and a blank line")
    func dataOnly() {
        #expect(ServerSentEvent(data: #"{"a":1}"#).encoded == "data: {\"a\":1}\n\n")
        #expect(ServerSentEvent(data: "").encoded == "data: \n\n")
    }

    @Test("id, event and retry come before the data lines")
    func allFields() {
        let event = ServerSentEvent(event: "error", data: "x", id: "3", retry: 100)
        #expect(event.encoded == "id: 3\nevent: error\nretry: 100\ndata: x\n\n")
    }

    @Test("multi-line data becomes one data line per line")
    func multiLine() {
        #expect(ServerSentEvent(data: "a\nb\n").encoded == "data: a\ndata: b\ndata: \n\n")
    }

    @Test("CR and CRLF inside data also start new data lines, so no bogus field can appear")
    func carriageReturns() {
        let event = ServerSentEvent(data: "a\r\nb\rid: 9")
        #expect(event.encoded == "data: a\ndata: b\ndata: id: 9\n\n")
        var parser = ServerSentEventParser()
        #expect(parser.consume(Array(event.encoded.utf8)) == [ServerSentEvent(data: "a\nb\nid: 9")])
        #expect(parser.lastEventID == nil)
    }

    @Test("the encoded form never starts with a byte order mark")
    func noByteOrderMark() {
        #expect(ServerSentEvent(data: "x").encoded.utf8.first == UInt8(ascii: "d"))
        #expect(!ServerSentEvent.comment("k").utf8.starts(with: [0xEF, 0xBB, 0xBF]))
    }

    @Test("frame(data:into:) writes data: payload and a blank line, appending")
    func frame() {
        var buffer = Array("x".utf8)
        ServerSentEvent.frame(data: Array(#"{"id":1}"#.utf8), into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "xdata: {\"id\":1}\n\n")
        #expect(Self.parse(String(decoding: buffer.dropFirst(), as: UTF8.self)) == [ServerSentEvent(data: #"{"id":1}"#)])
    }

    @Test("a comment is ignored by the parser")
    func comment() {
        #expect(ServerSentEvent.comment("keep-alive") == ": keep-alive\n\n")
        #expect(Self.parse(ServerSentEvent.comment("keep-alive")) == [])
    }

    @Test(
        "encoded events round-trip through the parser",
        arguments: [
            ServerSentEvent(data: "plain"), ServerSentEvent(data: ""), ServerSentEvent(data: "\n"), ServerSentEvent(data: " leading space"),
            ServerSentEvent(data: ": not a comment"), ServerSentEvent(event: "error", data: "e", id: "abc", retry: 0),
            ServerSentEvent(data: "multi\nline\n\ndata", id: ""), ServerSentEvent(data: "日本語 🎉"),
        ]
    )
    func roundTrip(event: ServerSentEvent) {
        #expect(Self.parse(event.encoded) == [event])
    }

    @Test("random events round-trip through the parser (seeded)")
    func randomRoundTrip() {
        var generator = SeededGenerator(seed: 0x5353_45)
        let alphabet = Array("ab :é😀\n")
        func text(_ allowNewlines: Bool) -> String {
            let characters = (0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            return String(allowNewlines ? characters : characters.filter { $0 != "\n" })
        }
        for _ in 0..<500 {
            let event = ServerSentEvent(
                event: Bool.random(using: &generator) ? "t" + text(false) : nil,
                data: text(true),
                id: Bool.random(using: &generator) ? text(false).replacingOccurrences(of: " ", with: "") : nil,
                retry: Bool.random(using: &generator) ? Int.random(in: 0...100_000, using: &generator) : nil
            )
            #expect(Self.parse(event.encoded) == [event], "\(event)")
        }
    }
}
