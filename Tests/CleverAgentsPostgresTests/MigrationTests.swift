//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import CleverAgentsPostgres
import CleverAgentsTestSupport
import Logging
import PostgresNIO
import Testing

@Suite(.enabled(if: TestEnvironment.hasPostgres), .timeLimit(.minutes(5))) struct MigrationTests {
    @Test func aFreshDatabaseIsMigratedOnceEvenByConcurrentReplicas() async throws {
        try await PostgresTestDatabase.withFreshDatabase { url in
            try await PostgresTestDatabase.withClient(url: url) { client in
                let logger = Logger(label: "migrate")
                let migrator = PostgresMigrator(client: client, logger: logger)
                #expect(try await migrator.isCurrent() == false)
                // Three replicas starting together: each migration runs exactly once.
                let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
                    for _ in 0..<3 { group.addTask { try await PostgresMigrator(client: client, logger: logger).migrate() } }
                    var all: [[Int]] = []
                    for try await versions in group { all.append(versions) }
                    return all
                }
                #expect(applied.flatMap { $0 }.sorted() == Migration.all.map(\.version))
                #expect(try await migrator.appliedVersions() == Migration.all.map(\.version))
                #expect(try await migrator.isCurrent())
                #expect(try await migrator.migrate().isEmpty)
            }
        }
    }

    @Test func aDatabaseMigratedByANewerServerIsRefused() async throws {
        try await PostgresTestDatabase.withFreshDatabase { url in
            try await PostgresTestDatabase.withClient(url: url) { client in
                let logger = Logger(label: "migrate")
                try await PostgresMigrator(client: client, logger: logger).migrate()
                try await client.query("INSERT INTO schema_migrations (version, name) VALUES (9999, 'from the future')", logger: logger)
                await #expect(throws: MigrationError.databaseIsNewer(databaseVersion: 9999, serverVersion: Migration.all.last!.version)) {
                    try await PostgresMigrator(client: client, logger: logger).migrate()
                }
                #expect(try await PostgresMigrator(client: client, logger: logger).isCurrent() == false)
            }
        }
    }

    @Test func aFailingMigrationLeavesNothingBehind() async throws {
        try await PostgresTestDatabase.withFreshDatabase { url in
            try await PostgresTestDatabase.withClient(url: url) { client in
                let logger = Logger(label: "migrate")
                let broken = Migration.all + [Migration(version: 1000, name: "broken", statements: ["CREATE TABLE half_done (id int)", "SELECT no_such_function()"])]
                await #expect(throws: (any Error).self) { try await PostgresMigrator(client: client, migrations: broken, logger: logger).migrate() }
                let exists = try await client.query("SELECT to_regclass('half_done') IS NOT NULL", logger: logger).collect().first?.decode(Bool.self)
                #expect(exists == false, "the failed migration's transaction was rolled back")
                #expect(try await PostgresMigrator(client: client, logger: logger).appliedVersions() == Migration.all.map(\.version))
            }
        }
    }
}
