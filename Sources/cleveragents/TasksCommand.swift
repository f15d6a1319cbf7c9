//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import ArgumentParser
import CleverAgentsClient
import Foundation

struct TasksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks",
        abstract: "List, show and cancel tasks of an agent (local store or server namespace).",
        subcommands: [List.self, Get.self, Cancel.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tasks, newest first.")

        @Option(name: .long, help: "Only tasks of this context.")
        var context: String?

        @Option(name: .long, help: "Only tasks in this state: submitted, working, input-required, completed, failed, canceled, rejected.")
        var state: String?

        @Option(name: .long, help: "Tasks per page (1-100).")
        var pageSize: Int = 20

        @Option(name: .long, help: "The next-page token printed by the previous page.")
        var pageToken: String?

        @OptionGroup var client: ClientOptions

        func validate() throws {
            if let state, Self.taskState(state) == nil { throw ValidationError("Unknown state '\(state)'.") }
            guard (1...100).contains(pageSize) else { throw ValidationError("--page-size must be between 1 and 100.") }
        }

        static func taskState(_ name: String) -> TaskState? {
            TaskState(rawValue: "TASK_STATE_" + name.uppercased().replacingOccurrences(of: "-", with: "_"))
        }

        func run() async throws {
            let request = ListTasksRequest(contextId: context, status: state.flatMap(Self.taskState), pageSize: pageSize, pageToken: pageToken, historyLength: 0)
            let json = client.json
            try await reportingClientErrors {
                let page = try await client.withClient { try await $0.listTasks(request) }
                if json {
                    try printJSON(page)
                    return
                }
                if page.tasks.isEmpty { print("No tasks.") }
                for task in page.tasks {
                    let updated = task.status.timestamp.map { $0.rfc3339 } ?? "-"
                    print("\(task.id)  \(Render.state(task.status.state).padding(toLength: 14, withPad: " ", startingAt: 0))  \(updated)  \(task.contextId)")
                }
                if !page.nextPageToken.isEmpty { print("More: --page-token \(page.nextPageToken)") }
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a task.")

        @Argument(help: "The task id.")
        var id: String

        @Option(name: .long, help: "Messages of history to include (default: all).")
        var history: Int?

        @OptionGroup var client: ClientOptions

        func run() async throws {
            let json = client.json
            try await reportingClientErrors {
                let task = try await client.withClient { try await $0.getTask(GetTaskRequest(id: id, historyLength: history)) }
                if json { try printJSON(task) } else { print(Render.task(task)) }
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a task.")

        @Argument(help: "The task id.")
        var id: String

        @OptionGroup var client: ClientOptions

        func run() async throws {
            let json = client.json
            try await reportingClientErrors {
                let task = try await client.withClient { try await $0.cancelTask(CancelTaskRequest(id: id)) }
                if json { try printJSON(task) } else { print("task \(task.id)  \(Render.state(task.status.state))") }
            }
        }
    }
}
