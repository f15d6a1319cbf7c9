//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Logging

/// Writes each log record as one line of text (to standard error), for people: the format of
/// swift-log's `StreamLogHandler` (`<time> <level> <label>: <metadata> [<source>] <message>`).
///
/// Unlike `StreamLogHandler`, which formats its metadata again on every change, it formats
/// metadata only when a record is written: request handling sets metadata on every request and
/// writes a record on few of them.
public struct TextLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let output: OutputSink

    public init(label: String, level: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = nil) {
        self.init(label: label, level: level, output: .standardError)
        self.metadataProvider = metadataProvider
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
        // Bytes appended to one buffer: the access log writes a line per request, and a merged
        // dictionary and a string grown piece by piece cost more than the rest of it.
        let entries = Self.sortedEntries(metadata, metadataProvider?.get(), event.metadata)
        var line: [UInt8] = []
        line.reserveCapacity(160 + entries.count * 32)
        line.append(contentsOf: JSONLogHandler.timestamp().utf8)
        line.append(UInt8(ascii: " "))
        line.append(contentsOf: event.level.rawValue.utf8)
        line.append(UInt8(ascii: " "))
        line.append(contentsOf: label.utf8)
        line.append(UInt8(ascii: ":"))
        for entry in entries {
            line.append(UInt8(ascii: " "))
            line.append(contentsOf: entry.key.utf8)
            line.append(UInt8(ascii: "="))
            line.append(contentsOf: entry.value.utf8)
        }
        if !event.source.isEmpty {
            line.append(contentsOf: " [".utf8)
            line.append(contentsOf: event.source.utf8)
            line.append(UInt8(ascii: "]"))
        }
        line.append(UInt8(ascii: " "))
        line.append(contentsOf: event.message.description.utf8)
        line.append(UInt8(ascii: "\n"))
        output.write(utf8: line, urgent: event.level >= .error)
    }

    /// The entries of the three metadata sources by key, rendered; a key in a later source wins.
    /// Only the keys are sorted, and nothing is merged: a few lookups cost less than a copy.
    static func sortedEntries(_ metadata: Logger.Metadata, _ provided: Logger.Metadata?, _ extra: Logger.Metadata?) -> [(key: String, value: String)] {
        var keys = Array(metadata.keys)
        if let provided { keys += provided.keys }
        if let extra { keys += extra.keys }
        keys.sort()
        var rendered: [(key: String, value: String)] = []
        rendered.reserveCapacity(keys.count)
        for key in keys where rendered.last?.key != key {
            guard let value = extra?[key] ?? provided?[key] ?? metadata[key] else { continue }
            rendered.append((key, value.description))
        }
        return rendered
    }
}
