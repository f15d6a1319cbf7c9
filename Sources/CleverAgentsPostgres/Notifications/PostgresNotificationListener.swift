//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
public import Logging
public import PostgresNIO
public import ServiceLifecycle
import Synchronization

/// Listens to PostgreSQL notification channels on one dedicated connection, as a Service.
///
/// When the connection drops it reconnects with backoff and then calls `onReconnect`, so that the
/// owner can catch up on what it may have missed (notifications are not queued while nobody
/// listens).
public final class PostgresNotificationListener: Service, Sendable {
    public typealias Handler = @Sendable (_ channel: String, _ payload: String) async -> Void

    private let client: PostgresClient
    private let channels: [String]
    private let handler: Handler
    private let onReconnect: @Sendable () async -> Void
    private let logger: Logger
    private let maximumBackoff: Duration

    public init(
        client: PostgresClient,
        channels: [String],
        logger: Logger,
        maximumBackoff: Duration = .seconds(5),
        onReconnect: @escaping @Sendable () async -> Void = {},
        handler: @escaping Handler
    ) {
        self.client = client
        self.channels = channels
        self.handler = handler
        self.onReconnect = onReconnect
        self.logger = logger
        self.maximumBackoff = maximumBackoff
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var failures = 0
            var connectedBefore = false
            while !Task.isCancelled {
                let listening = ListeningCount()
                do {
                    let isReconnect = connectedBefore
                    let streak = failures
                    try await self.client.withConnection { connection in
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            for channel in self.channels {
                                group.addTask {
                                    try await connection.listen(on: channel) { notifications in
                                        // The LISTEN is in place: once every channel is, a reconnect may catch up.
                                        let ready = listening.increment() == self.channels.count
                                        if ready && isReconnect {
                                            if streak > 0 { self.logger.info("Notification listener reconnected", metadata: ["attempts": "\(streak)"]) }
                                            await self.onReconnect()
                                        }
                                        for try await notification in notifications {
                                            await self.handler(channel, notification.payload)
                                        }
                                    }
                                }
                            }
                            try await group.next()
                            group.cancelAll()
                        }
                    }
                } catch {
                    if Task.isCancelled { return }
                    // A connection that listened ends a streak of failures: its loss starts anew.
                    if listening.value == self.channels.count { failures = 0 }
                    failures += 1
                    // Once per streak at warning (the server's DatabaseWatch reports the database
                    // itself); each retry at debug.
                    self.logger.log(
                        level: failures == 1 ? .warning : .debug,
                        "Notification listener lost its connection; reconnecting",
                        metadata: ["error": "\(DatabaseURL.summary(of: error))", "attempt": "\(failures)"]
                    )
                }
                if Task.isCancelled { return }
                if failures == 0 { failures = 1 }
                try? await Task.sleep(for: ExponentialBackoff(initial: .milliseconds(100), maximum: self.maximumBackoff).delay(afterAttempt: failures))
                connectedBefore = true
            }
        }
    }
}

/// How many channels of one connection are listening.
private final class ListeningCount: Sendable {
    private let count = Mutex(0)

    var value: Int { count.withLock { $0 } }

    func increment() -> Int {
        count.withLock { count in
            count += 1
            return count
        }
    }
}
