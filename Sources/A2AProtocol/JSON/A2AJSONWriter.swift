//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation

/// A value the specialised writer can write as JSON.
///
/// Conforming types write exactly the members their `Encodable` conformance encodes, with the
/// same values; only the order of the members may differ (JSON objects are unordered).
public protocol A2AJSONWritable {
    func write(to writer: inout A2AJSONWriter) throws
}

/// Writes JSON for the A2A types on the hot paths (tasks, messages, stream events and their
/// JSON-RPC envelopes), producing what ``A2AJSON/makeEncoder()`` produces several times faster:
/// no `Encoder` containers, no boxing, one growing byte buffer.
///
/// The output equals `JSONEncoder`'s up to member order and number spelling (a number is written
/// in Swift's shortest form that reads back as the same `Double`); the tests compare the two on
/// random values.
public struct A2AJSONWriter: Sendable {
    /// The JSON written so far.
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 1024) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// The JSON of `value`.
    public static func encode(_ value: some A2AJSONWritable, capacity: Int = 1024) throws -> [UInt8] {
        var writer = A2AJSONWriter(capacity: capacity)
        try value.write(to: &writer)
        return writer.bytes
    }

    // MARK: Structure

    /// Writes an object: `members` writes its members with ``member(_:_:)`` and friends.
    public mutating func object(_ members: (inout ObjectWriter) throws -> Void) rethrows {
        bytes.append(UInt8(ascii: "{"))
        // The buffer moves into the object writer and back (swaps, not copies): it stays unique.
        var object = ObjectWriter(writer: A2AJSONWriter(capacity: 0))
        swap(&self, &object.writer)
        defer {
            swap(&self, &object.writer)
            bytes.append(UInt8(ascii: "}"))
        }
        try members(&object)
    }

    /// Writes an array of writable values.
    public mutating func array<Element: A2AJSONWritable>(_ elements: some Sequence<Element>) throws {
        bytes.append(UInt8(ascii: "["))
        var first = true
        for element in elements {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            try element.write(to: &self)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes an array of strings.
    public mutating func array(_ strings: [String]) {
        bytes.append(UInt8(ascii: "["))
        for (index, string) in strings.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            self.string(string)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Appends JSON that is already written (a constant, or another writer's output).
    public mutating func raw(_ json: some Sequence<UInt8>) {
        bytes.append(contentsOf: json)
    }

    // MARK: Scalars

    public mutating func null() {
        bytes.append(contentsOf: Self.nullLiteral)
    }

    public mutating func bool(_ value: Bool) {
        bytes.append(contentsOf: value ? Self.trueLiteral : Self.falseLiteral)
    }

    public mutating func integer(_ value: Int64) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Writes a number; like `JSONEncoder`, refuses infinities and NaN.
    public mutating func number(_ value: Double) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, EncodingError.Context(codingPath: [], debugDescription: "Unable to encode \(value) directly in JSON."))
        }
        bytes.append(contentsOf: value.description.utf8)
    }

    /// Writes a string, escaping what JSON requires (quote, backslash, control characters) and
    /// nothing else: `/` and non-ASCII characters are written as they are.
    public mutating func string(_ value: String) {
        Self.appendQuoted(value, to: &bytes)
    }

    /// Appends `value` as a JSON string to `output`: the package's one string escaper (the log
    /// handler and the LangGraph emulator write their strings with it too).
    ///
    /// Escapes the quote, the backslash and the control characters (`\b \f \n \r \t`, others as
    /// `\u00XX`). With `escapingNonASCII`, everything above `~` is written as `\uXXXX` too (a
    /// UTF-16 surrogate pair above the Basic Multilingual Plane), as Python's `json.dumps` does.
    package static func appendQuoted(_ value: String, to output: inout [UInt8], escapingNonASCII: Bool = false) {
        output.append(UInt8(ascii: "\""))
        if escapingNonASCII {
            for scalar in value.unicodeScalars {
                if scalar.isASCII, scalar.value != 0x7F {
                    let byte = UInt8(scalar.value)
                    if needsEscaping(byte) { appendEscaped(byte, to: &output) } else { output.append(byte) }
                } else {
                    for unit in scalar.utf16 {
                        output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u")])
                        for shift in stride(from: 12, through: 0, by: -4) { output.append(hexDigits[Int((unit >> UInt16(shift)) & 0xF)]) }
                    }
                }
            }
        } else {
            var value = value
            value.withUTF8 { utf8 in
                var start = 0
                for index in utf8.indices where needsEscaping(utf8[index]) {
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                    appendEscaped(utf8[index], to: &output)
                    start = index + 1
                }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// What JSON requires escaped: the quote, the backslash and the control characters.
    private static func needsEscaping(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private static func appendEscaped(_ byte: UInt8, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""): output.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\"))
        case 0x08: output.append(UInt8(ascii: "b"))
        case 0x0C: output.append(UInt8(ascii: "f"))
        case 0x0A: output.append(UInt8(ascii: "n"))
        case 0x0D: output.append(UInt8(ascii: "r"))
        case 0x09: output.append(UInt8(ascii: "t"))
        default:
            output.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]])
        }
    }

    private static let nullLiteral = Array("null".utf8)
    private static let trueLiteral = Array("true".utf8)
    private static let falseLiteral = Array("false".utf8)
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Writes the members of one object.
    public struct ObjectWriter {
        fileprivate var writer: A2AJSONWriter
        private var empty = true

        fileprivate init(writer: A2AJSONWriter) {
            self.writer = writer
        }

        private mutating func key(_ key: StaticString) {
            if !empty { writer.bytes.append(UInt8(ascii: ",")) }
            empty = false
            writer.bytes.append(UInt8(ascii: "\""))
            key.withUTF8Buffer { writer.bytes.append(contentsOf: $0) }
            writer.bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        }

        /// A member whose key needs no escaping (the keys of the wire format).
        public mutating func member(_ key: StaticString, _ value: some A2AJSONWritable) throws {
            self.key(key)
            try value.write(to: &writer)
        }

        /// A member written only when `value` is not `nil`, like `encodeIfPresent`.
        public mutating func member(_ key: StaticString, ifPresent value: (some A2AJSONWritable)?) throws {
            guard let value else { return }
            try member(key, value)
        }

        public mutating func member(_ key: StaticString, _ value: String) {
            self.key(key)
            writer.string(value)
        }

        public mutating func member(_ key: StaticString, ifPresent value: String?) {
            guard let value else { return }
            member(key, value)
        }

        public mutating func member(_ key: StaticString, _ value: Bool) {
            self.key(key)
            writer.bool(value)
        }

        /// A member of an array of values.
        public mutating func member<Element: A2AJSONWritable>(_ key: StaticString, array: [Element]) throws {
            self.key(key)
            try writer.array(array)
        }

        public mutating func member(_ key: StaticString, strings: [String]) {
            self.key(key)
            writer.array(strings)
        }

        /// A member whose key is any string (an object's dynamic keys), escaped as needed.
        public mutating func member(dynamicKey key: String, _ value: some A2AJSONWritable) throws {
            if !empty { writer.bytes.append(UInt8(ascii: ",")) }
            empty = false
            writer.string(key)
            writer.bytes.append(UInt8(ascii: ":"))
            try value.write(to: &writer)
        }
    }
}

extension Array: A2AJSONWritable where Element: A2AJSONWritable {
    public func write(to writer: inout A2AJSONWriter) throws {
        try writer.array(self)
    }
}

extension Dictionary: A2AJSONWritable where Key == String, Value: A2AJSONWritable {
    public func write(to writer: inout A2AJSONWriter) throws {
        try writer.object { object in
            for (key, value) in self {
                try object.member(dynamicKey: key, value)
            }
        }
    }
}
