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
        var request = request
        while true {
            let response = try await streaming ? streamToEnd(request, onEvent: onEvent, onTask: onTask) : sendMessage(request)
            guard case .task(let task) = response else { return response }
            await onTask(task.id)
            guard task.status.state == .inputRequired, let reply = try await answer(task) else { return response }
            request = SendMessageRequest(
                message: Message(
                    messageId: UUID().uuidString.lowercased(), contextId: task.contextId, taskId: task.id, role: .user, parts: [.text(reply)]
                ),
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
