//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsClient
import CleverAgentsTestSupport
import Foundation
import Testing

/// One protocol suite, written against the client library, run over HTTP (a real server) and
/// over stdio (a spawned `cleveragents stdio`): every A2A method and the sync methods behave the
/// same on both.
@Suite(.enabled(if: TestEnvironment.hasServices), .serialized, .timeLimit(.minutes(5))) struct ProtocolSuiteTests {
    @Test(arguments: TransportKind.allCases)
    func sendMessageGetTaskAndListTasks(_ kind: TransportKind) async throws {
        try await AgentHarness.with(kind) { agent in
            let response = try await agent.client.sendMessage(SendMessageRequest(message: .user("hello")))
            guard case .task(let task) = response else {
                Issue.record("expected a task, got \(response)")
                return
            }
            #expect(task.status.state == .completed)
            #expect(task.artifacts?.first?.parts.first?.text == "echo: hello")
            #expect(try await agent.client.getTask(GetTaskRequest(id: task.id)) == task)
            #expect(try await agent.client.getTask(GetTaskRequest(id: task.id, historyLength: 0)).history.isEmpty)

            _ = try await agent.client.sendMessage(SendMessageRequest(message: .user("again")))
            let page = try await agent.client.listTasks(ListTasksRequest(pageSize: 1))
            #expect(page.tasks.count == 1)
            #expect(page.totalSize == 2)
            #expect(!page.nextPageToken.isEmpty)
            let rest = try await agent.client.listTasks(ListTasksRequest(pageSize: 1, pageToken: page.nextPageToken))
            #expect(rest.tasks.last?.id == task.id)
            #expect(rest.nextPageToken.isEmpty)

            #expect(await rpcErrorCode { _ = try await agent.client.getTask(GetTaskRequest(id: "no-such-task")) } == JSONRPCError.taskNotFoundCode)
            #expect(await rpcErrorCode { _ = try await agent.client.listTasks(ListTasksRequest(pageSize: 0)) } == JSONRPCError.invalidParamsCode)
        }
    }

    @Test(arguments: TransportKind.allCases)
    func streamingMessageDeliversTheTaskThenItsEventsInOrder(_ kind: TransportKind) async throws {
        try await AgentHarness.with(kind) { agent in
            let events = try await agent.client.sendStreamingMessage(SendMessageRequest(message: .user("stream"))).collect()
            guard case .task(let task) = events.first else {
                Issue.record("the first event must be the task, got \(String(describing: events.first))")
                return
            }
            #expect(events.contains { if case .artifactUpdate = $0 { true } else { false } })
            guard case .statusUpdate(let last) = events.last else {
                Issue.record("the last event must be a status update")
                return
            }
            #expect(last.status.state == .completed)
            #expect(last.taskId == task.id)
            #expect(try await agent.client.getTask(GetTaskRequest(id: task.id)).status.state == .completed)
        }
    }

    @Test(arguments: TransportKind.allCases)
    func subscribeAndCancelARunningTask(_ kind: TransportKind) async throws {
        try await AgentHarness.with(kind) { agent in
            let request = SendMessageRequest(
                message: .user("wait", data: ["seconds": 30], actor: "slow"),
                configuration: SendMessageConfiguration(returnImmediately: true)
            )
            guard case .task(let task) = try await agent.client.sendMessage(request) else {
                Issue.record("expected a task")
                return
            }
            let subscription = try await agent.client.subscribeToTask(SubscribeToTaskRequest(id: task.id))
            let collected = Task { try await subscription.collect() }
            // Cancel once the run is working, so the cancel reaches LangGraph.
            for _ in 0..<200 {
                if try await agent.client.getTask(GetTaskRequest(id: task.id)).status.state == .working { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let canceled = try await agent.client.cancelTask(CancelTaskRequest(id: task.id))
            #expect(canceled.status.state == .canceled)
            let events = try await collected.value
            guard case .task(let first) = events.first else {
                Issue.record("a subscription starts with the task")
                return
            }
            #expect(first.id == task.id)
            guard case .statusUpdate(let last) = events.last else {
                Issue.record("a subscription ends with a status update")
                return
            }
            #expect(last.status.state == .canceled)
            #expect(await rpcErrorCode { _ = try await agent.client.cancelTask(CancelTaskRequest(id: task.id)) } == JSONRPCError.taskNotCancelableCode)
            #expect(
                await rpcErrorCode { _ = try await agent.client.subscribeToTask(SubscribeToTaskRequest(id: task.id)).collect() }
                    == JSONRPCError.unsupportedOperationCode
            )
            #expect(
                await rpcErrorCode { _ = try await agent.client.subscribeToTask(SubscribeToTaskRequest(id: "no-such-task")).collect() }
                    == JSONRPCError.taskNotFoundCode
            )
        }
    }

    @Test(arguments: TransportKind.allCases)
    func pushNotificationConfigsAreCreatedReadListedAndDeleted(_ kind: TransportKind) async throws {
        try await AgentHarness.with(kind) { agent in
            guard case .task(let task) = try await agent.client.sendMessage(SendMessageRequest(message: .user("push"))) else {
                Issue.record("expected a task")
                return
            }
            let created = try await agent.client.createTaskPushNotificationConfig(
                TaskPushNotificationConfig(taskId: task.id, url: "https://hooks.example.com/a2a", token: "t")
            )
            let configId = try #require(created.id)
            #expect(!configId.isEmpty)
            #expect(created.url == "https://hooks.example.com/a2a")
            let fetched = try await agent.client.getTaskPushNotificationConfig(GetTaskPushNotificationConfigRequest(taskId: task.id, id: configId))
            #expect(fetched.url == created.url)
            #expect(try await agent.client.listTaskPushNotificationConfigs(ListTaskPushNotificationConfigsRequest(taskId: task.id)).configs.map(\.id) == [configId])
            try await agent.client.deleteTaskPushNotificationConfig(DeleteTaskPushNotificationConfigRequest(taskId: task.id, id: configId))
            try await agent.client.deleteTaskPushNotificationConfig(DeleteTaskPushNotificationConfigRequest(taskId: task.id, id: configId))
            #expect(try await agent.client.listTaskPushNotificationConfigs(ListTaskPushNotificationConfigsRequest(taskId: task.id)).configs.isEmpty)
            #expect(
                await rpcErrorCode {
                    _ = try await agent.client.createTaskPushNotificationConfig(TaskPushNotificationConfig(taskId: task.id, url: "ftp://x"))
                } == JSONRPCError.invalidParamsCode
            )
        }
    }

    @Test(arguments: TransportKind.allCases)
    func errorsAreTheSameOnBothTransports(_ kind: TransportKind) async throws {
        try await AgentHarness.with(kind) { agent in
            #expect(await rpcErrorCode { _ = try await agent.client.getExtendedAgentCard() } == JSONRPCError.unsupportedOperationCode)
            #expect(
                await rpcErrorCode { _ = try await agent.client.transport.call("NoSuchMethod", params: EmptyResult(), as: EmptyResult.self, idempotent: true) }
                    == JSONRPCError.methodNotFoundCode
            )
            #expect(
                await rpcErrorCode { _ = try await agent.client.transport.call("GetTask", params: EmptyResult(), as: A2ATask.self, idempotent: true) }
                    == JSONRPCError.invalidParamsCode
            )
            #expect(
                await rpcErrorCode {
                    _ = try await agent.client.sendMessage(SendMessageRequest(message: .user("x", actor: "no-such-actor")))
                } == JSONRPCError.invalidParamsCode
            )
            #expect(
                await rpcErrorCode { _ = try await agent.client.getTask(GetTaskRequest(tenant: "someone-else", id: "x")) } == JSONRPCError.invalidParamsCode
            )
        }
    }

    @Test(arguments: TransportKind.allCases)
    func syncPushPullAndStatus(_ kind: TransportKind) async throws {
        try await AgentHarness.with(kind) { agent in
            let status = try await agent.client.syncStatus()
            #expect(status.kinds["actor"] == 2)
            let pushed = try await agent.client.syncPush(
                SyncPushRequest(batchId: "b1", items: [SyncPushItem(op: .upsert, kind: "note", name: "readme", baseRevision: 0, body: ["text": "hi"])])
            )
            #expect(pushed.results.map(\.status) == [.applied])
            let replayed = try await agent.client.syncPush(
                SyncPushRequest(batchId: "b1", items: [SyncPushItem(op: .upsert, kind: "note", name: "readme", baseRevision: 0, body: ["text": "hi"])])
            )
            #expect(replayed.replayed)
            let conflict = try await agent.client.syncPush(
                SyncPushRequest(batchId: "b2", items: [SyncPushItem(op: .upsert, kind: "note", name: "readme", baseRevision: 0, body: ["text": "other"])])
            )
            #expect(conflict.results.first?.status == .conflict)
            #expect(conflict.results.first?.current?.body == ["text": "hi"])
            let pulled = try await agent.client.syncPull(SyncPullRequest(cursor: status.head))
            #expect(pulled.changes.map(\.name) == ["readme"])
            #expect(pulled.nextCursor == pushed.head)
            #expect(await rpcErrorCode { _ = try await agent.client.syncPull(SyncPullRequest(pageSize: 100_000)) } == JSONRPCError.invalidParamsCode)
        }
    }
}
