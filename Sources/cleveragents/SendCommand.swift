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
import Dispatch
import Foundation
import Synchronization

struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a message to an agent (local store or server namespace) and print the answer.",
        discussion: """
            When the task asks for input and standard input is a terminal (or with --interactive), \
            the question is shown and the answer read from standard input, on the same task, until \
            the task ends; Ctrl-C cancels the task. Exit codes: 0 when the task ended (or the agent \
            answered with a message), \(SendCommand.waitsForInputExitCode) when it still waits for \
            input (--no-input, no terminal, or the end of standard input), 130 after Ctrl-C.
            """
    )

    /// The exit code of a `send` that ends with a task waiting for input.
    static let waitsForInputExitCode: Int32 = 3

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

    @Flag(name: .long, help: "Never ask: when the task needs input, print its question and exit with code 3.")
    var noInput = false

    @Flag(name: .long, help: "Read answers from standard input even when it is not a terminal (one line per answer).")
    var interactive = false

    @OptionGroup var client: ClientOptions

    func validate() throws {
        if text.joined().trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("The message text must not be empty.") }
        if stream && noWait { throw ValidationError("Give --stream or --no-wait, not both.") }
        if noInput && interactive { throw ValidationError("Give --no-input or --interactive, not both.") }
    }

    /// Whether answers are asked for: not with --no-input or --no-wait; with --interactive, or
    /// when standard input is a terminal.
    var asksForInput: Bool {
        !noInput && !noWait && (interactive || isatty(STDIN_FILENO) == 1)
    }

    func run() async throws {
        var message = Message(messageId: UUID().uuidString.lowercased(), contextId: context, taskId: task, role: .user, parts: [.text(text.joined(separator: " "))])
        if let actor { message.metadata = ["actor": .string(actor)] }
        let request = SendMessageRequest(message: message, configuration: noWait ? SendMessageConfiguration(returnImmediately: true) : nil)
        let (json, asks, stream) = (client.json, asksForInput, stream)
        let current = CurrentTask()
        let response = try await reportingClientErrors {
            try await client.withClient { client in
                try await Interruption.cancelling(current: current, with: client) {
                    try await client.converse(
                        request,
                        streaming: stream,
                        onEvent: { event in
                            if json { try printJSON(event) } else { print(Render.event(event)) }
                            // Progress shows as it happens, through a pipe too.
                            fflush(nil)
                        },
                        onTask: { current.id = $0 },
                        reply: { task in
                            guard asks else { return nil }
                            let questions = task.pendingQuestions
                            guard questions.count > 1 else {
                                print(Render.text(task.status.message?.parts ?? []))
                                fflush(nil)
                                return await StandardInput.line(prompt: "> ").map { .text($0) }
                            }
                            // Parallel questions: each asked in turn, answered together.
                            var answers: [String] = []
                            for (number, question) in questions.enumerated() {
                                print("(\(number + 1)/\(questions.count)) \(question.text)")
                                fflush(nil)
                                guard let line = await StandardInput.line(prompt: "> ") else { return nil }
                                answers.append(line)
                            }
                            return task.reply(answering: answers)
                        }
                    )
                }
            }
        }
        if !stream {
            if json { try printJSON(response) } else { print(Render.response(response)) }
        }
        if case .task(let task) = response, task.status.state == .inputRequired {
            if !json { printError("The task waits for input: answer with `cleveragents send --task \(task.id) …`.") }
            throw ExitCode(Self.waitsForInputExitCode)
        }
    }
}

/// The task a conversation is on, for Ctrl-C to cancel.
final class CurrentTask: Sendable {
    private let state = Mutex<String?>(nil)

    var id: String? {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}

/// Ctrl-C during a conversation: the task it is on is canceled, then the command exits 130.
enum Interruption {
    static func cancelling<T: Sendable>(current: CurrentTask, with client: A2AClient, _ body: @Sendable @escaping () async throws -> T) async throws -> T {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        let (interrupts, interrupted) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        source.setEventHandler { interrupted.yield() }
        source.resume()
        defer {
            source.cancel()
            signal(SIGINT, SIG_DFL)
        }
        // A race, not a task group: the conversation may be blocked reading standard input,
        // which no cancellation ends, and a group would wait for it.
        let first = FirstOutcome<T?>()
        let work = Task {
            do { first.finish(.success(try await body())) } catch { first.finish(.failure(error)) }
        }
        let watch = Task {
            for await _ in interrupts {
                first.finish(.success(nil))
                return
            }
        }
        let outcome = try await first.value
        watch.cancel()
        work.cancel()
        if let outcome { return outcome }
        // Interrupted: nothing of the conversation goes on, and its task is canceled.
        if let id = current.id {
            if let task = try? await client.cancelTask(CancelTaskRequest(id: id)) {
                printError("Canceled task \(id) (\(Render.state(task.status.state))).")
            } else {
                printError("Could not cancel task \(id); it may have ended.")
            }
        }
        throw ExitCode(130)
    }
}

/// The first of several outcomes, for one waiter.
final class FirstOutcome<Value: Sendable>: Sendable {
    private enum State {
        case pending
        case waiting(CheckedContinuation<Value, any Error>)
        case done(Result<Value, any Error>)
        case delivered
    }

    private let state = Mutex<State>(.pending)

    /// Keeps `result` if it is the first; wakes the waiter.
    func finish(_ result: Result<Value, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<Value, any Error>? in
            switch state {
            case .pending:
                state = .done(result)
                return nil
            case .waiting(let continuation):
                state = .delivered
                return continuation
            case .done, .delivered:
                return nil
            }
        }
        waiter?.resume(with: result)
    }

    var value: Value {
        get async throws {
            try await withCheckedThrowingContinuation { continuation in
                let ready = state.withLock { state -> Result<Value, any Error>? in
                    guard case .done(let result) = state else {
                        state = .waiting(continuation)
                        return nil
                    }
                    state = .delivered
                    return result
                }
                if let ready { continuation.resume(with: ready) }
            }
        }
    }
}

/// Lines of standard input, read off the cooperative threads.
enum StandardInput {
    /// Writes `prompt` to standard error and reads one line; `nil` at the end of the input.
    static func line(prompt: String) async -> String? {
        FileHandle.standardError.write(Data(prompt.utf8))
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: readLine(strippingNewline: true)) }
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
