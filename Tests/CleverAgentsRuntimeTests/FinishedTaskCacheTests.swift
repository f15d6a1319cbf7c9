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
import Foundation
import Testing

@Suite(.timeLimit(.minutes(2))) struct FinishedTaskCacheTests {
    static let namespace = NamespaceName("cache")!
    static let createdAt = A2ATimestamp(millisecondsSinceEpoch: 1_000)

    static func record(_ id: String, state: TaskState = .completed, text: String = "done") -> TaskRecord {
        TaskRecord(
            namespace: namespace,
            id: id,
            contextId: "c",
            owner: "alice",
            actorName: "echo",
            status: TaskStatus(state: state),
            history: [Message(messageId: "m-\(id)", role: .user, parts: [.text(text)])],
            threadID: "t",
            createdAt: createdAt
        )
    }

    @Test func keepsTerminalTasksOnly() {
        let cache = FinishedTaskCache()
        for state in [TaskState.completed, .failed, .canceled, .rejected] {
            cache.remember(Self.record("\(state)", state: state), namespaceCreatedAt: Self.createdAt)
            #expect(cache.task(namespace: Self.namespace, id: "\(state)", namespaceCreatedAt: Self.createdAt)?.state == state)
        }
        for state in [TaskState.submitted, .working, .inputRequired, .authRequired] {
            cache.remember(Self.record("\(state)", state: state), namespaceCreatedAt: Self.createdAt)
            #expect(cache.task(namespace: Self.namespace, id: "\(state)", namespaceCreatedAt: Self.createdAt) == nil, "\(state) can still change")
        }
        #expect(cache.usage.tasks == 4)
    }

    @Test func aNamespaceCreatedAgainUnderTheSameNameSeesNoOldTask() {
        let cache = FinishedTaskCache()
        cache.remember(Self.record("a"), namespaceCreatedAt: Self.createdAt)
        #expect(cache.task(namespace: Self.namespace, id: "a", namespaceCreatedAt: A2ATimestamp(millisecondsSinceEpoch: 2_000)) == nil)
        #expect(cache.task(namespace: NamespaceName("other")!, id: "a", namespaceCreatedAt: Self.createdAt) == nil)
        #expect(cache.task(namespace: Self.namespace, id: "a", namespaceCreatedAt: Self.createdAt) != nil)
    }

    @Test func dropsTheOldestTasksBeyondItsCapacity() {
        let size = Self.record("x").estimatedBytes
        let cache = FinishedTaskCache(capacityBytes: size * 3, maximumEntryBytes: size)
        for id in ["a", "b", "c", "d"] {
            cache.remember(Self.record(id, text: "done"), namespaceCreatedAt: Self.createdAt)
        }
        #expect(cache.task(namespace: Self.namespace, id: "a", namespaceCreatedAt: Self.createdAt) == nil)
        for id in ["b", "c", "d"] {
            #expect(cache.task(namespace: Self.namespace, id: id, namespaceCreatedAt: Self.createdAt) != nil)
        }
        #expect(cache.usage.tasks == 3)
        #expect(cache.usage.bytes <= size * 3)

        // Remembering a kept task again does not count it twice.
        cache.remember(Self.record("d"), namespaceCreatedAt: Self.createdAt)
        #expect(cache.usage.tasks == 3)
        #expect(cache.usage.bytes == size * 3)
    }

    @Test func neverKeepsATaskLargerThanItsEntryLimit() {
        let cache = FinishedTaskCache(capacityBytes: 1 << 20)
        #expect(cache.maximumEntryBytes == 1 << 16)
        cache.remember(Self.record("big", text: String(repeating: "x", count: 1 << 16)), namespaceCreatedAt: Self.createdAt)
        #expect(cache.task(namespace: Self.namespace, id: "big", namespaceCreatedAt: Self.createdAt) == nil)
        #expect(cache.usage.bytes == 0)
    }

    @Test func aCapacityOfZeroKeepsNothing() {
        let cache = FinishedTaskCache(capacityBytes: 0)
        cache.remember(Self.record("a"), namespaceCreatedAt: Self.createdAt)
        #expect(cache.task(namespace: Self.namespace, id: "a", namespaceCreatedAt: Self.createdAt) == nil)
        #expect(cache.usage.tasks == 0)
    }

    @Test func theEstimateGrowsWithEveryKindOfContent() {
        let base = Self.record("a")
        var record = base
        record.history[0].parts.append(Part(.raw(Data(count: 1000))))
        #expect(record.estimatedBytes >= base.estimatedBytes + 1000)
        record = base
        record.artifacts = [Artifact(artifactId: "r", parts: [Part(.data(.object(["k": .array([.string(String(repeating: "v", count: 500)), .number(1), .null, .bool(true)])])))])]
        #expect(record.estimatedBytes >= base.estimatedBytes + 500)
        record = base
        record.metadata = ["note": .string(String(repeating: "n", count: 300))]
        record.status.message = Message(messageId: "s", role: .agent, parts: [Part(.url("https://example.com/" + String(repeating: "u", count: 200)))])
        #expect(record.estimatedBytes >= base.estimatedBytes + 500)
    }

    // MARK: GetTask

    @Test func getTaskReadsAFinishedTaskFromTheStoreOnce() async throws {
        try await RuntimeHarness.with { harness in
            let task = try await send(harness, "x")
            #expect(task.status.state == .completed)
            _ = try await harness.service.handle(.getTask(GetTaskRequest(id: task.id)), context: harness.context())
            // Change the stored row behind the service's back: a cached copy does not see it.
            var stored = try #require(try await harness.store.task(namespace: harness.namespace, id: task.id))
            let version = stored.version
            stored.metadata = ["changed": .bool(true)]
            stored.version += 1
            try await harness.store.updateTask(stored, expectedVersion: version, appending: [])
            let response = try await harness.service.handle(.getTask(GetTaskRequest(id: task.id)), context: harness.context())
            guard case .task(let fetched) = response else {
                Issue.record("expected a task")
                return
            }
            #expect(fetched.metadata == nil)
            #expect(harness.service.finishedTasks.usage.tasks == 1)
        }
    }

    @Test func aCachedTaskIsStillNotFoundForAnotherMember() async throws {
        try await RuntimeHarness.with { harness in
            let alice = harness.context(principal: "alice", role: .member)
            let task = try await send(harness, "x", context: alice)
            _ = try await harness.service.handle(.getTask(GetTaskRequest(id: task.id)), context: alice)
            #expect(harness.service.finishedTasks.usage.tasks == 1)
            let bob = harness.context(principal: "bob", role: .member)
            let error = await #expect(throws: JSONRPCError.self) {
                try await harness.service.handle(.getTask(GetTaskRequest(id: task.id)), context: bob)
            }
            #expect(error?.code == JSONRPCError.taskNotFoundCode)
        }
    }

    @Test func aNamespaceDeletedAndCreatedAgainDoesNotServeItsOldTasks() async throws {
        try await RuntimeHarness.with { harness in
            let task = try await send(harness, "x")
            _ = try await harness.service.handle(.getTask(GetTaskRequest(id: task.id)), context: harness.context())
            #expect(harness.service.finishedTasks.usage.tasks == 1)
            #expect(try await harness.store.deleteNamespace(named: harness.namespace))
            try await harness.store.createNamespace(Namespace(name: harness.namespace, authMode: .disabled, createdAt: .init(millisecondsSinceEpoch: 5_000)))
            let error = await #expect(throws: JSONRPCError.self) {
                try await harness.service.handle(.getTask(GetTaskRequest(id: task.id)), context: harness.context())
            }
            #expect(error?.code == JSONRPCError.taskNotFoundCode)
        }
    }
}
