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
///
/// A parser made with limits never holds more than they allow: a line longer than
/// ``maximumLineBytes``, or an event whose data and current line together pass
/// ``maximumEventBytes``, stops it at once. It drops what it buffered, sets ``exceededLimit``
/// and ignores everything after; the events completed before the limit was passed are still
/// returned. A caller reading a peer it does not trust checks ``exceededLimit`` after every
/// ``consume(_:)`` and stops reading.
public struct ServerSentEventParser: Sendable {
    /// A limit that a stream went past.
    public enum Limit: Sendable, Hashable {
        /// A line (its field name and value, without the line end) longer than ``ServerSentEventParser/maximumLineBytes``.
        case lineLength
        /// An event whose data, with the line being read, is larger than ``ServerSentEventParser/maximumEventBytes``.
        case eventSize
    }

    /// The longest line accepted, in bytes, without its line end.
    public let maximumLineBytes: Int
    /// The largest event accepted: its data lines so far (joined with `\n`) plus the line being read, in bytes.
    public let maximumEventBytes: Int
    /// The limit the stream went past, once it did; the parser then ignores all further input.
    public private(set) var exceededLimit: Limit?

    private var line: [UInt8] = []
    private var lastWasCarriageReturn = false
    private var eventType: String?
    /// The event's data lines so far, joined with `\n`.
    private var data: [UInt8] = []
    private var sawData = false
    private var pendingID: String?
    private var pendingRetry: Int?
    private var atStreamStart = true
    /// The id of the last event seen, for `Last-Event-ID` on reconnect.
    public private(set) var lastEventID: String?

    /// A parser without limits, for streams from a peer that is trusted not to send endless lines.
    public init() {
        self.init(maximumLineBytes: .max, maximumEventBytes: .max)
    }

    /// A parser that stops at the first line or event larger than the limits.
    ///
    /// - Parameters:
    ///   - maximumLineBytes: the longest line accepted, in bytes, without its line end.
    ///   - maximumEventBytes: the largest event accepted: its data plus the line being read.
    public init(maximumLineBytes: Int, maximumEventBytes: Int) {
        self.maximumLineBytes = max(0, maximumLineBytes)
        self.maximumEventBytes = max(0, maximumEventBytes)
    }

    /// Consumes bytes and returns the events they completed.
    ///
    /// When the bytes pass a limit, returns the events completed before it and sets
    /// ``exceededLimit``; nothing after it is read, now or later.
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
        guard exceededLimit == nil else { return events }
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if lastWasCarriageReturn {
                lastWasCarriageReturn = false
                if byte == UInt8(ascii: "\n") {
                    index += 1
                    continue
                }
            }
            if byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") {
                atStreamStart = false
                lastWasCarriageReturn = byte == UInt8(ascii: "\r")
                if let event = endLine() { events.append(event) }
                index += 1
                continue
            }
            // The rest of the line in this chunk, appended at once: one bounds check per run of
            // bytes rather than per byte.
            var end = index + 1
            while end < bytes.endIndex, bytes[end] != UInt8(ascii: "\r"), bytes[end] != UInt8(ascii: "\n") {
                end += 1
            }
            guard append(UnsafeBufferPointer(rebasing: bytes[index..<end])) else { return events }
            index = end
        }
        return events
    }

    /// Flushes at end of stream. A trailing event without its blank line is discarded, as the spec says.
    ///
    /// The parser is then ready for the next connection's stream; only ``lastEventID`` carries over,
    /// for `Last-Event-ID`. A parser that went past a limit stays stopped (``exceededLimit`` is kept).
    public mutating func finish() -> [ServerSentEvent] {
        line.removeAll()
        lastWasCarriageReturn = false
        resetEvent()
        atStreamStart = true
        return []
    }

    /// The bytes the parser holds for the line and the event being read (the line's buffer
    /// counted by its capacity), for tests of its bounds.
    var bufferedBytes: Int { line.capacity + data.capacity }

    /// Adds a run of line bytes (no line end among them), unless that would pass a limit: then
    /// the parser stops and drops what it holds.
    private mutating func append(_ run: UnsafeBufferPointer<UInt8>) -> Bool {
        let length = line.count + run.count
        if length > maximumLineBytes || data.count + length > maximumEventBytes {
            exceededLimit = length > maximumLineBytes ? .lineLength : .eventSize
            line = []
            resetEvent()
            data = []
            return false
        }
        Self.reserve(length, in: &line, atMost: min(maximumLineBytes, maximumEventBytes - data.count))
        line.append(contentsOf: run)
        if atStreamStart { skipByteOrderMark() }
        return true
    }

    /// Grows `buffer` to hold `count` bytes, geometrically as an array does, but never past `limit`.
    private static func reserve(_ count: Int, in buffer: inout [UInt8], atMost limit: Int) {
        guard count > buffer.capacity else { return }
        buffer.reserveCapacity(min(max(count, buffer.capacity * 2), limit))
    }

    /// Drops a UTF-8 byte order mark at the very start of the stream, as the UTF-8 decode step of the spec does.
    private mutating func skipByteOrderMark() {
        let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
        if line.count >= byteOrderMark.count {
            if line.starts(with: byteOrderMark) { line.removeFirst(byteOrderMark.count) }
            atStreamStart = false
        } else if !byteOrderMark.starts(with: line) {
            atStreamStart = false
        }
    }

    private mutating func endLine() -> ServerSentEvent? {
        // A long line's buffer is given back; the usual short ones reuse theirs.
        defer { line.removeAll(keepingCapacity: line.capacity <= Self.keptCapacity) }
        if line.isEmpty {
            return dispatch()
        }
        if line.first == UInt8(ascii: ":") {
            return nil
        }
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
        var valueStart = colon
        if colon < line.endIndex {
            valueStart = line.index(after: colon)
            if valueStart < line.endIndex, line[valueStart] == UInt8(ascii: " ") {
                valueStart = line.index(after: valueStart)
            }
        }
        let field = line[..<colon]
        if field.elementsEqual("data".utf8) {
            // Within the event limit: the line that held the value also held `data`, at least 4
            // bytes more than the separator added here.
            let separator = sawData ? 1 : 0
            Self.reserve(data.count + separator + (line.endIndex - valueStart), in: &data, atMost: maximumEventBytes)
            if sawData { data.append(UInt8(ascii: "\n")) }
            data.append(contentsOf: line[valueStart...])
            sawData = true
            return nil
        }
        let value = String(decoding: line[valueStart...], as: UTF8.self)
        switch String(decoding: field, as: UTF8.self) {
        case "event":
            eventType = value
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
            break
        }
        return nil
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer { resetEvent() }
        guard sawData else { return nil }
        return ServerSentEvent(event: eventType, data: String(decoding: data, as: UTF8.self), id: pendingID ?? lastEventID, retry: pendingRetry)
    }

    private mutating func resetEvent() {
        eventType = nil
        data.removeAll(keepingCapacity: data.capacity <= Self.keptCapacity)
        sawData = false
        pendingID = nil
        pendingRetry = nil
    }

    /// The buffer capacity kept from one line (and one event) to the next.
    private static let keptCapacity = 64 << 10
}
