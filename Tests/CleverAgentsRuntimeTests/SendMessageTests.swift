//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import CleverAgentsRuntime
import CleverAgentsTestSupport
import Testing

@Suite(.timeLimit(.minutes(2))) struct SendMessageTests {
    @Test func blockingSendReturnsTheCompletedTaskWithItsArtifactAndHistory() async throws {
        try await RuntimeHarness.with { harness in
            let response = try await harness.service.handle(
                .sendMessage(SendMessageRequest(message: RuntimeHarness.message("hello", id: "m1"))),
                context: harness.context()
            )
            guard case .sendMessage(.task(let task)) = response else {
                Issue.record("expected a task, got \(response)")
                return
            }
            #expect(task.status.state == .completed)
            #expect(task.artifacts?.first?.parts.first?.text == "done")
            #expect(task.history.map(\.messageId) == ["m1"])
            #expect(task.history.first?.taskId == task.id)
            #expect(task.history.first?.contextId == task.contextId)
            #expect(!task.contextId.isEmpty)

            let events = try await harness.store.events(namespace: harness.namespace, taskId: task.id, afterSequence: 0)
            #expect(events.map(\.sequence) == [1, 2, 3, 4])
            guard case .task(let initial) = events.first?.event else {
                Issue.record("the first event must be the task")
                return
            }
            #expect(initial.status.state == .submitted)
            let stored = try #require(try await harness.store.task(namespace: harness.namespace, id: task.id))
            #expect(stored.runID == "run-1")
            #expect(stored.lastEventSequence == 4)
        }
    }

    @Test func theRunGetsTheMessageTheActorAndADeterministicThread() async throws {
        try await RuntimeHarness.with { harness in
            let message = RuntimeHarness.message("hi", id: "m1", contextId: "ctx-1")
            _ = try await harness.service.handle(.sendMessage(SendMessageRequest(message: message)), context: harness.context(principal: "alice"))
            let request = try #require(harness.executor.requests.first)
            #expect(request.actor.assistantID == "echo")
            #expect(request.contextId == "ctx-1")
            #expect(request.threadID == ThreadIdentifier.thread(namespace: "test", owner: "alice", contextId: "ctx-1"))
            guard case .message(let sent) = request.input else {
                Issue.record("expected a message input")
                return
            }
            #expect(sent.messageId == "m1")
            #expect(sent.taskId == request.taskId)
        }
    }

    @Test func returnImmediatelyAnswersWithTheSubmittedTaskWhileTheRunContinues() async throws {
        let executor = ScriptedExecutor()
        executor.enqueue([.wait("go")] + ScriptedExecutor.completes(with: "later"))
        try await RuntimeHarness.with(executor: executor) { harness in
            let response = try await harness.service.handle(
                .sendMessage(SendMessageRequest(message: RuntimeHarness.message("x"), configuration: .init(returnImmediately: true))),
                context: harness.context()
            )
            guard case .sendMessage(.task(let task)) = response else {
                Issue.record("expected a task")
                return
            }
            #expect(task.status.state == .submitted)
            // Follow the task to its end through a subscription, then let the run go on.
            let stream = try await harness.service.handle(.subscribeToTask(SubscribeToTaskRequest(id: task.id)), context: harness.context())
            executor.open("go")
            guard case .stream(let events) = stream else {
                Issue.record("expected a stream")
                return
            }
            var states: [TaskState] = []
            for try await event in events {
                if case .statusUpdate(let update) = event { states.append(update.status.state) }
            }
            #expect(states == [.working, .completed])
        }
    }

    @Test func streamingSendsTheTaskFirstThenEveryEventInOrderAndCloses() async throws {
        try await RuntimeHarness.with { harness in
            let response = try await harness.service.handle(
                .sendStreamingMessage(SendMessageRequest(message: RuntimeHarness.message("x"))),
                context: harness.context()
            )
            guard case .stream(let events) = response else {
                Issue.record("expected a stream")
                return
            }
            var kinds: [String] = []
            for try await event in events {
                switch event {
                case .task(let task): kinds.append("task:\(task.status.state.rawValue)")
                case .statusUpdate(let update): kinds.append("status:\(update.status.state.rawValue)")
                case .artifactUpdate(let update): kinds.append("artifact:\(update.artifact.parts.first?.text ?? "")")
                case .message: kinds.append("message")
                }
            }
            #expect(kinds == ["task:TASK_STATE_SUBMITTED", "status:TASK_STATE_WORKING", "artifact:done", "status:TASK_STATE_COMPLETED"])
        }
    }

    @Test func aDirectReplyIsReturnedAsAMessageByABlockingSend() async throws {
        let executor = ScriptedExecutor()
        let reply = Message(messageId: "r1", role: .agent, parts: [.text("Direct message response")])
        executor.enqueue([.event(.runStarted(runID: "r")), .event(.reply(reply))])
        try await RuntimeHarness.with(executor: executor) { harness in
            let response = try await harness.service.handle(.sendMessage(SendMessageRequest(message: RuntimeHarness.message("x"))), context: harness.context())
            guard case .sendMessage(.message(let message)) = response else {
                Issue.record("expected a message, got \(response)")
                return
            }
            #expect(message.parts.first?.text == "Direct message response")
            #expect(message.role == .agent)
            #expect(message.contextId != nil)
        }
    }

    @Test func aFailingRunFailsTheTaskWithTheReason() async throws {
        let executor = ScriptedExecutor()
        executor.enqueue([.event(.runStarted(runID: "r")), .fail("LangGraph is unreachable (start run): connection refused")])
        try await RuntimeHarness.with(executor: executor) { harness in
            let response = try await harness.service.handle(.sendMessage(SendMessageRequest(message: RuntimeHarness.message("x"))), context: harness.context())
            guard case .sendMessage(.task(let task)) = response else {
                Issue.record("expected a task")
                return
            }
            #expect(task.status.state == .failed)
            #expect(task.status.message?.parts.first?.text == "LangGraph is unreachable (start run): connection refused")
            #expect(task.status.message?.role == .agent)
        }
    }

    @Test func aRunThatEndsWithoutAResultFailsTheTask() async throws {
        let executor = ScriptedExecutor()
        executor.enqueue([.event(.runStarted(runID: "r")), .event(.update(.status(.working, message: nil)))])
        try await RuntimeHarness.with(executor: executor) { harness in
            let response = try await harness.service.handle(.sendMessage(SendMessageRequest(message: RuntimeHarness.message("x"))), context: harness.context())
            guard case .sendMessage(.task(let task)) = response else {
                Issue.record("expected a task")
                return
            }
            #expect(task.status.state == .failed)
            #expect(task.status.message?.parts.first?.text == "The graph run ended without a result")
        }
    }

    @Test func aBlockingSendReturnsWhenTheTaskNeedsInput() async throws {
        let executor = ScriptedExecutor()
        let question = Message(messageId: "q", role: .agent, parts: [.text("Approve?")])
        executor.enqueue([.event(.runStarted(runID: "r")), .event(.update(.status(.inputRequired, message: question)))])
        try await RuntimeHarness.with(executor: executor) { harness in
            let response = try await harness.service.handle(.sendMessage(SendMessageRequest(message: RuntimeHarness.message("x"))), context: harness.context())
            guard case .sendMessage(.task(let task)) = response else {
                Issue.record("expected a task")
                return
            }
            #expect(task.status.state == .inputRequired)
            #expect(task.status.message?.parts.first?.text == "Approve?")
        }
    }

    @Test func historyLengthTrimsTheReturnedHistory() async throws {
        try await RuntimeHarness.with { harness in
            let response = try await harness.service.handle(
                .sendMessage(SendMessageRequest(message: RuntimeHarness.message("x"), configuration: .init(historyLength: 0))),
                context: harness.context()
            )
            guard case .sendMessage(.task(let task)) = response else {
                Issue.record("expected a task")
                return
            }
            #expect(task.history.isEmpty)
        }
    }

    @Test(arguments: [
        (RuntimeHarness.message("x", id: ""), "message.messageId"),
        (Message(messageId: "a", role: .agent, parts: [.text("x")]), "message.role"),
        (Message(messageId: "a", role: .user, parts: []), "message.parts"),
        (RuntimeHarness.message("x", id: String(repeating: "m", count: 257)), "message.messageId"),
        (RuntimeHarness.message("x", id: "two words"), "message.messageId"),
        (Message(messageId: "a", contextId: String(repeating: "c", count: 257), role: .user, parts: [.text("x")]), "message.contextId"),
        (Message(messageId: "a", contextId: "line\nbreak", role: .user, parts: [.text("x")]), "message.contextId"),
    ])
    func invalidMessagesAreRejectedNamingTheFieldAndNothingIsWritten(message: Message, field: String) async throws {
        try await RuntimeHarness.with { harness in
            let error = await #expect(throws: JSONRPCError.self) {
                try await harness.service.handle(.sendMessage(SendMessageRequest(message: message)), context: harness.context())
            }
            #expect(error?.code == JSONRPCError.invalidParamsCode)
            #expect(error?.message.contains(field) == true)
            let page = try await harness.store.listTasks(namespace: harness.namespace, query: TaskQuery(pageSize: 10))
            #expect(page.totalSize == 0)
            #expect(harness.executor.requests.isEmpty)
        }
    }

    @Test func tooManyPartsAreRejected() async throws {
        try await RuntimeHarness.with(limits: ServiceLimits(maximumParts: 2)) { harness in
            let message = Message(messageId: "m", role: .user, parts: [.text("a"), .text("b"), .text("c")])
            let error = await #expect(throws: JSONRPCError.self) {
                try await harness.service.handle(.sendMessage(SendMessageRequest(message: message)), context: harness.context())
            }
            #expect(error?.code == JSONRPCError.invalidParamsCode)
            #expect(error?.message.contains("at most 2 parts") == true)
        }
    }

    @Test func anUnknownActorIsAClearError() async throws {
        try await RuntimeHarness.with { harness in
            var message = RuntimeHarness.message("x")
            message.metadata = ["actor": "nope"]
            let error = await #expect(throws: JSONRPCError.self) {
                try await harness.service.handle(.sendMessage(SendMessageRequest(message: message)), context: harness.context())
            }
            #expect(error?.code == JSONRPCError.invalidParamsCode)
            #expect(error?.message == "Invalid params: 'message.metadata.actor': unknown actor 'nope'")
        }
    }

    @Test func aMessageCanNameAnActorInItsMetadata() async throws {
        try await RuntimeHarness.with { harness in
            try await harness.store.putActor(ActorDefinition(name: "other", graphURL: "http://graphs.invalid", assistantID: "other-graph"), in: harness.namespace)
            var message = RuntimeHarness.message("x")
            message.metadata = ["actor": "other"]
            _ = try await harness.service.handle(.sendMessage(SendMessageRequest(message: message)), context: harness.context())
            #expect(harness.executor.requests.first?.actor.assistantID == "other-graph")
        }
    }

    @Test func aTenantParamNamingAnotherNamespaceIsRejected() async throws {
        try await RuntimeHarness.with { harness in
            let error = await #expect(throws: JSONRPCError.self) {
                try await harness.service.handle(.getTask(GetTaskRequest(tenant: "other", id: "t")), context: harness.context())
            }
            #expect(error?.code == JSONRPCError.invalidParamsCode)
            #expect(error?.message.contains("tenant") == true)
        }
    }

    @Test func anUnknownNamespaceIsReported() async throws {
        try await RuntimeHarness.with { harness in
            var context = harness.context()
            context.namespace = NamespaceName("missing")!
            await #expect(throws: ServiceError.namespaceNotFound("missing")) {
                try await harness.service.handle(.getTask(GetTaskRequest(id: "t")), context: context)
            }
        }
    }

    @Test func aMessageForAnUnknownTaskIsTaskNotFound() async throws {
        try await RuntimeHarness.with { harness in
            let error = await #expect(throws: JSONRPCError.self) {
                try await harness.service.handle(
                    .sendMessage(SendMessageRequest(message: RuntimeHarness.message("x", taskId: "nope"))),
                    context: harness.context()
                )
            }
            #expect(error?.code == JSONRPCError.taskNotFoundCode)
        }
    }

    @Test func aMessageForATerminalTaskIsUnsupported() async throws {
        try await RuntimeHarness.with { harness in
            let task = try await completedTask(harness)
            let error = await #expect(throws: JSONRPCError.self) {
                try await harness.service.handle(
                    .sendMessage(SendMessageRequest(message: RuntimeHarness.message("again", taskId: task.id))),
                    context: harness.context()
                )
            }
            #expect(error?.code == JSONRPCError.unsupportedOperationCode)
        }
    }

    @Test func aMessageWhoseContextDoesNotMatchItsTaskIsRejected() async throws {
        try await RuntimeHarness.with { harness in
            let task = try await completedTask(harness)
            let error = await #expect(throws: JSONRPCError.self) {
                try await harness.service.handle(
                    .sendMessage(SendMessageRequest(message: RuntimeHarness.message("again", taskId: task.id, contextId: "other"))),
                    context: harness.context()
                )
            }
            #expect(error?.code == JSONRPCError.invalidParamsCode)
            #expect(error?.message.contains("message.contextId") == true)
        }
    }

    private func completedTask(_ harness: RuntimeHarness) async throws -> A2ATask {
        let response = try await harness.service.handle(.sendMessage(SendMessageRequest(message: RuntimeHarness.message("x"))), context: harness.context())
        guard case .sendMessage(.task(let task)) = response else { throw RPCCallError(error: "no task") }
        return task
    }
}
