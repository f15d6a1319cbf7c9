//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsDomain

/// Storage of tasks' webhook configurations. Every call is scoped by namespace and task.
public protocol PushConfigStore: Sendable {
    /// Creates or replaces (same id) a configuration. Events committed after this are delivered to it.
    func putPushConfig(_ config: PushConfigRecord) async throws

    func pushConfig(namespace: NamespaceName, taskId: String, id: String) async throws -> PushConfigRecord?

    /// The task's configurations, oldest first.
    func pushConfigs(namespace: NamespaceName, taskId: String) async throws -> [PushConfigRecord]

    /// Deletes a configuration and its undelivered notifications; deleting a missing one is not an error.
    func deletePushConfig(namespace: NamespaceName, taskId: String, id: String) async throws
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
