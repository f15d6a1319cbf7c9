//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import ArgumentParser

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
}
