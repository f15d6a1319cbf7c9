//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import ArgumentParser
import CleverAgentsPostgres
import Logging

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations (safe to run from several replicas at once)."
    )

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let applied = try await database.withStore(schema: .any) { _, client in
            try await PostgresMigrator(client: client, logger: Logger(label: "cleveragents.migrate")).migrate()
        }
        if applied.isEmpty {
            print("Database schema is up to date.")
        } else {
            print("Applied migrations: \(applied.map(String.init).joined(separator: ", "))")
        }
    }
}
