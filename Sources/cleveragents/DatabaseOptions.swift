//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import ArgumentParser
import CleverAgentsPostgres
import CleverAgentsServer
import Foundation
import Logging
import PostgresNIO

/// `--database-url`, falling back to `DATABASE_URL` (and libpq's `PG…` variables).
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "PostgreSQL URL, e.g. postgres://user:pass@host:5432/db?sslmode=require (default: $DATABASE_URL).")
    var databaseURL: String?

    @Option(name: .long, help: "The YAML configuration file the server reads (default: config/cleveragents.yaml when present); admin commands take their secrets key, token pepper and mode from it and the environment.")
    var config: String?

    /// The URL to use, or a validation error that says where it should come from.
    func resolvedURL() throws -> DatabaseURL {
        let environment = ProcessInfo.processInfo.environment
        let raw = databaseURL ?? environment["DATABASE_URL"] ?? ServerConfiguration.libpqURL(environment)
        guard let raw else {
            throw ValidationError("No database: pass --database-url or set DATABASE_URL.")
        }
        do {
            return try DatabaseURL(raw)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// Runs `body` with a running connection pool, then closes it.
    func withStore<Result: Sendable>(_ body: @Sendable (PostgresStore, PostgresClient) async throws -> Result) async throws -> Result {
        try await withStore(url: try resolvedURL(), body)
    }

    /// Runs `body` with a running connection pool on `url`, then closes it.
    func withStore<Result: Sendable>(url: DatabaseURL, _ body: @Sendable (PostgresStore, PostgresClient) async throws -> Result) async throws -> Result {
        var logger = Logger(label: "cleveragents")
        logger.logLevel = .error
        var configuration = try url.clientConfiguration()
        configuration.options.minimumConnections = 0
        configuration.options.maximumConnections = 2
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let store = PostgresStore(client: client, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(store, client)
        }
    }
}
