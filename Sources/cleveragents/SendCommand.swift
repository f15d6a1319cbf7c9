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

struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a message to an agent (local store or server namespace) and print the answer."
    )

    @Argument(help: "The message text.")
    var text: [String]

    @Option(name: .long, help: "The actor to run (default: the namespace's default actor).")
    var actor: String?

    @Option(name: .long, help: "Continue this context (conversation).")
    var context: String?

    @Option(name: .long, help: "Answer this task (one that needs input).")
    var task: String?

    @Flag(name: .long, help: "Print events as they happen (SendStreamingMessage).")
    var stream = false

    @Flag(name: .long, help: "Return as soon as the task exists instead of waiting for its end.")
    var noWait = false

    @OptionGroup var client: ClientOptions

    func validate() throws {
        if text.joined().trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("The message text must not be empty.") }
        if stream && noWait { throw ValidationError("Give --stream or --no-wait, not both.") }
    }

    func run() async throws {
        var message = Message(messageId: UUID().uuidString.lowercased(), contextId: context, taskId: task, role: .user, parts: [.text(text.joined(separator: " "))])
        if let actor { message.metadata = ["actor": .string(actor)] }
        let request = SendMessageRequest(message: message, configuration: noWait ? SendMessageConfiguration(returnImmediately: true) : nil)
        let json = client.json
        try await reportingClientErrors {
            try await client.withClient { client in
                if stream {
                    for try await event in try await client.sendStreamingMessage(request) {
                        if json { try printJSON(event) } else { print(Render.event(event)) }
                    }
                } else {
                    let response = try await client.sendMessage(request)
                    if json { try printJSON(response) } else { print(Render.response(response)) }
                }
            }
        }
    }
}

/// Readable renderings of A2A values.
enum Render {
    static func state(_ state: TaskState) -> String {
        state.rawValue.replacingOccurrences(of: "TASK_STATE_", with: "").lowercased().replacingOccurrences(of: "_", with: "-")
    }

    static func text(_ parts: [Part]) -> String {
        parts.map { part in
            if let text = part.text { return text }
            if case .data(let value) = part.content, let data = try? A2AJSON.makeEncoder().encode(value) { return String(decoding: data, as: UTF8.self) }
            return "[\(part.mediaType ?? "file")\(part.filename.map { " \($0)" } ?? "")]"
        }.joined(separator: "\n")
    }

    static func task(_ task: A2ATask) -> String {
        var lines = ["task \(task.id)  \(state(task.status.state))  context \(task.contextId)"]
        if let message = task.status.message, !message.parts.isEmpty { lines.append(text(message.parts)) }
        for artifact in task.artifacts ?? [] {
            lines.append(text(artifact.parts))
        }
        return lines.joined(separator: "\n")
    }

    static func response(_ response: SendMessageResponse) -> String {
        switch response {
        case .task(let task): Self.task(task)
        case .message(let message): text(message.parts)
        }
    }

    static func event(_ event: StreamResponse) -> String {
        switch event {
        case .task(let task): "task \(task.id)  \(state(task.status.state))"
        case .message(let message): text(message.parts)
        case .statusUpdate(let update):
            "[\(state(update.status.state))]" + (update.status.message.map { " " + text($0.parts) } ?? "")
        case .artifactUpdate(let update): text(update.artifact.parts)
        }
    }
}
