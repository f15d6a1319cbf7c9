//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Logging

/// The server's log (`log.level`, `log.format`; the access log is ``ObservabilityConfiguration/logRequests``).
public struct LogConfiguration: Sendable, Hashable {
    /// How log records are written.
    public enum Format: String, Sendable, Hashable, CaseIterable {
        /// One JSON object per line, for log pipelines.
        case json
        /// One line of text per record, for people.
        case text
    }

    /// `log.level`: trace, debug, info, notice, warning, error or critical.
    public var level: Logger.Level
    /// `log.format`: `json` (one object per line) or `text`; `json` by default in production mode.
    public var format: Format

    public init(level: Logger.Level = .info, format: Format = .text) {
        self.level = level
        self.format = format
    }

    /// Reads `log.*` over the defaults of `mode`; the error names the first bad key.
    init(reading root: ConfigValues, mode: ServerConfiguration.Mode) throws(ConfigurationError) {
        self.init(format: mode == .production ? .json : .text)
        let values = root.scoped("log")
        level = try values.enumeration("level", Logger.Level.self) ?? level
        format = try values.enumeration("format", Format.self) ?? format
    }
}
