//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol

/// A typed client of every A2A 1.0 method and of the CleverAgents sync methods, over any
/// ``A2ATransport``.
///
/// ```swift
/// let client = try await TransportSelector().client(for: profile)
/// let response = try await client.sendMessage(SendMessageRequest(message: Message(messageId: UUID().uuidString, role: .user, parts: [.text("hi")])))
/// for try await event in try await client.sendStreamingMessage(request) { print(event) }
/// ```
public struct A2AClient: Sendable {
    public let transport: any A2ATransport

    public init(transport: any A2ATransport) {
        self.transport = transport
    }

    // MARK: Messages

    public func sendMessage(_ request: SendMessageRequest) async throws -> SendMessageResponse {
        try await transport.call(A2AMethod.sendMessage.rawValue, params: request, as: SendMessageResponse.self, idempotent: false)
    }

    public func sendStreamingMessage(_ request: SendMessageRequest) async throws -> A2AEventStream {
        try await transport.stream(A2AMethod.sendStreamingMessage.rawValue, params: request)
    }

    // MARK: Tasks

    public func getTask(_ request: GetTaskRequest) async throws -> A2ATask {
        try await transport.call(A2AMethod.getTask.rawValue, params: request, as: A2ATask.self, idempotent: true)
    }

    public func listTasks(_ request: ListTasksRequest = ListTasksRequest()) async throws -> ListTasksResponse {
        try await transport.call(A2AMethod.listTasks.rawValue, params: request, as: ListTasksResponse.self, idempotent: true)
    }

    public func cancelTask(_ request: CancelTaskRequest) async throws -> A2ATask {
        try await transport.call(A2AMethod.cancelTask.rawValue, params: request, as: A2ATask.self, idempotent: false)
    }

    public func subscribeToTask(_ request: SubscribeToTaskRequest) async throws -> A2AEventStream {
        try await transport.stream(A2AMethod.subscribeToTask.rawValue, params: request)
    }

    // MARK: Push notification configurations

    public func createTaskPushNotificationConfig(_ config: TaskPushNotificationConfig) async throws -> TaskPushNotificationConfig {
        try await transport.call(A2AMethod.createTaskPushNotificationConfig.rawValue, params: config, as: TaskPushNotificationConfig.self, idempotent: false)
    }

    public func getTaskPushNotificationConfig(_ request: GetTaskPushNotificationConfigRequest) async throws -> TaskPushNotificationConfig {
        try await transport.call(A2AMethod.getTaskPushNotificationConfig.rawValue, params: request, as: TaskPushNotificationConfig.self, idempotent: true)
    }

    public func listTaskPushNotificationConfigs(_ request: ListTaskPushNotificationConfigsRequest) async throws -> ListTaskPushNotificationConfigsResponse {
        try await transport.call(
            A2AMethod.listTaskPushNotificationConfigs.rawValue,
            params: request,
            as: ListTaskPushNotificationConfigsResponse.self,
            idempotent: true
        )
    }

    public func deleteTaskPushNotificationConfig(_ request: DeleteTaskPushNotificationConfigRequest) async throws {
        // Deleting is idempotent (deleting a missing configuration is not an error).
        _ = try await transport.call(A2AMethod.deleteTaskPushNotificationConfig.rawValue, params: request, as: EmptyResult.self, idempotent: true)
    }

    // MARK: Agent card

    public func getExtendedAgentCard(_ request: GetExtendedAgentCardRequest = GetExtendedAgentCardRequest()) async throws -> AgentCard {
        try await transport.call(A2AMethod.getExtendedAgentCard.rawValue, params: request, as: AgentCard.self, idempotent: true)
    }

    // MARK: Sync (`_cleveragents/sync/*`)

    /// Pushes a batch; safe to retry with the same `batchId`, which the agent applies once.
    public func syncPush(_ request: SyncPushRequest) async throws -> SyncPushResponse {
        try await transport.call(SyncMethod.push.rawValue, params: request, as: SyncPushResponse.self, idempotent: true)
    }

    public func syncPull(_ request: SyncPullRequest) async throws -> SyncPullResponse {
        try await transport.call(SyncMethod.pull.rawValue, params: request, as: SyncPullResponse.self, idempotent: true)
    }

    public func syncStatus() async throws -> SyncStatusResponse {
        try await transport.call(SyncMethod.status.rawValue, params: SyncStatusRequest(), as: SyncStatusResponse.self, idempotent: true)
    }

    /// Ends the transport.
    public func close() async throws {
        try await transport.close()
    }
}
