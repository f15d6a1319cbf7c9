//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
@testable import CleverAgentsRuntime
import CleverAgentsTestSupport
import Testing

@Suite(.timeLimit(.minutes(2))) struct FollowUpAndCancelTests {
    static func interrupted(ids: [String]) -> [ScriptedExecutor.Step] {
        let interrupts: [JSONValue] = ids.map { ["id": .string($0), "value": .string("question \($0)")] }
        let question = Message(messageId: "q-\(ids.joined())", role: .agent, parts: ids.map { .text("question \($0)") }, metadata: ["interrupts": .array(interrupts)])
        return [.event(.runStarted(runID: "run-a")), .event(.update(.status(.inputRequired, message: question)))]
    }

    static func needsInputWithoutInterrupt() -> [ScriptedExecutor.Step] {
        [.event(.runStarted(runID: "run-a")), .event(.update(.status(.inputRequired, message: Message(messageId: "q", role: .agent, parts: [.text("more?")]))))]
    }

    @Test func aFollowUpToAnInterruptedTaskResumesItsRunAndCompletes() async throws {
        let executor = ScriptedExecutor()
        executor.enqueue(Self.interrupted(ids: ["i1"]))
        executor.enqueue(ScriptedExecutor.completes(with: "approved", runID: "run-b"))
        try await RuntimeHarness.with(executor: executor) { harness in
            let first = try await send(harness, "deploy")
            #expect(first.status.state == .inputRequired)
            let response = try await harness.service.handle(
                .sendMessage(SendMessageRequest(message: RuntimeHarness.message("yes", id: "answer", taskId: first.id))),
                context: harness.context()
            )
            guard case .sendMessage(.task(let task)) = response else { throw RPCCallError(error: "no task") }
            #expect(task.id == first.id)
            #expect(task.status.state == .completed)
            #expect(task.history.map(\.messageId) == [first.history[0].messageId, "q-i1", "answer"], "question, then answer")
            let resume = try #require(executor.requests.last)
            guard case .resume(let message, let ids) = resume.input else {
                Issue.record("expected a resume, got \(resume.input)")
                return
            }
            #expect(message.messageId == "answer")
            #expect(ids == ["i1"])
            #expect(resume.threadID == executor.requests.first?.threadID, "the same thread")
        }
    }

    @Test func aFollowUpWithoutPendingInterruptsStartsANewRunWithTheMessage() async throws {
        let executor = ScriptedExecutor()
        executor.enqueue(Self.needsInputWithoutInterrupt())
        executor.enqueue(ScriptedExecutor.completes(with: "thanks"))
        try await RuntimeHarness.with(executor: executor) { harness in
            let first = try await send(harness, "start")
            let response = try await harness.service.handle(
                .sendMessage(SendMessageRequest(message: RuntimeHarness.message("more", id: "m2", taskId: first.id))),
                context: harness.context()
            )
            guard case .sendMessage(.task(let task)) = response else { throw RPCCallError(error: "no task") }
            #expect(task.status.state == .completed)
            guard case .message(let message) = executor.requests.last?.input else {
                Issue.record("expected a new run with the message")
                return
            }
            #expect(message.messageId == "m2")
        }
    }

    @Test func severalPendingInterruptsNeedAnAnswerKeyedByID() async throws {
        let executor = ScriptedExecutor()
        executor.enqueue(Self.interrupted(ids: ["a", "b"]))
        executor.enqueue(ScriptedExecutor.completes(with: "both"))
        try await RuntimeHarness.with(executor: executor) { harness in
            let first = try await send(harness, "two questions")
            let error = await #expect(throws: JSONRPCError.self) {
                try await harness.service.handle(
                    .sendMessage(SendMessageRequest(message: RuntimeHarness.message("yes", taskId: first.id))),
                    context: harness.context()
                )
            }
            #expect(error?.code == JSONRPCError.invalidParamsCode)
            #expect(error?.message.contains("a, b") == true)
            let answer = Message(messageId: "ans", taskId: first.id, role: .user, parts: [.data(["a": "yes", "b": "no"])])
            let response = try await harness.service.handle(.sendMessage(SendMessageRequest(message: answer)), context: harness.context())
            guard case .sendMessage(.task(let task)) = response else { throw RPCCallError(error: "no task") }
            #expect(task.status.state == .completed)
        }
    }

    @Test func aFollowUpToAWorkingTaskIsRefused() async throws {
        let executor = ScriptedExecutor()
        executor.enqueue([.event(.runStarted(runID: "r")), .event(.update(.status(.working, message: nil))), .wait("never")])
        try await RuntimeHarness.with(executor: executor) { harness in
            let response = try await harness.service.handle(
                .sendMessage(SendMessageRequest(message: RuntimeHarness.message("x"), configuration: .init(returnImmediately: true))),
                context: harness.context()
            )
            guard case .sendMessage(.task(let task)) = response else { throw RPCCallError(error: "no task") }
            let error = await #expect(throws: JSONRPCError.self) {
                try await harness.service.handle(.sendMessage(SendMessageRequest(message: RuntimeHarness.message("y", taskId: task.id))), context: harness.context())
            }
            #expect(error?.code == JSONRPCError.unsupportedOperationCode)
            executor.open("never")
        }
    }

    @Test func cancelingATaskThatNeedsInputCancelsItAtOnce() async throws {
        let executor = ScriptedExecutor()
        executor.enqueue(Self.needsInputWithoutInterrupt())
        try await RuntimeHarness.with(executor: executor) { harness in
            let first = try await send(harness, "x")
            let response = try await harness.service.handle(.cancelTask(CancelTaskRequest(id: first.id)), context: harness.context())
            guard case .task(let canceled) = response else { throw RPCCallError(error: "no task") }
            #expect(canceled.id == first.id)
            #expect(canceled.status.state == .canceled)
            #expect(executor.cancellations.isEmpty, "nothing was running")
            let again = await #expect(throws: JSONRPCError.self) {
                try await harness.service.handle(.cancelTask(CancelTaskRequest(id: first.id)), context: harness.context())
            }
            #expect(again?.code == JSONRPCError.taskNotCancelableCode)
        }
    }

    @Test func cancelingARunningTaskStopsItsRunAndEndsCanceled() async throws {
        let executor = ScriptedExecutor()
        executor.enqueue([
            .event(.runStarted(runID: "run-x")), .event(.update(.status(.working, message: nil))), .wait("stopped"),
            .event(.update(.status(.canceled, message: Message(messageId: "c", role: .agent, parts: [.text("The run was canceled")])))),
        ])
        try await RuntimeHarness.with(executor: executor) { harness in
            let response = try await harness.service.handle(
                .sendMessage(SendMessageRequest(message: RuntimeHarness.message("long"), configuration: .init(returnImmediately: true))),
                context: harness.context()
            )
            guard case .sendMessage(.task(let task)) = response else { throw RPCCallError(error: "no task") }
            // Wait until the run is known to be working.
            while try await harness.store.task(namespace: harness.namespace, id: task.id)?.runID == nil { await Task.yield() }
            while try await harness.store.task(namespace: harness.namespace, id: task.id)?.state != .working { await Task.yield() }
            async let canceled = harness.service.handle(.cancelTask(CancelTaskRequest(id: task.id)), context: harness.context())
            while executor.cancellations.isEmpty { await Task.yield() }
            #expect(executor.cancellations.first?.runID == "run-x")
            executor.open("stopped")
            guard case .task(let final) = try await canceled else { throw RPCCallError(error: "no task") }
            #expect(final.status.state == .canceled)
        }
    }

    @Test func cancelingAnUnknownOrFinishedTaskFails() async throws {
        try await RuntimeHarness.with { harness in
            let missing = await #expect(throws: JSONRPCError.self) {
                try await harness.service.handle(.cancelTask(CancelTaskRequest(id: "nope")), context: harness.context())
            }
            #expect(missing?.code == JSONRPCError.taskNotFoundCode)
            let done = try await send(harness, "x")
            let finished = await #expect(throws: JSONRPCError.self) {
                try await harness.service.handle(.cancelTask(CancelTaskRequest(id: done.id)), context: harness.context())
            }
            #expect(finished?.code == JSONRPCError.taskNotCancelableCode)
        }
    }

    @Test func aRunnerWhoseTaskWasCanceledStopsItsRun() async throws {
        let executor = ScriptedExecutor()
        executor.enqueue([.wait("start"), .event(.runStarted(runID: "late-run")), .event(.update(.status(.working, message: nil)))])
        try await RuntimeHarness.with(executor: executor) { harness in
            let response = try await harness.service.handle(
                .sendMessage(SendMessageRequest(message: RuntimeHarness.message("x"), configuration: .init(returnImmediately: true))),
                context: harness.context()
            )
            guard case .sendMessage(.task(let task)) = response else { throw RPCCallError(error: "no task") }
            // Canceled while submitted: at once, and the run that starts afterwards is stopped.
            guard case .task(let canceled) = try await harness.service.handle(.cancelTask(CancelTaskRequest(id: task.id)), context: harness.context()) else {
                throw RPCCallError(error: "no task")
            }
            #expect(canceled.status.state == .canceled)
            executor.open("start")
            while executor.cancellations.isEmpty { await Task.yield() }
            #expect(executor.cancellations.first?.runID == "late-run")
            #expect(try await harness.store.task(namespace: harness.namespace, id: task.id)?.state == .canceled)
        }
    }
}
