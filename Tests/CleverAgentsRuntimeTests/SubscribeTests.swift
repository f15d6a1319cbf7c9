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

@Suite(.timeLimit(.minutes(2))) struct SubscribeTests {
    @Test func everySubscriberOfATaskReceivesEveryEventAfterTheCurrentTask() async throws {
        let executor = ScriptedExecutor()
        executor.enqueue([.wait("start"), .event(.runStarted(runID: "r")), .event(.update(.status(.working, message: nil))), .wait("finish")] + [
            .event(.update(.artifact(Artifact(artifactId: "a", parts: [.text("out")]), append: false, lastChunk: true))),
            .event(.update(.status(.completed, message: nil))),
        ])
        try await RuntimeHarness.with(executor: executor) { harness in
            let response = try await harness.service.handle(
                .sendMessage(SendMessageRequest(message: RuntimeHarness.message("x"), configuration: .init(returnImmediately: true))),
                context: harness.context()
            )
            guard case .sendMessage(.task(let task)) = response else { throw RPCCallError(error: "no task") }
            let first = try await harness.service.handle(.subscribeToTask(SubscribeToTaskRequest(id: task.id)), context: harness.context())
            let second = try await harness.service.handle(.subscribeToTask(SubscribeToTaskRequest(id: task.id)), context: harness.context())
            executor.open("start")
            executor.open("finish")
            let firstEvents = try await collect(first)
            let secondEvents = try await collect(second)
            #expect(firstEvents == secondEvents)
            guard case .task(let snapshot) = firstEvents.first else {
                Issue.record("the first event must be the task")
                return
            }
            #expect(snapshot.id == task.id)
            #expect(snapshot.status.state == .submitted)
            #expect(firstEvents.count == 4)
            if case .statusUpdate(let last) = firstEvents.last {
                #expect(last.status.state == .completed)
            } else {
                Issue.record("the last event must be the terminal status")
            }
        }
    }

    @Test func subscribingToATerminalTaskIsUnsupported() async throws {
        try await RuntimeHarness.with { harness in
            let task = try await send(harness, "x")
            let error = await #expect(throws: JSONRPCError.self) {
                try await harness.service.handle(.subscribeToTask(SubscribeToTaskRequest(id: task.id)), context: harness.context())
            }
            #expect(error?.code == JSONRPCError.unsupportedOperationCode)
            let actor = harness.service.directory.actor(for: harness.namespace)
            #expect(await actor.subscriberCount == 0, "the refused subscription is released")
        }
    }

    @Test func subscribingToAnUnknownTaskIsTaskNotFound() async throws {
        try await RuntimeHarness.with { harness in
            let error = await #expect(throws: JSONRPCError.self) {
                try await harness.service.handle(.subscribeToTask(SubscribeToTaskRequest(id: "nope")), context: harness.context())
            }
            #expect(error?.code == JSONRPCError.taskNotFoundCode)
        }
    }

    @Test func aSubscriptionToATaskThatNeedsInputStaysOpenPastInputRequired() async throws {
        try await RuntimeHarness.with { harness in
            let store = harness.store
            let namespace = harness.namespace
            var record = TaskRecord(
                namespace: namespace,
                id: "t1",
                contextId: "c1",
                owner: "anonymous",
                actorName: "echo",
                status: TaskStatus(state: .inputRequired, timestamp: .init(millisecondsSinceEpoch: 5)),
                threadID: "thread",
                lastEventSequence: 1,
                createdAt: .init(millisecondsSinceEpoch: 5)
            )
            try await store.createTask(record, events: [TaskEventRecord(namespace: namespace, taskId: "t1", sequence: 1, event: .task(record.a2aTask()))])
            let response = try await harness.service.handle(.subscribeToTask(SubscribeToTaskRequest(id: "t1")), context: harness.context())
            guard case .stream(let events) = response else { throw RPCCallError(error: "no stream") }

            let bus = LocalTaskEventBus(directory: harness.service.directory)
            var iterator = events.makeAsyncIterator()
            guard case .task = try await iterator.next() else {
                Issue.record("first event must be the task")
                return
            }
            for state in [TaskState.working, .inputRequired, .completed] {
                let expected = record.version
                let event = try record.apply(.status(state, message: nil), at: .init(millisecondsSinceEpoch: 6))
                record.lastEventSequence += 1
                let stored = TaskEventRecord(namespace: namespace, taskId: "t1", sequence: record.lastEventSequence, event: event)
                try await store.updateTask(record, expectedVersion: expected, appending: [stored])
                await bus.publish([stored])
            }
            var states: [TaskState] = []
            while let event = try await iterator.next() {
                if case .statusUpdate(let update) = event { states.append(update.status.state) }
            }
            #expect(states == [.working, .inputRequired, .completed])
        }
    }

    @Test func aSubscriberThatMissedEventsReadsThemFromTheStore() async throws {
        try await RuntimeHarness.with { harness in
            let store = harness.store
            let namespace = harness.namespace
            var record = TaskRecord(
                namespace: namespace, id: "t2", contextId: "c", owner: "anonymous", actorName: "echo",
                status: TaskStatus(state: .working), threadID: "th", lastEventSequence: 1, createdAt: .init(millisecondsSinceEpoch: 1)
            )
            try await store.createTask(record, events: [TaskEventRecord(namespace: namespace, taskId: "t2", sequence: 1, event: .task(record.a2aTask()))])
            let actor = harness.service.directory.actor(for: namespace)
            let subscription = await actor.subscribe(taskId: "t2")
            var published: [TaskEventRecord] = []
            for (index, text) in ["a", "b", "c"].enumerated() {
                let expected = record.version
                let event = try record.apply(.artifact(Artifact(artifactId: text, parts: [.text(text)]), append: false, lastChunk: true), at: .init(millisecondsSinceEpoch: 2))
                record.lastEventSequence += 1
                let stored = TaskEventRecord(namespace: namespace, taskId: "t2", sequence: record.lastEventSequence, event: event)
                try await store.updateTask(record, expectedVersion: expected, appending: [stored])
                if index == 2 { published.append(stored) }  // only the last one is announced
            }
            let expected = record.version
            let done = try record.apply(.status(.completed, message: nil), at: .init(millisecondsSinceEpoch: 3))
            record.lastEventSequence += 1
            let final = TaskEventRecord(namespace: namespace, taskId: "t2", sequence: record.lastEventSequence, event: done)
            try await store.updateTask(record, expectedVersion: expected, appending: [final])
            await actor.publish(published + [final])
            var delivered: [Int64] = []
            try await TaskEventStreamer.follow(subscription: subscription, after: 1, store: store, namespace: namespace) { delivered.append($0.sequence) }
            #expect(delivered == [2, 3, 4, 5])
            await subscription.cancel()
        }
    }

    private func collect(_ response: A2AResponse) async throws -> [StreamResponse] {
        guard case .stream(let events) = response else { throw RPCCallError(error: "no stream") }
        var collected: [StreamResponse] = []
        for try await event in events { collected.append(event) }
        return collected
    }
}
