//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import Foundation
public import Logging
import Synchronization

/// Writes each log record as one JSON object per line (to standard error), for log collectors.
///
/// Fields: `ts` (RFC 3339 UTC), `level`, `msg`, `logger`, then the metadata. Secrets never
/// reach a log record: the code that logs redacts them.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let output: OutputSink

    public init(label: String, level: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.output = .standardErrorJSON
    }

    init(label: String, level: Logger.Level, output: OutputSink) {
        self.label = label
        self.logLevel = level
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merged(with: metadataProvider, event)
        var line = "{\"ts\":\"\(Self.timestamp())\",\"level\":\"\(event.level.rawValue)\",\"msg\":\(Self.quote("\(event.message)")),\"logger\":\(Self.quote(label))"
        for key in merged.keys.sorted() {
            line += ",\(Self.quote(key)):\(Self.render(merged[key]!))"
        }
        line += ",\"source\":\(Self.quote("\(event.file.split(separator: "/").last ?? ""):\(event.line)"))}\n"
        output.write(line, urgent: event.level >= .error)
    }

    static func render(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let string): return quote(string)
        case .stringConvertible(let convertible): return quote(convertible.description)
        case .array(let array): return "[" + array.map(render).joined(separator: ",") + "]"
        case .dictionary(let dictionary):
            return "{" + dictionary.keys.sorted().map { "\(quote($0)):\(render(dictionary[$0]!))" }.joined(separator: ",") + "}"
        }
    }

    static func quote(_ string: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(string.utf8.count + 2)
        A2AJSONWriter.appendQuoted(string, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// The current time in RFC 3339 UTC with milliseconds (`2026-12-06T18:52:20.123Z`).
    static func timestamp() -> String {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return timestamp(seconds: time_t(time.tv_sec), milliseconds: Int(time.tv_nsec / 1_000_000))
    }

    /// Written digit by digit: `String(format:)` cost more than the rest of a log line.
    static func timestamp(seconds: time_t, milliseconds: Int) -> String {
        var seconds = seconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let fields: [(value: Int, digits: Int, separator: UInt8)] = [
            (Int(parts.tm_year) + 1900, 4, UInt8(ascii: "-")), (Int(parts.tm_mon) + 1, 2, UInt8(ascii: "-")),
            (Int(parts.tm_mday), 2, UInt8(ascii: "T")), (Int(parts.tm_hour), 2, UInt8(ascii: ":")),
            (Int(parts.tm_min), 2, UInt8(ascii: ":")), (Int(parts.tm_sec), 2, UInt8(ascii: ".")),
            (milliseconds, 3, UInt8(ascii: "Z")),
        ]
        return String(unsafeUninitializedCapacity: 24) { buffer in
            var index = 0
            for field in fields {
                var value = field.value
                for offset in stride(from: field.digits - 1, through: 0, by: -1) {
                    buffer[index + offset] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
                buffer[index + field.digits] = field.separator
                index += field.digits + 1
            }
            return index
        }
    }
}

extension Logger.Metadata {
    /// A handler's metadata, then its provider's, then the record's own: later values win.
    func merged(with provider: Logger.MetadataProvider?, _ event: LogEvent) -> Logger.Metadata {
        var merged = self
        if let provided = provider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        return merged
    }
}
