//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import PostgresNIO

/// A statement assembled from parts that each bind their own values.
///
/// `PostgresQuery`'s string interpolation numbers the binds of one literal only; a statement
/// built from reusable parts (the `WITH` parts that append task events, say) needs one
/// numbering across all of them. Each `bind` appends a value and returns its placeholder.
struct SQLStatement {
    private(set) var sql = ""
    private(set) var binds = PostgresBindings()

    /// Appends SQL text.
    mutating func append(_ text: String) {
        sql += text
    }

    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value?) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    mutating func bind<Value: PostgresThrowingDynamicTypeEncodable>(_ value: Value) throws -> String {
        try binds.append(value)
        return "$\(binds.count)"
    }

    mutating func bind<Value: PostgresThrowingDynamicTypeEncodable>(_ value: Value?) throws -> String {
        try binds.append(value)
        return "$\(binds.count)"
    }

    /// The statement, ready to run.
    var query: PostgresQuery {
        PostgresQuery(unsafeSQL: sql, binds: binds)
    }
}
