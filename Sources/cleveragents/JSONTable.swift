//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import Foundation

/// Readable text for a JSON result, for people (`--json` is for scripts).
///
/// A result that is one list (`{"tokens": [...]}`, or a bare array) becomes a table: a row per
/// element, a column per key, headers in capitals (`createdAt` → `CREATED AT`). Anything else
/// becomes `key: value` lines. Nested values are shown compactly: lists of scalars comma-joined,
/// objects as JSON.
enum JSONTable {
    static func render(_ value: JSONValue) -> String {
        switch value {
        case .array(let rows):
            return table(rows, noun: "entries")
        case .object(let object):
            if object.count == 1, let (key, list) = object.first, case .array(let rows) = list {
                return table(rows, noun: key)
            }
            return fields(object)
        default:
            return cell(value)
        }
    }

    /// `key: value` lines, keys aligned, identifying keys first.
    private static func fields(_ object: [String: JSONValue]) -> String {
        let keys = ordered(Set(object.keys))
        let width = keys.map(\.count).max() ?? 0
        return keys.map { key in
            key + ":" + String(repeating: " ", count: width - key.count + 1) + cell(object[key] ?? .null)
        }.joined(separator: "\n")
    }

    private static func table(_ rows: [JSONValue], noun: String) -> String {
        guard !rows.isEmpty else { return "No \(header(noun).lowercased())." }
        let objects = rows.compactMap(\.objectValue)
        guard objects.count == rows.count else {
            // A list of scalars: one value per line.
            return rows.map(cell).joined(separator: "\n")
        }
        let keys = ordered(Set(objects.flatMap(\.keys)))
        let cells = [keys.map(header)] + objects.map { object in keys.map { cell(object[$0] ?? .null) } }
        let widths = keys.indices.map { column in cells.map { $0[column].count }.max() ?? 0 }
        return cells.map { line in
            line.indices.map { column in
                column == line.count - 1 ? line[column] : line[column] + String(repeating: " ", count: widths[column] - line[column].count)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// Identifying keys first (`id`, `name`), then the rest alphabetically.
    private static func ordered(_ keys: Set<String>) -> [String] {
        let leading = ["id", "name"].filter(keys.contains)
        return leading + keys.subtracting(leading).sorted()
    }

    /// `createdAt` → `CREATED AT`.
    static func header(_ key: String) -> String {
        var words = ""
        for character in key {
            if character.isUppercase, !words.isEmpty { words.append(" ") }
            words.append(character)
        }
        return words.uppercased()
    }

    static func cell(_ value: JSONValue) -> String {
        switch value {
        case .null: return "-"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number):
            return number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .string(let text):
            // One row per element: line breaks would split it.
            return text.isEmpty ? "-" : text.split(whereSeparator: \.isNewline).joined(separator: " ")
        case .array(let items):
            guard !items.isEmpty else { return "-" }
            if items.allSatisfy({ $0.objectValue == nil && $0.arrayValue == nil }) {
                return items.map(cell).joined(separator: ", ")
            }
            return compact(value)
        case .object(let fields):
            return fields.isEmpty ? "-" : compact(value)
        }
    }

    private static func compact(_ value: JSONValue) -> String {
        let encoder = A2AJSON.makeEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "\(value)"
    }
}
