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
        let merged = metadataProvider == nil && event.metadata == nil ? metadata : metadata.merged(with: metadataProvider, event)
        // One string grown in place: the access log writes a line per request.
        var line = JSONLogHandler.timestamp()
        line.reserveCapacity(96 + label.utf8.count + merged.count * 24)
        line.append(" ")
        line.append(event.level.rawValue)
        line.append(" ")
        line.append(label)
        line.append(":")
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line.append(" ")
            line.append(key)
            line.append("=")
            line.append(value.description)
        }
        if !event.source.isEmpty {
            line.append(" [")
            line.append(event.source)
            line.append("]")
        }
        line.append(" ")
        line.append(event.message.description)
        line.append("\n")
        output.write(line, urgent: event.level >= .error)
    }
}
