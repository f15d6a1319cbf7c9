//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol

/// A webhook that receives a task's events, as stored (credentials sealed).
public struct PushConfigRecord: Sendable, Hashable {
    public var namespace: NamespaceName
    public var taskId: String
    /// Unique per task.
    public var id: String
    public var url: String
    /// Echoed to the receiver so it can check the notification is about its own task.
    public var token: String?
    /// `Authorization: <scheme> <credentials>` on every delivery.
    public var authenticationScheme: String?
    public var credentials: SealedSecret?
    /// The principal that created it.
    public var owner: String
    public var createdAt: A2ATimestamp

    public init(
        namespace: NamespaceName,
        taskId: String,
        id: String,
        url: String,
        token: String? = nil,
        authenticationScheme: String? = nil,
        credentials: SealedSecret? = nil,
        owner: String,
        createdAt: A2ATimestamp
    ) {
        self.namespace = namespace
        self.taskId = taskId
        self.id = id
        self.url = url
        self.token = token
        self.authenticationScheme = authenticationScheme
        self.credentials = credentials
        self.owner = owner
        self.createdAt = createdAt
    }
}

/// One queued notification: an event of a task, for one of its webhooks.
public struct PushDelivery: Sendable, Hashable {
    /// The outbox row.
    public var id: Int64
    public var namespace: NamespaceName
    public var taskId: String
    public var configId: String
    public var eventSequence: Int64
    public var event: StreamResponse
    /// Attempts made so far, this one included once claimed.
    public var attempts: Int

    public init(id: Int64, namespace: NamespaceName, taskId: String, configId: String, eventSequence: Int64, event: StreamResponse, attempts: Int) {
        self.id = id
        self.namespace = namespace
        self.taskId = taskId
        self.configId = configId
        self.eventSequence = eventSequence
        self.event = event
        self.attempts = attempts
    }
}
