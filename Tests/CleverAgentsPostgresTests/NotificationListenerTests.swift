//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import CleverAgentsPostgres
import CleverAgentsTestSupport
import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing

/// The listener on a real PostgreSQL: it hears notifications, and when its connection is killed
/// it reconnects by itself, calls its catch-up, and hears again.
@Suite(.enabled(if: TestEnvironment.hasPostgres), .timeLimit(.minutes(2))) struct NotificationListenerTests {
    final class Heard: Sendable {
        let payloads = Mutex<[String]>([])
        let reconnects = Mutex(0)
    }

    @Test func aKilledConnectionIsReplacedCaughtUpOnAndHearsAgain() async throws {
        let raw = try #require(TestEnvironment.databaseURL)
        // A name of its own, so that the test kills this listener's connection and no other.
        let application = TestEnvironment.uniqueName("listener").replacingOccurrences(of: "-", with: "_")
        let channel = "test_\(application)"
        let separator = raw.contains("?") ? "&" : "?"
        let listenerURL = try DatabaseURL(raw + "\(separator)application_name=\(application)")
        let logger = {
            var logger = Logger(label: "listener-test")
            logger.logLevel = .critical
            return logger
        }()
        let listenerClient = PostgresClient(configuration: try listenerURL.clientConfiguration(), backgroundLogger: logger)
        let heard = Heard()
        let listener = PostgresNotificationListener(
            client: listenerClient, channels: [channel], logger: logger, maximumBackoff: .milliseconds(200),
            onReconnect: { heard.reconnects.withLock { $0 += 1 } }
        ) { _, payload in
            heard.payloads.withLock { $0.append(payload) }
        }
        try await PostgresTestDatabase.withClient(url: raw) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await listenerClient.run() }
                group.addTask { try await listener.run() }
                defer { group.cancelAll() }

                // NOTIFY until the listener hears one: its LISTEN may not be in place yet.
                func notifyUntilHeard(_ payload: String) async throws -> Bool {
                    for _ in 0..<1200 {
                        try await client.query(PostgresQuery(unsafeSQL: "NOTIFY \(channel), '\(payload)'"), logger: logger)
                        if heard.payloads.withLock({ $0.contains(payload) }) { return true }
                        try await Task.sleep(for: .milliseconds(50))
                    }
                    return false
                }
                #expect(try await notifyUntilHeard("before"), "heard before the connection was killed")
                #expect(heard.reconnects.withLock { $0 } == 0, "no catch-up on the first connection")

                let killed = try await client.query(
                    PostgresQuery(unsafeSQL: "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '\(application)') AS k"),
                    logger: logger
                ).collect().first?.decode(Int.self)
                #expect((killed ?? 0) >= 1, "the listener's connection was killed")

                #expect(await waitUntil(.seconds(30)) { heard.reconnects.withLock { $0 } >= 1 }, "the listener reconnected and called its catch-up")
                #expect(try await notifyUntilHeard("after"), "heard after reconnecting")
            }
        }
    }
}
