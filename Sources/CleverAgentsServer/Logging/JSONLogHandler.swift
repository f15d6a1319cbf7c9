//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

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
        self.output = .standardError
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
        output.write(line)
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
        var output = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20: output += String(format: "\\u%04x", scalar.value)
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
    }

    static func timestamp() -> String {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        var seconds = time_t(time.tv_sec)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
            parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, time.tv_nsec / 1_000_000
        )
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

/// Where log lines go: standard error, or memory (tests).
final class OutputSink: Sendable {
    private let captures: Bool
    private let lines = Mutex<[String]>([])

    private init(captured: Bool) {
        self.captures = captured
    }

    static let standardError = OutputSink(captured: false)

    static func memory() -> OutputSink { OutputSink(captured: true) }

    func write(_ line: String) {
        if captures {
            lines.withLock { $0.append(line) }
        } else {
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    var captured: [String] { lines.withLock { $0 } }
}
