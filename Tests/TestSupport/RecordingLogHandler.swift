//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Logging
import Synchronization

/// Log lines (`level: message key=value…`), collected across tasks.
public final class RecordedLogLines: Sendable {
    private let storage = Mutex<[String]>([])

    public init() {}

    public var lines: [String] { storage.withLock { $0 } }

    public func append(_ line: String) {
        storage.withLock { $0.append(line) }
    }
}

/// A log handler that keeps its lines in ``RecordedLogLines``.
public struct RecordingLogHandler: LogHandler {
    public let records: RecordedLogLines
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public init(records: RecordedLogLines) {
        self.records = records
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let fields = metadata.merging(event.metadata ?? [:]) { $1 }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        records.append((["\(event.level): \(event.message)"] + fields).joined(separator: " "))
    }
}
