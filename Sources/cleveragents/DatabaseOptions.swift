//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import ArgumentParser
import CleverAgentsPostgres
import CleverAgentsRuntime
import CleverAgentsServer
import Configuration
import Foundation
import Logging
import PostgresNIO

/// `--database-url`, falling back to `DATABASE_URL` (and libpq's `PG…` variables).
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "PostgreSQL URL, e.g. postgres://user:pass@host:5432/db?sslmode=require (default: $DATABASE_URL).")
    var databaseURL: String?

    @Option(name: .long, help: "The YAML configuration file the server reads (default: config/cleveragents.yaml when present); the database, and the admin commands' secrets key, token pepper and mode, come from it under the environment and --database-url.")
    var config: String?

    /// What `read` takes from the configuration, read as `serve` reads it (`--database-url`, the
    /// environment, the YAML file, in that precedence); a bad value is a validation error that
    /// names its key.
    func configured<Value>(_ read: (ConfigReader) throws(ConfigurationError) -> Value) async throws -> Value {
        let reader = try await ServerConfiguration.reader(
            configFile: config,
            environment: ProcessInfo.processInfo.environment,
            overrides: databaseURL.map { ["database.url": $0] } ?? [:]
        )
        do {
            return try read(reader)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// The database, read as `serve` reads it.
    func resolvedURL() async throws -> DatabaseURL {
        try await configured { reader throws(ConfigurationError) in try DatabaseConfiguration(reader: reader).url }
    }

    /// Runs `body` with a running connection pool, then closes it. The database is checked first
    /// (it answers, the login works, the schema is `schema`), so that a failure says what is
    /// wrong instead of what the pool saw; failures of `body` are said the same way.
    func withStore<Result: Sendable>(
        schema: SchemaExpectation = .current,
        _ body: @Sendable (PostgresStore, PostgresClient) async throws -> Result
    ) async throws -> Result {
        try await withStore(url: try await resolvedURL(), schema: schema, body)
    }

    /// Runs `body` with a running connection pool on `url`, then closes it (see above).
    func withStore<Result: Sendable>(
        url: DatabaseURL,
        schema: SchemaExpectation = .current,
        _ body: @Sendable (PostgresStore, PostgresClient) async throws -> Result
    ) async throws -> Result {
        var logger = Logger(label: "cleveragents")
        logger.logLevel = .critical
        try await url.check(schema: schema, logger: logger)
        var configuration = try url.clientConfiguration()
        configuration.options.minimumConnections = 0
        configuration.options.maximumConnections = 2
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let store = PostgresStore(client: client, logger: logger)
        do {
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                return try await body(store, client)
            }
        } catch let error as PSQLError {
            throw url.diagnose(error)
        } catch StoreError.unavailable(let reason) {
            throw DatabaseProblem(.timedOut, "PostgreSQL at \(url.location) stopped answering: \(reason). Is it still running?", reason: reason)
        } catch let error as MigrationError {
            throw DatabaseProblem(.schemaNewer, "\(error). Use a CleverAgents release at least as new as the one that migrated it.", reason: "\(error)")
        }
    }
}
