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

/// The caps on open streams per principal and per namespace, on one replica.
@Suite(.timeLimit(.minutes(1))) struct StreamLimitTests {
    @Test func anActorRefusesStreamsBeyondACallersCapAndTheNamespacesCap() async throws {
        let actor = NamespaceActor(name: NamespaceName("acme")!, ports: .inMemory(), settings: NamespaceActor.Settings(streamLimits: StreamLimits(perPrincipal: 2, perNamespace: 3)))
        let alice1 = try await actor.openStream(taskId: "t1", principal: "alice")
        _ = try await actor.openStream(taskId: "t2", principal: "alice")
        await #expect(throws: StreamLimitExceeded(scope: .principal, limit: 2)) { try await actor.openStream(taskId: "t3", principal: "alice") }
        _ = try await actor.openStream(taskId: "t1", principal: "bob")
        await #expect(throws: StreamLimitExceeded(scope: .namespace, limit: 3)) { try await actor.openStream(taskId: "t1", principal: "carol") }
        #expect(await actor.openStreamCount() == 3)
        #expect(await actor.openStreamCount(principal: "alice") == 2)

        // A follower of a blocking call is no stream: it is not counted, nor refused.
        let follower = await actor.subscribe(taskId: "t1")
        #expect(await actor.openStreamCount() == 3)

        // A closed stream frees its slot, for its principal and the namespace.
        await alice1.cancel()
        #expect(await actor.openStreamCount(principal: "alice") == 1)
        _ = try await actor.openStream(taskId: "t4", principal: "carol")
        await #expect(throws: StreamLimitExceeded(scope: .namespace, limit: 3)) { try await actor.openStream(taskId: "t4", principal: "alice") }
        await follower.cancel()
        #expect(await actor.openStreamCount() == 3)
    }

    /// Many requests at once for the last slots: the check and the registration are one step.
    @Test func concurrentStreamsNeverExceedTheCap() async throws {
        let actor = NamespaceActor(name: NamespaceName("acme")!, ports: .inMemory(), settings: NamespaceActor.Settings(streamLimits: StreamLimits(perPrincipal: 10, perNamespace: 1000)))
        let opened = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<200 {
                group.addTask { (try? await actor.openStream(taskId: "t\(index)", principal: "alice")) != nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(opened == 10)
        #expect(await actor.openStreamCount(principal: "alice") == 10)
    }

    /// Through the service: beyond the cap `SendStreamingMessage` and `SubscribeToTask` are
    /// `-32053`, and a refused `SendStreamingMessage` creates no task; a stream that ends (the
    /// task finished) or whose reader goes away frees its slot.
    @Test func streamingCallsBeyondTheCapAreRefusedAndEndedStreamsFreeTheirSlots() async throws {
        let executor = ScriptedExecutor()
        executor.enqueue([.wait("first")] + ScriptedExecutor.completes(with: "one"))
        executor.enqueue([.wait("second")] + ScriptedExecutor.completes(with: "two"))
        try await RuntimeHarness.with(streamLimits: StreamLimits(perPrincipal: 1, perNamespace: 10), executor: executor) { harness in
            let actor = harness.service.directory.actor(for: harness.namespace)
            let alice = harness.context(principal: "alice", role: .admin)
            let streaming = try await harness.service.handle(.sendStreamingMessage(SendMessageRequest(message: RuntimeHarness.message("a"))), context: alice)
            guard case .stream(let events) = streaming else { throw RPCCallError(error: "no stream") }
            #expect(await actor.openStreamCount(principal: "alice") == 1)

            let before = try await harness.store.listTasks(namespace: harness.namespace, query: TaskQuery(pageSize: 100)).tasks.count
            let refused = await #expect(throws: JSONRPCError.self) {
                try await harness.service.handle(.sendStreamingMessage(SendMessageRequest(message: RuntimeHarness.message("b"))), context: alice)
            }
            #expect(refused?.code == JSONRPCError.rateLimitedCode)
            #expect(refused?.message.contains("at most 1 streams may be open per caller") == true, "\(refused?.message ?? "")")
            let after = try await harness.store.listTasks(namespace: harness.namespace, query: TaskQuery(pageSize: 100)).tasks.count
            #expect(after == before, "a refused stream created no task")

            // Another principal has a slot of its own; a blocking call needs none.
            let bob = harness.context(principal: "bob", role: .owner)
            let second = try await harness.service.handle(
                .sendMessage(SendMessageRequest(message: RuntimeHarness.message("c"), configuration: .init(returnImmediately: true))), context: bob
            )
            guard case .sendMessage(.task(let secondTask)) = second else { throw RPCCallError(error: "no task") }
            let subscribed = await #expect(throws: JSONRPCError.self) {
                try await harness.service.handle(.subscribeToTask(SubscribeToTaskRequest(id: secondTask.id)), context: alice)
            }
            #expect(subscribed?.code == JSONRPCError.rateLimitedCode)

            // The stream ends with its task: the slot is free again.
            executor.open("first")
            for try await _ in events {}
            #expect(await waitUntil(.seconds(60)) { await actor.openStreamCount(principal: "alice") == 0 })

            // A reader that goes away frees its slot too.
            let reader = Task {
                let response = try await harness.service.handle(.subscribeToTask(SubscribeToTaskRequest(id: secondTask.id)), context: alice)
                guard case .stream(let events) = response else { return }
                for try await _ in events {}
            }
            #expect(await waitUntil(.seconds(60)) { await actor.openStreamCount(principal: "alice") == 1 })
            reader.cancel()
            #expect(await waitUntil(.seconds(60)) { await actor.openStreamCount(principal: "alice") == 0 })
            executor.open("second")
        }
    }
}
