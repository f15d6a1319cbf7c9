//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
public import CleverAgentsDomain

/// Storage of tasks' webhook configurations. Every call is scoped by namespace and task.
public protocol PushConfigStore: Sendable {
    /// Creates or replaces (same id) a configuration. Events committed after this are delivered to it.
    ///
    /// A new configuration of a task that already has `limit` is refused with
    /// ``PushConfigLimitExceeded``; replacing one of them is not. The count and the insertion are
    /// one step: concurrent creations cannot both take the last place.
    func putPushConfig(_ config: PushConfigRecord, limit: Int) async throws

    func pushConfig(namespace: NamespaceName, taskId: String, id: String) async throws -> PushConfigRecord?

    /// The task's configurations, oldest first.
    func pushConfigs(namespace: NamespaceName, taskId: String) async throws -> [PushConfigRecord]

    /// Deletes a configuration and its undelivered notifications; deleting a missing one is not an error.
    func deletePushConfig(namespace: NamespaceName, taskId: String, id: String) async throws
}

extension PushConfigStore {
    /// Creates or replaces a configuration, however many its task has.
    public func putPushConfig(_ config: PushConfigRecord) async throws {
        try await putPushConfig(config, limit: .max)
    }
}

/// A task has its cap of push notification configurations (`push.maxConfigsPerTask`).
public struct PushConfigLimitExceeded: Error, Sendable, Hashable, CustomStringConvertible {
    public var limit: Int

    public init(limit: Int) {
        self.limit = limit
    }

    public var description: String {
        "a task may have at most \(limit) push notification configs (push.maxConfigsPerTask); delete one first"
    }

    /// The JSON-RPC error: `-32053` (HTTP 429), as for the other caps, naming this one.
    public var rpcError: JSONRPCError {
        .resourceLimit("Too many push notification configs: \(description)", reason: "PUSH_CONFIGS_PER_TASK", limit: limit)
    }
}

/// The durable outbox of notifications. A task store fills it in the same transaction as the
/// events it announces, one delivery per event and configuration of the task.
public protocol PushOutbox: Sendable {
    /// Claims due deliveries, at most one per task and configuration (the oldest undelivered one,
    /// so each webhook gets its task's events in order), leasing them for `lease`.
    func claimDueDeliveries(limit: Int, lease: Duration) async throws -> [PushDelivery]

    /// The delivery succeeded; it leaves the outbox.
    func completeDelivery(id: Int64) async throws

    /// The delivery failed; it is due again after `delay`.
    func retryDelivery(id: Int64, after delay: Duration, error: String) async throws

    /// The delivery failed for good (or its configuration is gone); it is kept, marked failed,
    /// and no longer holds back later notifications.
    func abandonDelivery(id: Int64, error: String) async throws

    /// Gives back deliveries claimed but not sent (the worker stopped first): they are due at
    /// once, for any replica, and the attempt does not count.
    func releaseDeliveries(ids: [Int64]) async throws

    /// Signalled after a write queued deliveries; `nil` when the store does not tell, and the push
    /// worker looks at the outbox after every committed event instead.
    var queuedDeliveries: PushWakeSignal? { get }
}

extension PushOutbox {
    public var queuedDeliveries: PushWakeSignal? { nil }
}

/// Sends one notification over HTTP.
public protocol PushSender: Sendable {
    /// POSTs `body` to `url`. Throws ``PushSendError`` for failures.
    func send(_ body: [UInt8], to url: String, headers: [(name: String, value: String)]) async throws
}

/// Why a notification could not be sent.
public enum PushSendError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Worth retrying: the receiver is down, slow, or answered 408, 429 or 5xx.
    case transient(String)
    /// Not worth retrying: the address is not allowed, or the receiver answered 4xx.
    case permanent(String)

    public var description: String {
        switch self {
        case .transient(let reason): "transient: \(reason)"
        case .permanent(let reason): "permanent: \(reason)"
        }
    }
}
