//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
public import CleverAgentsDomain
import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

/// Delivers queued notifications: each webhook gets its task's events at least once and in order,
/// retried with exponential backoff, within a bounded timeout per attempt.
///
/// The outbox is durable, so a restart loses nothing: a delivery claimed by a replica that dies is
/// claimed again when its lease runs out; one a stopping worker could not send is given back at
/// once. Committed events wake the worker; it also polls, to
/// pick up what other replicas queued.
public final class PushDeliveryWorker: Service, TaskEventBus, Sendable {
    public struct Configuration: Sendable, Hashable {
        /// How often the outbox is polled when nothing woke the worker.
        public var pollInterval: Duration
        /// Deliveries claimed (and sent concurrently) per round.
        public var batchSize: Int
        /// How long a claimed delivery is reserved for this replica.
        public var lease: Duration
        /// Attempts before a notification is given up.
        public var maximumAttempts: Int
        public var initialBackoff: Duration
        public var maximumBackoff: Duration

        public init(
            pollInterval: Duration = .seconds(1),
            batchSize: Int = 32,
            lease: Duration = .seconds(60),
            maximumAttempts: Int = 12,
            initialBackoff: Duration = .seconds(1),
            maximumBackoff: Duration = .seconds(300)
        ) {
            self.pollInterval = pollInterval
            self.batchSize = batchSize
            self.lease = lease
            self.maximumAttempts = maximumAttempts
            self.initialBackoff = initialBackoff
            self.maximumBackoff = maximumBackoff
        }

        /// The delay after attempt `attempt` failed: doubling from `initialBackoff`, capped.
        func backoff(afterAttempt attempt: Int) -> Duration {
            ExponentialBackoff(initial: initialBackoff, maximum: maximumBackoff).delay(afterAttempt: attempt)
        }
    }

    private let outbox: any PushOutbox
    private let configs: any PushConfigStore
    private let sender: any PushSender
    private let secrets: any SecretBox
    private let configuration: Configuration
    private let logger: Logger
    private let metrics: ServerMetrics
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    /// Deliveries claimed here whose outcome is not recorded yet: given back when the worker
    /// stops, so that no replica waits for their lease to run out.
    private let unsettled = Mutex<Set<Int64>>([])

    public init(
        outbox: any PushOutbox,
        configs: any PushConfigStore,
        sender: any PushSender,
        secrets: any SecretBox,
        configuration: Configuration = .init(),
        logger: Logger,
        metrics: ServerMetrics = ServerMetrics()
    ) {
        self.outbox = outbox
        self.configs = configs
        self.sender = sender
        self.secrets = secrets
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        (self.wakeups, self.wake) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.wakesOnQueuedDeliveriesOnly = outbox.queuedDeliveries != nil
        outbox.queuedDeliveries?.onSignal { [wake] in wake.yield() }
    }

    /// Whether the outbox signals queued deliveries, so that committed events need not wake the worker.
    private let wakesOnQueuedDeliveriesOnly: Bool

    /// New events were committed on this replica: look at the outbox now, unless the outbox
    /// says when that is worth it.
    public func publish(_ events: [TaskEventRecord]) async {
        guard !wakesOnQueuedDeliveriesOnly else { return }
        wake.yield()
    }

    /// Delivers until graceful shutdown; a batch in flight is finished (sent and recorded), so a
    /// shutdown does not leave delivered notifications to be sent again.
    ///
    /// One loop reads the wake-ups (committed events, and a tick every ``Configuration/pollInterval``
    /// for what other replicas queued) for the worker's whole life: an `AsyncStream` whose reader
    /// is cancelled ends for good, so it must not be read anew per wait.
    public func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.tick() }
                for await _ in self.wakeups {
                    guard !Task.isShuttingDownGracefully else { break }
                    while await self.deliverDueNotifications() > 0, !Task.isShuttingDownGracefully {}
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.wake.finish()
        }
        await releaseUnsettledDeliveries()
    }

    /// Gives back what was claimed here and not settled (a send cut short by cancellation, an
    /// outbox write that failed). An unstructured task, so that a cancelled worker still does it.
    private func releaseUnsettledDeliveries() async {
        let ids = unsettled.withLock { ids in
            defer { ids.removeAll() }
            return ids.sorted()
        }
        guard !ids.isEmpty else { return }
        let (outbox, logger) = (outbox, logger)
        await Task {
            do {
                try await outbox.releaseDeliveries(ids: ids)
                logger.debug("Gave back unsent push notifications", metadata: ["count": "\(ids.count)"])
            } catch {
                logger.warning("Cannot give back unsent push notifications; their lease will expire", metadata: ["error": "\(error)"])
            }
        }.value
    }

    /// Wakes the worker now and after every poll interval, until cancelled.
    private func tick() async {
        while !Task.isCancelled {
            wake.yield()
            try? await Task.sleep(for: configuration.pollInterval)
        }
    }

    /// Claims and sends one batch; returns how many were claimed.
    @discardableResult
    public func deliverDueNotifications() async -> Int {
        let batch: [PushDelivery]
        do {
            batch = try await outbox.claimDueDeliveries(limit: configuration.batchSize, lease: configuration.lease)
        } catch is CancellationError {
            return 0
        } catch {
            // An unreachable database is the server's to report, once (it retries every poll).
            logger.log(level: error.isUnavailableStore ? .debug : .warning, "Cannot read the notification outbox", metadata: ["error": "\(error)"])
            return 0
        }
        unsettled.withLock { $0.formUnion(batch.map(\.id)) }
        await withDiscardingTaskGroup { group in
            for delivery in batch {
                group.addTask { await self.deliver(delivery) }
            }
        }
        return batch.count
    }

    func deliver(_ delivery: PushDelivery) async {
        var logger = logger
        logger[metadataKey: "namespace"] = "\(delivery.namespace)"
        logger[metadataKey: "task_id"] = "\(delivery.taskId)"
        logger[metadataKey: "push_config_id"] = "\(delivery.configId)"
        let started = ContinuousClock.now
        var result = "error"
        defer {
            metrics.recordPushDelivery(result: result, duration: ContinuousClock.now - started)
            // Recorded, or left to its lease after the outbox failed: no longer this worker's to
            // give back. Only an attempt cut short by the worker's stop is given back.
            if result != "error" || !Task.isCancelled { _ = unsettled.withLock { $0.remove(delivery.id) } }
        }
        do {
            guard let config = try await configs.pushConfig(namespace: delivery.namespace, taskId: delivery.taskId, id: delivery.configId) else {
                try await outbox.abandonDelivery(id: delivery.id, error: "the push notification config was deleted")
                result = "abandoned"
                return
            }
            var headers: [(name: String, value: String)] = [("Content-Type", "application/a2a+json")]
            if let scheme = config.authenticationScheme, !scheme.isEmpty {
                let credentials = try config.openCredentials(with: secrets) ?? ""
                headers.append(("Authorization", credentials.isEmpty ? scheme : "\(scheme) \(credentials)"))
            }
            if let token = config.token, !token.isEmpty {
                headers.append(("X-A2A-Notification-Token", token))
            }
            let body = try Array(A2AJSON.makeEncoder().encode(delivery.event))
            do {
                try await sender.send(body, to: config.url, headers: headers)
                try await outbox.completeDelivery(id: delivery.id)
                result = "delivered"
            } catch let error as PushSendError {
                switch error {
                case .permanent(let reason):
                    logger.warning("Push notification refused; giving up", metadata: ["reason": "\(reason)"])
                    try await outbox.abandonDelivery(id: delivery.id, error: reason)
                    result = "abandoned"
                case .transient(let reason) where delivery.attempts >= configuration.maximumAttempts:
                    logger.warning("Push notification failed too often; giving up", metadata: ["reason": "\(reason)", "attempts": "\(delivery.attempts)"])
                    try await outbox.abandonDelivery(id: delivery.id, error: reason)
                    result = "abandoned"
                case .transient(let reason):
                    logger.info("Push notification failed; will retry", metadata: ["reason": "\(reason)", "attempt": "\(delivery.attempts)"])
                    try await outbox.retryDelivery(id: delivery.id, after: configuration.backoff(afterAttempt: delivery.attempts), error: reason)
                    result = "retrying"
                }
            }
        } catch {
            // The outbox itself failed: the lease runs out and the delivery is claimed again.
            logger.warning("Push notification bookkeeping failed", metadata: ["error": "\(error)"])
        }
    }
}

/// Resolves a host name to addresses, for the webhook address policy.
public protocol HostResolver: Sendable {
    func addresses(of host: String, port: Int) async throws -> [String]
}

/// Announces events to several buses: local subscribers, the push worker, other replicas.
public struct CompositeTaskEventBus: TaskEventBus {
    public let buses: [any TaskEventBus]

    public init(_ buses: [any TaskEventBus]) {
        self.buses = buses
    }

    public func publish(_ events: [TaskEventRecord]) async {
        for bus in buses {
            await bus.publish(events)
        }
    }
}
