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

/// The specialised writer against Foundation: on thousands of random values, the two write the
/// same JSON (compared as parsed values: member order and number spelling may differ), and what
/// the writer writes decodes back to the value.
@Suite(.timeLimit(.minutes(2))) struct A2AJSONWriterTests {
    /// Random A2A values, with the strings and numbers that JSON writers get wrong.
    struct Generator {
        var random: SeededGenerator

        static let fragments = [
            "a", "hello", "\"", "\\", "/", "\n", "\r", "\t", "\u{8}", "\u{c}", "\u{0}", "\u{1}", "\u{1f}", "\u{7f}", "é", "ß", "日本",
            "😀", "\u{2028}", "\u{2029}", "\u{feff}", " ", "</script>", "text/plain", "a\"b\\c", "{}", "[]", "null",
        ]
        static let numbers: [Double] = [
            0, -0.0, 1, -1, 0.5, -2.25, 3.141592653589793, 1e-7, 1e21, -1e300, 5e-324, 9_007_199_254_740_991, 9_007_199_254_740_993,
            123_456_789_012, 0.1 + 0.2, Double.greatestFiniteMagnitude, -Double.leastNormalMagnitude,
        ]

        mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }

        mutating func string(maxFragments: Int = 4) -> String {
            (0..<Int.random(in: 0...maxFragments, using: &random)).map { _ in Self.fragments.randomElement(using: &random)! }.joined()
        }

        mutating func number() -> Double {
            chance(50) ? Self.numbers.randomElement(using: &random)! : Double.random(in: -1e6...1e6, using: &random)
        }

        mutating func value(depth: Int = 0) -> JSONValue {
            switch Int.random(in: 0..<(depth > 2 ? 4 : 6), using: &random) {
            case 0: return .null
            case 1: return .bool(chance(50))
            case 2: return .number(number())
            case 3: return .string(string())
            case 4: return .array((0..<Int.random(in: 0...3, using: &random)).map { _ in value(depth: depth + 1) })
            default: return .object(object(depth: depth + 1))
            }
        }

        mutating func object(depth: Int = 0) -> JSONObject {
            var object: JSONObject = [:]
            for _ in 0..<Int.random(in: 0...3, using: &random) { object[string(maxFragments: 2)] = value(depth: depth) }
            return object
        }

        mutating func metadata() -> JSONObject? { chance(40) ? object() : nil }

        mutating func optionalString() -> String? { chance(50) ? string() : nil }

        mutating func part() -> Part {
            let content: Part.Content
            switch Int.random(in: 0..<4, using: &random) {
            case 0: content = .text(string())
            case 1: content = .raw(Data((0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }))
            case 2: content = .url("https://example.com/" + string())
            default: content = .data(value())
            }
            return Part(content, metadata: metadata(), filename: optionalString(), mediaType: chance(30) ? "text/plain" : nil)
        }

        mutating func message() -> Message {
            Message(
                messageId: string() + "m", contextId: optionalString(), taskId: optionalString(), role: chance(50) ? .user : .agent,
                parts: (0..<Int.random(in: 1...3, using: &random)).map { _ in part() }, metadata: metadata(),
                extensions: chance(20) ? [string(), "https://ext.example/v1"] : [], referenceTaskIds: chance(20) ? [string()] : []
            )
        }

        mutating func artifact() -> Artifact {
            Artifact(
                artifactId: string() + "a", name: optionalString(), description: optionalString(),
                parts: (0..<Int.random(in: 1...3, using: &random)).map { _ in part() }, metadata: metadata(),
                extensions: chance(20) ? [string()] : []
            )
        }

        mutating func status() -> TaskStatus {
            TaskStatus(
                state: TaskState.allCases.randomElement(using: &random)!, message: chance(40) ? message() : nil,
                timestamp: chance(70) ? A2ATimestamp(millisecondsSinceEpoch: Int64.random(in: 0...4_102_444_800_000, using: &random)) : nil
            )
        }

        mutating func task() -> A2ATask {
            A2ATask(
                id: string() + "t", contextId: string() + "c", status: status(),
                artifacts: chance(20) ? nil : (0..<Int.random(in: 0...2, using: &random)).map { _ in artifact() },
                history: (0..<Int.random(in: 0...3, using: &random)).map { _ in message() }, metadata: metadata()
            )
        }

        mutating func event() -> StreamResponse {
            switch Int.random(in: 0..<4, using: &random) {
            case 0: return .task(task())
            case 1: return .message(message())
            case 2: return .statusUpdate(TaskStatusUpdateEvent(taskId: string(), contextId: string(), status: status(), metadata: metadata()))
            default:
                return .artifactUpdate(
                    TaskArtifactUpdateEvent(taskId: string(), contextId: string(), artifact: artifact(), append: chance(50), lastChunk: chance(50), metadata: metadata())
                )
            }
        }

        mutating func id() -> JSONRPCID {
            switch Int.random(in: 0..<3, using: &random) {
            case 0: return .string(string())
            case 1: return .number(Int64.random(in: Int64.min...Int64.max, using: &random))
            default: return .null
            }
        }
    }

    /// The writer's JSON, checked against Foundation's.
    @discardableResult
    static func expectSameJSON(_ value: some A2AJSONWritable & Encodable, seed: UInt64) throws -> [UInt8] {
        let written = try A2AJSONWriter.encode(value)
        let foundation = try A2AJSON.makeEncoder().encode(value)
        let decoder = JSONDecoder()
        let writtenTree = try decoder.decode(JSONValue.self, from: Data(written))
        let foundationTree = try decoder.decode(JSONValue.self, from: foundation)
        #expect(writtenTree == foundationTree, "seed \(seed): \(String(decoding: written, as: UTF8.self)) vs \(String(decoding: foundation, as: UTF8.self))")
        return written
    }

    /// The writer's JSON, checked against Foundation's, and decoding to what Foundation's does
    /// (decoding normalises a few values, an empty `artifacts` list say, for both alike).
    static func expectSameJSONRoundTrip<Value: A2AJSONWritable & Codable & Equatable>(_ value: Value, seed: UInt64) throws {
        let written = try expectSameJSON(value, seed: seed)
        let decoder = JSONDecoder()
        let viaFoundation = try decoder.decode(Value.self, from: try A2AJSON.makeEncoder().encode(value))
        #expect(try decoder.decode(Value.self, from: Data(written)) == viaFoundation, "seed \(seed)")
    }

    @Test(arguments: 0..<8)
    func randomValuesAreWrittenAsFoundationWritesThem(batch: Int) throws {
        for index in 0..<250 {
            let seed = UInt64(batch * 1000 + index)
            var generator = Generator(random: SeededGenerator(seed: seed))
            try Self.expectSameJSONRoundTrip(generator.task(), seed: seed)
            try Self.expectSameJSONRoundTrip(generator.event(), seed: seed)
            try Self.expectSameJSON(JSONRPCResultResponse(id: generator.id(), result: generator.event()), seed: seed)
            let reply: SendMessageResponse = generator.chance(50) ? .task(generator.task()) : .message(generator.message())
            try Self.expectSameJSON(JSONRPCResultResponse(id: generator.id(), result: reply), seed: seed)
        }
    }

    @Test func stringsEscapeOnlyWhatJSONRequires() throws {
        let written = String(decoding: try A2AJSONWriter.encode("a\"b\\c/d\n\u{1}é😀"), as: UTF8.self)
        #expect(written == #""a\"b\\c/d\n\u0001é😀""#)
    }

    @Test func escapingNonASCIIWritesWhatPythonsJSONDumpsWrites() {
        // The spelling is Python's: `json.dumps("a\"b\\c/d\n\x01\x7f\u00e9\U0001F600\b\f\t\r")`.
        var output: [UInt8] = []
        A2AJSONWriter.appendQuoted("a\"b\\c/d\n\u{1}\u{7F}é😀\u{8}\u{C}\t\r", to: &output, escapingNonASCII: true)
        #expect(String(decoding: output, as: UTF8.self) == #""a\"b\\c/d\n\u0001\u007f\u00e9\ud83d\ude00\b\f\t\r""#)
        output = []
        A2AJSONWriter.appendQuoted("a\"b\\c/d\n\u{1}\u{7F}é😀", to: &output)
        #expect(String(decoding: output, as: UTF8.self) == #""a\"b\\c/d\n\u0001"# + "\u{7F}é😀\"", "DEL and non-ASCII stay as they are")
    }

    @Test func integralNumbersHaveNoFraction() throws {
        #expect(String(decoding: try A2AJSONWriter.encode(JSONValue.number(3)), as: UTF8.self) == "3")
        #expect(String(decoding: try A2AJSONWriter.encode(JSONValue.number(-0.0)), as: UTF8.self) == "0")
        #expect(String(decoding: try A2AJSONWriter.encode(JSONValue.number(2.5)), as: UTF8.self) == "2.5")
    }

    @Test func nonFiniteNumbersAreRefusedLikeFoundationRefusesThem() {
        for value in [Double.nan, .infinity, -.infinity] {
            #expect(throws: EncodingError.self) { try A2AJSONWriter.encode(JSONValue.number(value)) }
            #expect(throws: EncodingError.self) { try A2AJSON.makeEncoder().encode(JSONValue.number(value)) }
        }
    }
}
