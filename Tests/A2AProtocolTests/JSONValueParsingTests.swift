//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

@testable import A2AProtocol
import CleverAgentsTestSupport
import Foundation
import Testing

/// The JSON parser against Foundation: on random documents, and on random damage done to them,
/// both accept the same texts and read the same values.
@Suite(.timeLimit(.minutes(2))) struct JSONValueParsingTests {
    typealias Generator = A2AJSONWriterTests.Generator

    /// Foundation's reading of `bytes` as a `JSONValue`, or `nil` when it refuses them.
    static func foundation(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    static func ours(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONValue(parsing: bytes)
    }

    static func expectAgreement(_ bytes: [UInt8], _ comment: @autoclosure () -> String) {
        let expected = foundation(bytes)
        let parsed = ours(bytes)
        #expect(parsed == expected, "\(comment()): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
    }

    /// A document with whitespace where JSON allows it.
    static func spaced(_ bytes: [UInt8], using random: inout SeededGenerator) -> [UInt8] {
        var spaced: [UInt8] = []
        var inString = false
        var escaped = false
        for byte in bytes {
            if !inString, [UInt8(ascii: "{"), UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "[")].contains(byte) || !inString && Bool.random(using: &random) && byte == UInt8(ascii: "}") {
                spaced.append(contentsOf: [[], [0x20], [0x0A, 0x20, 0x20], [0x09], [0x0D, 0x0A]].randomElement(using: &random)!)
            }
            spaced.append(byte)
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            }
        }
        return spaced
    }

    @Test(arguments: 0..<4)
    func randomDocumentsReadAsFoundationReadsThem(batch: Int) throws {
        for index in 0..<300 {
            let seed = UInt64(50_000 + batch * 1000 + index)
            var generator = Generator(random: SeededGenerator(seed: seed))
            let value = generator.value()
            let compact = Array(try JSONEncoder().encode(value))
            let document = Self.spaced(compact, using: &generator.random)
            let parsed = try JSONValue(parsing: document)
            #expect(parsed == Self.foundation(document), "seed \(seed)")
            // The writer's output reads back as the value it wrote.
            #expect(try JSONValue(parsing: A2AJSONWriter.encode(value)) == Self.foundation(compact), "seed \(seed)")
        }
    }

    @Test(arguments: 0..<4)
    func damagedDocumentsAreRefusedOrReadAsFoundationDoes(batch: Int) throws {
        let damage: [[UInt8]] = [
            [], Array("\"".utf8), Array("\\".utf8), Array(",".utf8), Array("}".utf8), Array("]".utf8), Array("{".utf8), Array(":".utf8),
            Array("0".utf8), Array("-".utf8), Array(".".utf8), Array("e".utf8), Array("\\u".utf8), Array("\\ud800".utf8), [0x00], [0x1F],
            [0xFF], [0xC3], [0xE2, 0x82], Array("tru".utf8), Array("nul".utf8), Array(" ".utf8),
        ]
        for index in 0..<400 {
            let seed = UInt64(90_000 + batch * 1000 + index)
            var random = SeededGenerator(seed: seed)
            var generator = Generator(random: random)
            var document = Array(try JSONEncoder().encode(generator.value()))
            random = generator.random
            // One to three cuts, insertions or replacements.
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let at = Int.random(in: 0...document.count, using: &random)
                let patch = damage.randomElement(using: &random)!
                switch Int.random(in: 0..<3, using: &random) {
                case 0: document = Array(document[..<at])
                case 1: document.insert(contentsOf: patch, at: at)
                default: document.replaceSubrange(at..<min(document.count, at + patch.count), with: patch)
                }
            }
            Self.expectAgreement(document, "seed \(seed)")
        }
    }

    @Test(arguments: [
        "0", "-0", "12", "-12.5e3", "1E+2", "1e-2", "01", "-", "1.", ".5", "1e", "+1", "1e400", "-1e400", "2.5e-400", "123456789012345678901234567890",
        "\"\"", "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", "\"\\u00e9\\u65e5\"", "\"\\ud83d\\ude00\"", "\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83dx\"",
        "\"\\u12\"", "\"\\x\"", "\"a\u{1}b\"", "\"tab\there\"", "\"é😀\"",
        "true", "false", "null", "True", "nulls", "[]", "{}", "[1,]", "{\"a\":1,}", "[1 2]", "{\"a\" 1}", "{1:2}", "{\"a\":1,\"a\":2}",
        " \n\t\r[ 1 , {\"k\" : [ ] } ]\r\n ", "[", "{", "\"", "", " ", "[1]x", "{}{}", "[[[[[]]]]]", "[,]", "{,}", "[1,,2]", "{\"a\":1,,}", "[1, ]", "{\"a\":1 , }",
    ])
    func edgeCasesAgreeWithFoundation(text: String) {
        Self.expectAgreement(Array(text.utf8), "edge case")
    }

    @Test func aRepeatedKeysValueMustBeValidThoughFoundationSkipsIt() {
        let text = Array(#"{"a":"x","a":"\#u{1}"}"#.utf8)
        #expect(Self.foundation(text) == ["a": "x"])
        #expect(Self.ours(text) == nil)
        #expect(Self.ours(Array(#"{"a":"x","a":"y"}"#.utf8)) == ["a": "x"])
    }

    @Test(arguments: ["0e5", "0E5", "-0.0e-2", "0.00e10", "[0e5]"])
    func zerosWithAnExponentAreReadThoughJSONDecoderRefusesThem(text: String) throws {
        #expect(Self.foundation(Array(text.utf8)) == nil)
        #expect(try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) as? NSNull == nil)
        let value = try JSONValue(parsing: text)
        #expect(value == .number(0) || value == [0])
    }

    @Test func invalidUTF8IsRefusedLikeFoundationRefusesIt() {
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xE2, 0x82, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22]] {
            Self.expectAgreement(bytes, "invalid UTF-8")
            #expect(Self.ours(bytes) == nil)
        }
        #expect(Self.ours(Array(#"["ascii", "h\#u{E9}llo", "a\u00e9"]"#.utf8)) == ["ascii", "h\u{E9}llo", "a\u{E9}"], "valid strings with and without non-ASCII bytes")
    }

    @Test func nestingBeyondTheLimitIsRefused() throws {
        let deep = String(repeating: "[", count: JSONValue.maximumParsingDepth) + String(repeating: "]", count: JSONValue.maximumParsingDepth)
        #expect(throws: Never.self) { try JSONValue(parsing: deep) }
        let deeper = "[" + deep + "]"
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: deeper) }
    }

    @Test func errorsSayWhereAndWhy() {
        do {
            _ = try JSONValue(parsing: #"{"a": tru}"#)
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == 6)
            #expect(error.description == "Invalid JSON at byte 6: invalid literal")
        }
    }

    @Test func aNonContiguousCollectionParsesToo() throws {
        let bytes = Array(#"{"a":[1,"b"]}"#.utf8)
        #expect(try JSONValue(parsing: bytes.lazy.map { $0 }) == ["a": [1, "b"]])
    }
}
