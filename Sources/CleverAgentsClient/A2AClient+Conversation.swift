//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
import Foundation

extension A2AClient {
    /// A multi-turn conversation: sends `request`, and each time the task turns input-required,
    /// asks `answer` for the reply and sends it on the same task and context, until the task
    /// ends or `answer` gives none.
    ///
    /// - Parameters:
    ///   - streaming: send with `SendStreamingMessage` and hand every event to `onEvent` as it
    ///     comes; otherwise `SendMessage`, and `onEvent` is not called.
    ///   - onTask: told the task's id as soon as it is known (to cancel it, say on Ctrl-C).
    ///   - answer: the reply to a task that waits for input (its question is in
    ///     `status.message`), or `nil` to stop and return the waiting task.
    /// - Returns: the last answer: a task that ended, one that waits for input `answer` did not
    ///   give, or a message.
    public func converse(
        _ request: SendMessageRequest,
        streaming: Bool = false,
        onEvent: (StreamResponse) async throws -> Void = { _ in },
        onTask: (String) async -> Void = { _ in },
        answer: (A2ATask) async throws -> String?
    ) async throws -> SendMessageResponse {
        try await converse(request, streaming: streaming, onEvent: onEvent, onTask: onTask, reply: { task in try await answer(task).map { .text($0) } })
    }

    /// A multi-turn conversation whose replies are parts: as ``converse(_:streaming:onEvent:onTask:answer:)``,
    /// for a task that asks several questions at once (``A2ATask/pendingQuestions``), answered
    /// together with ``A2ATask/reply(answering:)``.
    public func converse(
        _ request: SendMessageRequest,
        streaming: Bool = false,
        onEvent: (StreamResponse) async throws -> Void = { _ in },
        onTask: (String) async -> Void = { _ in },
        reply: (A2ATask) async throws -> Part?
    ) async throws -> SendMessageResponse {
        var request = request
        while true {
            let response = try await streaming ? streamToEnd(request, onEvent: onEvent, onTask: onTask) : sendMessage(request)
            guard case .task(let task) = response else { return response }
            await onTask(task.id)
            guard task.status.state == .inputRequired, let part = try await reply(task) else { return response }
            request = SendMessageRequest(
                message: Message(messageId: UUID().uuidString.lowercased(), contextId: task.contextId, taskId: task.id, role: .user, parts: [part]),
                configuration: request.configuration
            )
        }
    }

    /// Streams `request` to its end and returns the task as it then is (or the message).
    private func streamToEnd(
        _ request: SendMessageRequest,
        onEvent: (StreamResponse) async throws -> Void,
        onTask: (String) async -> Void
    ) async throws -> SendMessageResponse {
        var taskId: String?
        for try await event in try await sendStreamingMessage(request) {
            try await onEvent(event)
            switch event {
            case .message(let message):
                return .message(message)
            case .task(let task):
                if taskId == nil { await onTask(task.id) }
                taskId = task.id
            case .statusUpdate(let update):
                if taskId == nil { await onTask(update.taskId) }
                taskId = update.taskId
            case .artifactUpdate(let update):
                taskId = taskId ?? update.taskId
            }
        }
        guard let taskId else { throw A2AClientError.invalidResponse("the stream ended without a task or a message") }
        // The stream ends when the task ends or waits: the stored task has the whole answer.
        return .task(try await getTask(GetTaskRequest(id: taskId)))
    }
}

/// One question a task that waits for input asks.
public struct PendingQuestion: Sendable, Hashable {
    /// The graph's interrupt the question is (`nil` when the server named none).
    public var interruptID: String?
    /// The question, as text: the interrupt's text, its `question` field, or its value as JSON.
    public var text: String

    public init(interruptID: String?, text: String) {
        self.interruptID = interruptID
        self.text = text
    }
}

extension A2ATask {
    /// The questions the task asks while it waits for input: one per pending interrupt its status
    /// message lists (`metadata.interrupts`, `[{id, value}]`, as docs/graph-convention.md
    /// says), else one with the message's text.
    public var pendingQuestions: [PendingQuestion] {
        guard let message = status.message else { return [] }
        let interrupts = message.metadata?["interrupts"]?.arrayValue ?? []
        if interrupts.count > 1 {
            return interrupts.map { PendingQuestion(interruptID: $0["id"]?.stringValue, text: Self.question(in: $0["value"] ?? .null)) }
        }
        let text = message.parts.compactMap { part -> String? in
            if let text = part.text { return text }
            if case .data(let value) = part.content { return Self.question(in: value) }
            return nil
        }.joined(separator: "\n")
        return [PendingQuestion(interruptID: interrupts.first?["id"]?.stringValue, text: text)]
    }

    /// The reply that answers ``pendingQuestions`` with `answers`, in their order: the text itself
    /// for one question; for several, one data part keyed by interrupt id, which resumes them all
    /// at once.
    public func reply(answering answers: [String]) -> Part {
        let questions = pendingQuestions
        guard questions.count > 1 else { return .text(answers.first ?? "") }
        var object: JSONObject = [:]
        for (question, answer) in zip(questions, answers) {
            if let id = question.interruptID { object[id] = .string(answer) }
        }
        return .data(.object(object))
    }

    private static func question(in value: JSONValue) -> String {
        if let text = value.stringValue { return text }
        if let text = value["question"]?.stringValue { return text }
        guard let data = try? A2AJSON.makeEncoder().encode(value) else { return "\(value)" }
        return String(decoding: data, as: UTF8.self)
    }
}
