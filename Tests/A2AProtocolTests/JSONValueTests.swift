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

@Suite("JSONValue", .timeLimit(.minutes(2)))
struct JSONValueTests {
    @Test("decodes every kind of JSON value")
    func decodesEveryKind() throws {
        let value = try JSONTesting.value(
            #"{"s": "text", "n": 1.5, "i": -3, "t": true, "f": false, "z": null, "a": [1, "x", null], "o": {"k": {}}, "e": []}"#
        )
        #expect(
            value
                == .object([
                    "s": .string("text"),
                    "n": .number(1.5),
                    "i": .number(-3),
                    "t": .bool(true),
                    "f": .bool(false),
                    "z": .null,
                    "a": .array([.number(1), .string("x"), .null]),
                    "o": .object(["k": .object([:])]),
                    "e": .array([]),
                ])
        )
    }

    @Test("booleans and numbers are not confused", arguments: [("true", JSONValue.bool(true)), ("1", .number(1)), ("0", .number(0))])
    func booleansAndNumbers(json: String, expected: JSONValue) throws {
        #expect(try JSONTesting.value(json) == expected)
    }

    @Test("strings that look like other values stay strings")
    func stringsStayStrings() throws {
        #expect(try JSONTesting.value(#"["true", "1", "null", "{}"]"#) == ["true", "1", "null", "{}"])
    }

    @Test("integral numbers are written without a fraction", arguments: [(JSONValue.number(1), "1"), (.number(-3), "-3"), (.number(0), "0")])
    func integralNumbersStayIntegers(value: JSONValue, expected: String) throws {
        #expect(try JSONTesting.encodedString(value) == expected)
    }

    @Test("1.0 in the input comes back as 1")
    func onePointZeroBecomesOne() throws {
        let value = try JSONTesting.value("[1.0, 2.50]")
        #expect(try JSONTesting.encodedString(value) == "[1,2.5]")
    }

    @Test("fractional numbers keep their fraction")
    func fractionalNumbers() throws {
        #expect(try JSONTesting.encodedString(JSONValue.number(0.25)) == "0.25")
        #expect(try JSONTesting.encodedString(JSONValue.number(-122.4194)) == "-122.4194")
    }

    @Test("large integers up to 2^53 survive a round trip exactly")
    func largeIntegers() throws {
        let json = "[9007199254740991,-9007199254740991,1234567890123]"
        let value = try JSONTesting.value(json)
        #expect(try JSONTesting.encodedString(value) == json)
    }

    @Test("nested values, nulls and unicode survive a round trip")
    func nestedRoundTrip() throws {
        let value: JSONValue = [
            "name": "Grüße 👋 \"quoted\" \\ /",
            "list": [1, 2.5, nil, true, ["deep": [[]]]],
            "empty": [:],
            "null": nil,
        ]
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == value)
    }

    @Test("random values survive encode then decode (seeded)")
    func randomRoundTrips() throws {
        var generator = SeededGenerator(seed: 0x4A53_4F4E)
        for _ in 0..<300 {
            let value = Self.randomValue(depth: 0, using: &generator)
            let data = try JSONEncoder().encode(value)
            let decoded = try JSONDecoder().decode(JSONValue.self, from: data)
            #expect(decoded == value, "\(String(decoding: data, as: UTF8.self))")
        }
    }

    @Test("literals build the matching cases")
    func literals() {
        let string: JSONValue = "a"
        let integer: JSONValue = 2
        let float: JSONValue = 2.5
        let bool: JSONValue = false
        let null: JSONValue = nil
        let array: JSONValue = [1, "b"]
        let object: JSONValue = ["k": 1, "k2": nil]
        #expect(string == .string("a"))
        #expect(integer == .number(2))
        #expect(float == .number(2.5))
        #expect(bool == .bool(false))
        #expect(null == .null)
        #expect(array == .array([.number(1), .string("b")]))
        #expect(object == .object(["k": .number(1), "k2": .null]))
    }

    @Test("accessors return the payload only for their own case")
    func accessors() {
        let object: JSONValue = ["a": "x", "b": 1, "c": true, "d": [1]]
        #expect(object["a"]?.stringValue == "x")
        #expect(object["b"]?.numberValue == 1)
        #expect(object["c"]?.boolValue == true)
        #expect(object["d"]?.arrayValue == [1])
        #expect(object.objectValue?.count == 4)
        #expect(object["missing"] == nil)
        #expect(object["a"]?.numberValue == nil)
        #expect(object["b"]?.stringValue == nil)
        #expect(object["c"]?.objectValue == nil)
        #expect(object["d"]?.boolValue == nil)
        #expect(JSONValue.string("x")["a"] == nil)
        #expect(JSONValue.null.arrayValue == nil)
    }

    // MARK: Helpers

    /// Integers and dyadic fractions only, so every number is exact in binary and in decimal.
    private static func randomValue(depth: Int, using generator: inout SeededGenerator) -> JSONValue {
        let leafOnly = depth >= 3
        switch Int.random(in: 0..<(leafOnly ? 5 : 7), using: &generator) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .number(Double(Int.random(in: -1_000_000...1_000_000, using: &generator)))
        case 3: return .number(Double(Int.random(in: -4096...4096, using: &generator)) / 64)
        case 4: return .string(randomString(using: &generator))
        case 5:
            return .array((0..<Int.random(in: 0...4, using: &generator)).map { _ in randomValue(depth: depth + 1, using: &generator) })
        default:
            var object: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &generator) {
                object[randomString(using: &generator)] = randomValue(depth: depth + 1, using: &generator)
            }
            return .object(object)
        }
    }

    private static func randomString(using generator: inout SeededGenerator) -> String {
        let alphabet = Array("abcXYZ019 _-\"\\/\n\té€😀")
        return String((0..<Int.random(in: 0...8, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
