//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import ArgumentParser
import CleverAgentsPostgres
import Foundation

/// `cleveragents`: the server, its operations and its administration.
@main
struct CleverAgentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleveragents",
        abstract: "CleverAgents Server: a multi-tenant A2A agent server running LangGraph graphs.",
        subcommands: [
            ServeCommand.self, MigrateCommand.self, AdminCommand.self, StdioCommand.self, SendCommand.self, TasksCommand.self, SyncCommand.self,
        ]
    )

    /// Runs the command; a database that cannot be used ends it with a message that says what
    /// to do and the exit code of its class (``DatabaseProblem/exitCode``; docs/operations.md).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let problem as DatabaseProblem {
            FileHandle.standardError.write(Data("Error: \(problem.message)\n".utf8))
            Self.exit(withError: ExitCode(problem.exitCode))
        } catch {
            exit(withError: error)
        }
    }
}
