//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol

/// Writes JSON without Foundation's encoder: the emulator encodes a few events per run, and at
/// thousands of runs per second `JSONEncoder`'s generic machinery would be most of its cost.
public enum JSONWriter {
    /// Compact JSON, as the LangGraph server writes it (no spaces, UTF-8 kept as it is).
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        write(value, into: &output)
        return output
    }

    /// Compact JSON as a string.
    public static func string(_ value: JSONValue) -> String {
        String(decoding: bytes(value), as: UTF8.self)
    }

    public static func write(_ value: JSONValue, into output: inout [UInt8]) {
        switch value {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let flag):
            output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number):
            writeNumber(number, into: &output)
        case .string(let text):
            A2AJSONWriter.appendQuoted(text, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                write(element, into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            var first = true
            for key in object.keys.sorted() {
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                A2AJSONWriter.appendQuoted(key, to: &output)
                output.append(UInt8(ascii: ":"))
                write(object[key]!, into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    static func writeNumber(_ number: Double, into output: inout [UInt8]) {
        if number.rounded(.towardZero) == number, abs(number) < 9_007_199_254_740_992 {
            output.append(contentsOf: String(Int64(number)).utf8)
        } else if number.isFinite {
            output.append(contentsOf: "\(number)".utf8)
        } else {
            output.append(contentsOf: "null".utf8)
        }
    }

    /// What Python's `json.dumps(value, sort_keys=True)` writes (`, ` and `: ` separators,
    /// non-ASCII escaped): the test graphs render non-string answers this way.
    public static func python(_ value: JSONValue) -> String {
        var output: [UInt8] = []
        writePython(value, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    private static func writePython(_ value: JSONValue, into output: inout [UInt8]) {
        switch value {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let flag):
            output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number):
            writeNumber(number, into: &output)
        case .string(let text):
            A2AJSONWriter.appendQuoted(text, to: &output, escapingNonASCII: true)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(contentsOf: ", ".utf8) }
                writePython(element, into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            for (index, key) in object.keys.sorted().enumerated() {
                if index > 0 { output.append(contentsOf: ", ".utf8) }
                A2AJSONWriter.appendQuoted(key, to: &output, escapingNonASCII: true)
                output.append(contentsOf: ": ".utf8)
                writePython(object[key]!, into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }
}
