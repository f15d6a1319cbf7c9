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
@testable import CleverAgentsSQLite
import CleverAgentsTestSupport
import Foundation
import GRDB
import Logging
import Testing

/// What the SQLite store of local mode promises beyond the store contract (which
/// `CleverAgentsPostgresTests` runs on all three stores): its file, a second process on that
/// file, and SQLite's failures said as the runtime's store errors.
@Suite(.timeLimit(.minutes(2))) struct SQLiteStoreFileTests {
    static var logger: Logger {
        var logger = Logger(label: "sqlite-test")
        logger.logLevel = .critical
        return logger
    }

    /// A path in a fresh directory, removed afterwards.
    static func withPath(_ body: (String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(TestEnvironment.uniqueName("sqlite-file"))
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(directory.appendingPathComponent("nested/deeper/local.sqlite").path)
    }

    static func namespace(_ name: String) -> Namespace {
        Namespace(name: NamespaceName(name)!, description: "d", authMode: .disabled, createdAt: .init(millisecondsSinceEpoch: 1_700_000_000_000))
    }

    @Test func openingMakesTheDirectoriesAndReopeningKeepsWhatWasWritten() async throws {
        try await Self.withPath { path in
            let first = try await SQLiteStore.open(path: path, logger: Self.logger)
            try await first.createNamespace(Self.namespace("kept"))
            #expect(FileManager.default.fileExists(atPath: path))
            // Opening again migrates nothing twice and finds the namespace.
            let again = try await SQLiteStore.open(path: path, logger: Self.logger)
            #expect(try await again.namespace(named: NamespaceName("kept")!)?.description == "d")
            #expect(again.path == path)
        }
    }

    /// Local mode's file may be open in two processes (WAL): each sees what the other committed.
    @Test func twoStoresOnOneFileSeeEachOthersWrites() async throws {
        try await Self.withPath { path in
            let one = try await SQLiteStore.open(path: path, logger: Self.logger)
            let other = try await SQLiteStore.open(path: path, logger: Self.logger)
            try await one.createNamespace(Self.namespace("from-one"))
            try await other.createNamespace(Self.namespace("from-other"))
            #expect(try await one.allNamespaces().map(\.name.rawValue).sorted() == ["from-one", "from-other"])
            #expect(try await other.allNamespaces().map(\.name.rawValue).sorted() == ["from-one", "from-other"])
            await #expect(throws: StoreError.alreadyExists) {
                try await other.createNamespace(Self.namespace("from-one"))
            }
        }
    }

    /// SQLite's failures become the runtime's store errors: a duplicate is `alreadyExists`; a busy,
    /// full or unwritable file is `unavailable` (the caller retries or says so), whatever else
    /// stays as it is.
    @Test(arguments: [
        (ResultCode.SQLITE_CONSTRAINT_PRIMARYKEY, "exists"),
        (ResultCode.SQLITE_CONSTRAINT_UNIQUE, "exists"),
        (ResultCode.SQLITE_CONSTRAINT_FOREIGNKEY, "other"),
        (ResultCode.SQLITE_BUSY, "unavailable"),
        (ResultCode.SQLITE_LOCKED, "unavailable"),
        (ResultCode.SQLITE_FULL, "unavailable"),
        (ResultCode.SQLITE_READONLY, "unavailable"),
        (ResultCode.SQLITE_IOERR, "unavailable"),
        (ResultCode.SQLITE_CANTOPEN, "unavailable"),
        (ResultCode.SQLITE_MISMATCH, "other"),
    ])
    func sqliteFailuresAreSaidAsStoreErrors(code: ResultCode, expected: String) {
        let translated = SQLiteStore.translate(DatabaseError(resultCode: code, message: "m"))
        switch translated {
        case StoreError.alreadyExists: #expect(expected == "exists")
        case StoreError.unavailable: #expect(expected == "unavailable")
        default: #expect(expected == "other" && translated is DatabaseError)
        }
    }

    @Test func anErrorThatIsNotSQLitesPassesThrough() {
        struct Other: Error {}
        #expect(SQLiteStore.translate(Other()) is Other)
    }
}
