//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import CleverAgentsPostgres
import Foundation
import Logging
import PostgresNIO

/// The test PostgreSQL database, migrated, with a running client.
public enum PostgresTestDatabase {
    /// Runs `body` with a store on the (migrated) test database.
    public static func withStore<Result: Sendable>(
        url: String? = nil,
        _ body: @Sendable (PostgresStore, PostgresClient) async throws -> Result
    ) async throws -> Result {
        guard let raw = url ?? TestEnvironment.databaseURL else { throw MissingTestService("CLEVERAGENTS_TEST_DATABASE_URL") }
        var configuration = try DatabaseURL(raw).clientConfiguration()
        configuration.options.maximumConnections = 8
        var logger = Logger(label: "postgres-test")
        logger.logLevel = .critical
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await PostgresMigrator(client: client, logger: logger).migrate()
            return try await body(PostgresStore(client: client, logger: logger), client)
        }
    }

    /// Runs `body` with a client of the database at `url`, as it is (no migration).
    public static func withClient<Result: Sendable>(url: String, _ body: @Sendable (PostgresClient) async throws -> Result) async throws -> Result {
        var logger = Logger(label: "client")
        logger.logLevel = .critical
        let client = PostgresClient(configuration: try DatabaseURL(url).clientConfiguration(), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// Creates an empty database for a test that needs one of its own, and drops it afterwards.
    public static func withFreshDatabase<Result: Sendable>(_ body: @Sendable (String) async throws -> Result) async throws -> Result {
        guard let raw = TestEnvironment.databaseURL else { throw MissingTestService("CLEVERAGENTS_TEST_DATABASE_URL") }
        let name = TestEnvironment.uniqueName("cleveragents-fresh").replacingOccurrences(of: "-", with: "_")
        let admin = try DatabaseURL(raw)
        var logger = Logger(label: "postgres-admin")
        logger.logLevel = .critical
        let client = PostgresClient(configuration: try admin.clientConfiguration(), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
            var fresh = admin
            fresh.database = name
            let freshURL = "postgres://\(fresh.username)\(fresh.password.map { ":\($0)" } ?? "")@\(fresh.host):\(fresh.port)/\(name)?sslmode=\(fresh.sslMode.rawValue)"
            do {
                let result = try await body(freshURL)
                try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
                return result
            } catch {
                _ = try? await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
                throw error
            }
        }
    }
}
