//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Logging
public import PostgresNIO

/// Applies ``Migration``s in order, each in its own transaction, one replica at a time.
///
/// Replicas that start together serialize on a session advisory lock, so each migration runs
/// exactly once. A database migrated by a newer server is refused rather than touched.
public struct PostgresMigrator: Sendable {
    /// The advisory lock key (the first 8 bytes of SHA-256("cleveragents.migrations")).
    static let advisoryLockKey: Int64 = 0x3C1E_A6E7_5A2B_1F04

    public let client: PostgresClient
    public let migrations: [Migration]
    public let logger: Logger

    public init(client: PostgresClient, migrations: [Migration] = Migration.all, logger: Logger) {
        self.client = client
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.logger = logger
    }

    /// The newest schema version this server knows.
    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Applies the pending migrations and returns their versions.
    @discardableResult
    public func migrate() async throws -> [Int] {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.advisoryLockKey))", logger: logger)
            do {
                let applied = try await applyPending(on: connection)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))", logger: logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))", logger: logger)
                throw error
            }
        }
    }

    /// The versions already applied.
    public func appliedVersions() async throws -> [Int] {
        try await client.withConnection { connection in
            try await Self.appliedVersions(on: connection, logger: logger)
        }
    }

    /// Whether every known migration is applied (and nothing newer).
    public func isCurrent() async throws -> Bool {
        let applied = try await appliedVersions()
        return applied == migrations.map(\.version)
    }

    private func applyPending(on connection: PostgresConnection) async throws -> [Int] {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            logger: logger
        )
        let applied = Set(try await Self.appliedVersions(on: connection, logger: logger))
        if let newest = applied.max(), newest > latestVersion {
            throw MigrationError.databaseIsNewer(databaseVersion: newest, serverVersion: latestVersion)
        }
        var appliedNow: [Int] = []
        for migration in migrations where !applied.contains(migration.version) {
            logger.info("Applying migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            try await connection.withTransaction(logger: logger) { connection in
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger
                )
            }
            appliedNow.append(migration.version)
        }
        return appliedNow
    }

    static func appliedVersions(on connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        let exists = try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger)
            .collect().first?.decode(Bool.self) ?? false
        guard exists else { return [] }
        var versions: [Int] = []
        for try await version in try await connection.query("SELECT version FROM schema_migrations ORDER BY version", logger: logger).decode(Int.self) {
            versions.append(version)
        }
        return versions
    }
}

/// Why migrating failed.
public enum MigrationError: Error, Sendable, Hashable, CustomStringConvertible {
    case databaseIsNewer(databaseVersion: Int, serverVersion: Int)

    public var description: String {
        switch self {
        case .databaseIsNewer(let databaseVersion, let serverVersion):
            "the database schema is at version \(databaseVersion), newer than this server's \(serverVersion); upgrade the server"
        }
    }
}
