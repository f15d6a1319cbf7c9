//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import CleverAgentsRuntime
import Dispatch
import Foundation
import GRDB
public import Logging

/// The stores of local mode on an embedded SQLite database (GRDB), implementing the same ports
/// as the PostgreSQL store: namespaces and actors, entities and their sync log, tasks and their
/// events, webhook configurations and the outbox, and the replica state of sync.
///
/// Every database access runs on GRDB's own dispatch queues (its async APIs hop to the
/// connection's serial executor), never on Swift's cooperative threads. The database is in WAL
/// mode: one writer, concurrent readers, and another process (a second `cleveragents`) may open
/// the same file.
public final class SQLiteStore: Sendable {
    let database: any DatabaseWriter
    public let logger: Logger
    /// The file, or `nil` for an in-memory database.
    public let path: String?

    private init(database: any DatabaseWriter, path: String?, logger: Logger) {
        self.database = database
        self.path = path
        self.logger = logger
    }

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    public static func open(path: String, logger: Logger) async throws -> SQLiteStore {
        try await offCooperativeThreads {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            configuration.foreignKeysEnabled = true
            let pool = try DatabasePool(path: path, configuration: configuration)
            try SQLiteSchema.migrator.migrate(pool)
            return SQLiteStore(database: pool, path: path, logger: logger)
        }
    }

    /// Opening a file and migrating block; they run on a Dispatch thread instead.
    private static func offCooperativeThreads<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try body() })
            }
        }
    }

    // MARK: Access

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await database.write(body)
        } catch {
            throw Self.translate(error)
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await database.read(body)
        } catch {
            throw Self.translate(error)
        }
    }

    /// Maps SQLite failures to ``StoreError``s.
    static func translate(_ error: any Error) -> any Error {
        guard let error = error as? DatabaseError else { return error }
        switch error.resultCode {
        case .SQLITE_CONSTRAINT:
            switch error.extendedResultCode {
            case .SQLITE_CONSTRAINT_PRIMARYKEY, .SQLITE_CONSTRAINT_UNIQUE: return StoreError.alreadyExists
            default: return error
            }
        case .SQLITE_BUSY, .SQLITE_LOCKED: return StoreError.unavailable("the local database is busy")
        case .SQLITE_CANTOPEN, .SQLITE_IOERR, .SQLITE_FULL, .SQLITE_READONLY: return StoreError.unavailable("the local database cannot be written: \(error.message ?? "\(error.resultCode)")")
        default: return error
        }
    }

    // MARK: JSON columns

    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    static func millis(_ timestamp: A2ATimestamp) -> Int64 { timestamp.millisecondsSinceEpoch }

    static func timestamp(_ millis: Int64) -> A2ATimestamp { A2ATimestamp(millisecondsSinceEpoch: millis) }

    static func namespace(_ raw: String) throws -> NamespaceName {
        guard let name = NamespaceName(raw) else { throw StoreError.unavailable("stored row has an invalid namespace '\(raw)'") }
        return name
    }
}
