//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Configuration
import Foundation

/// Typed reads that tell "missing" from "present but invalid".
///
/// A component reads its keys from its own scope (``scoped(_:)``): `values.scoped("http")`
/// reads `port` as `http.port`, and an error names the whole key.
struct ConfigValues {
    let reader: ConfigReader
    /// The keys' common prefix, with its dot (`http.`), or empty at the root.
    private let prefix: String

    init(reader: ConfigReader) {
        self.reader = reader
        self.prefix = ""
    }

    private init(reader: ConfigReader, prefix: String) {
        self.reader = reader
        self.prefix = prefix
    }

    /// The keys under `scope` (`http`, `tasks`, …).
    func scoped(_ scope: String) -> ConfigValues {
        ConfigValues(reader: reader, prefix: prefix + scope + ".")
    }

    /// The whole name of `key` in this scope, as errors and the documentation name it.
    func name(_ key: String) -> String { prefix + key }

    func string(_ key: String) throws(ConfigurationError) -> String? {
        guard let value = reader.string(forKey: ConfigKey(name(key))) else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }

    func integer(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        let value: Int
        if let number = reader.int(forKey: ConfigKey(name(key))) {
            value = number
        } else if let text = try string(key) {
            guard let number = Int(text) else { throw ConfigurationError(key: name(key), reason: "'\(text)' is not an integer") }
            value = number
        } else {
            return nil
        }
        guard range.contains(value) else {
            throw ConfigurationError(key: name(key), reason: "\(value) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// A list: a YAML sequence, or a comma-separated string (environment variables, flags).
    func list(_ key: String) throws(ConfigurationError) -> [String] {
        if let values = reader.stringArray(forKey: ConfigKey(name(key))) {
            return values.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        guard let text = try string(key) else { return [] }
        return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func boolean(_ key: String) throws(ConfigurationError) -> Bool? {
        if let value = reader.bool(forKey: ConfigKey(name(key))) { return value }
        guard let text = try string(key) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "1", "on": return true
        case "false", "no", "0", "off": return false
        default: throw ConfigurationError(key: name(key), reason: "'\(text)' is not true or false")
        }
    }

    func enumeration<Value: RawRepresentable & CaseIterable>(_ key: String, _ type: Value.Type) throws(ConfigurationError) -> Value?
    where Value.RawValue == String {
        guard let text = try string(key) else { return nil }
        guard let value = Value(rawValue: text) else {
            throw ConfigurationError(key: name(key), reason: "'\(text)' is not one of \(Value.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// Whole seconds, as a `Duration`.
    func seconds(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Duration? {
        try integer(key, in: range).map { .seconds($0) }
    }

    /// Whole milliseconds, as a `Duration`.
    func milliseconds(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Duration? {
        try integer(key, in: range).map { .milliseconds($0) }
    }

    /// A positive number (a rate, a burst).
    func positiveNumber(_ key: String) throws(ConfigurationError) -> Double? {
        guard let text = try string(key) else { return nil }
        guard let value = Double(text), value > 0 else { throw ConfigurationError(key: name(key), reason: "'\(text)' is not a positive number") }
        return value
    }
}
