//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// One Server-Sent Event.
public struct ServerSentEvent: Sendable, Hashable {
    /// The `event:` field; `nil` means the default `message` type.
    public var event: String?
    /// The `data:` payload; multi-line data is joined with `\n`.
    public var data: String
    /// The `id:` field, used to resume with `Last-Event-ID`.
    public var id: String?
    /// The `retry:` field in milliseconds.
    public var retry: Int?

    public init(event: String? = nil, data: String, id: String? = nil, retry: Int? = nil) {
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry
    }

    /// The event in wire form, ending with the blank line that dispatches it.
    public var encoded: String {
        var output = ""
        if let id { output += "id: \(id)\n" }
        if let event { output += "event: \(event)\n" }
        if let retry { output += "retry: \(retry)\n" }
        // A reader ends a line at CR, LF or CRLF alike, so every one of them starts a new data line;
        // a bare CR left inside a line would otherwise split it into a bogus field.
        for line in data.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            output += "data: \(line)\n"
        }
        output += "\n"
        return output
    }

    /// Writes `data: <payload>\n\n` for a single-line payload (such as compact JSON) without copies.
    public static func frame(data payload: some Collection<UInt8>, into buffer: inout [UInt8]) {
        buffer.append(contentsOf: "data: ".utf8)
        buffer.append(contentsOf: payload)
        buffer.append(contentsOf: "\n\n".utf8)
    }

    /// A comment line, used as a keep-alive; clients ignore it.
    public static func comment(_ text: String) -> String {
        ": \(text)\n\n"
    }
}

/// Incremental Server-Sent Events parser (WHATWG HTML §9.2.6), fed with arbitrary byte chunks.
///
/// Accepts `\r\n`, `\n` and `\r` line endings, skips a leading byte order mark, ignores comment
/// lines, and keeps the last event id.
public struct ServerSentEventParser: Sendable {
    private var line: [UInt8] = []
    private var lastWasCarriageReturn = false
    private var eventType: String?
    private var dataLines: [String] = []
    private var sawData = false
    private var pendingID: String?
    private var pendingRetry: Int?
    private var atStreamStart = true
    /// The id of the last event seen, for `Last-Event-ID` on reconnect.
    public private(set) var lastEventID: String?

    public init() {}

    /// Consumes bytes and returns the events they completed.
    ///
    /// Inlinable, so that the caller's sequence type is known where it is read: iterated through
    /// the generic entry point from another module, a byte sequence cost an allocation per byte.
    @inlinable
    public mutating func consume(_ bytes: some Sequence<UInt8>) -> [ServerSentEvent] {
        if let events = bytes.withContiguousStorageIfAvailable({ consumeContiguous($0) }) {
            return events
        }
        return Array(bytes).withUnsafeBufferPointer { consumeContiguous($0) }
    }

    @usableFromInline
    mutating func consumeContiguous(_ bytes: UnsafeBufferPointer<UInt8>) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if lastWasCarriageReturn {
                lastWasCarriageReturn = false
                if byte == UInt8(ascii: "\n") { continue }
            }
            switch byte {
            case UInt8(ascii: "\r"):
                atStreamStart = false
                lastWasCarriageReturn = true
                if let event = endLine() { events.append(event) }
            case UInt8(ascii: "\n"):
                atStreamStart = false
                if let event = endLine() { events.append(event) }
            default:
                line.append(byte)
                if atStreamStart { skipByteOrderMark() }
            }
        }
        return events
    }

    /// Flushes at end of stream. A trailing event without its blank line is discarded, as the spec says.
    ///
    /// The parser is then ready for the next connection's stream; only ``lastEventID`` carries over,
    /// for `Last-Event-ID`.
    public mutating func finish() -> [ServerSentEvent] {
        line.removeAll()
        lastWasCarriageReturn = false
        eventType = nil
        dataLines.removeAll()
        sawData = false
        pendingID = nil
        pendingRetry = nil
        atStreamStart = true
        return []
    }

    /// Drops a UTF-8 byte order mark at the very start of the stream, as the UTF-8 decode step of the spec does.
    private mutating func skipByteOrderMark() {
        let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
        if line == byteOrderMark {
            line.removeAll(keepingCapacity: true)
            atStreamStart = false
        } else if !byteOrderMark.starts(with: line) {
            atStreamStart = false
        }
    }

    private mutating func endLine() -> ServerSentEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            return dispatch()
        }
        if line.first == UInt8(ascii: ":") {
            return nil
        }
        let field: String
        var value: String
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            field = String(decoding: line[..<colon], as: UTF8.self)
            var valueStart = line.index(after: colon)
            if valueStart < line.endIndex, line[valueStart] == UInt8(ascii: " ") {
                valueStart = line.index(after: valueStart)
            }
            value = String(decoding: line[valueStart...], as: UTF8.self)
        } else {
            field = String(decoding: line, as: UTF8.self)
            value = ""
        }
        switch field {
        case "event":
            eventType = value
        case "data":
            dataLines.append(value)
            sawData = true
        case "id":
            if !value.contains("\0") {
                pendingID = value
                lastEventID = value
            }
        case "retry":
            // Only ASCII digits count; `Int` alone would also take "+5" and "-1".
            if !value.isEmpty, value.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }), let retry = Int(value) {
                pendingRetry = retry
            }
        default:
            value = ""
        }
        return nil
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            eventType = nil
            dataLines.removeAll()
            sawData = false
            pendingID = nil
            pendingRetry = nil
        }
        guard sawData else { return nil }
        return ServerSentEvent(event: eventType, data: dataLines.joined(separator: "\n"), id: pendingID ?? lastEventID, retry: pendingRetry)
    }
}
