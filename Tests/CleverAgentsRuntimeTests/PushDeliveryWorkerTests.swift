//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import CleverAgentsDomain
import CleverAgentsRuntime
import CleverAgentsTestSupport
import Logging
import Synchronization
import Testing

/// The push worker's loop: it looks at the outbox when woken and once per poll interval, never
/// more (an idle replica must not keep its database busy).
@Suite struct PushDeliveryWorkerTests {
    /// An empty outbox that counts how often it is asked, and tells when it was asked `count` times.
    final class CountingOutbox: PushOutbox, Sendable {
        private let claims = Mutex(0)
        private let reached = Mutex<[(Int, CheckedContinuation<Void, Never>)]>([])
        let queuedDeliveries: PushWakeSignal?

        init(signal: PushWakeSignal? = nil) {
            self.queuedDeliveries = signal
        }

        var claimCount: Int { claims.withLock { $0 } }

        func claimDueDeliveries(limit: Int, lease: Duration) async throws -> [PushDelivery] {
            let count = claims.withLock { value -> Int in
                value += 1
                return value
            }
            let due = reached.withLock { waiting -> [CheckedContinuation<Void, Never>] in
                let due = waiting.filter { $0.0 <= count }.map(\.1)
                waiting.removeAll { $0.0 <= count }
                return due
            }
            for continuation in due { continuation.resume() }
            return []
        }

        /// Returns once the outbox was asked `count` times.
        func waitForClaims(_ count: Int) async {
            await withCheckedContinuation { continuation in
                let now = claims.withLock { value -> Bool in
                    guard value < count else { return true }
                    reached.withLock { $0.append((count, continuation)) }
                    return false
                }
                if now { continuation.resume() }
            }
        }

        func completeDelivery(id: Int64) async throws {}
        func retryDelivery(id: Int64, after delay: Duration, error: String) async throws {}
        func abandonDelivery(id: Int64, error: String) async throws {}
    }

    static func worker(_ outbox: CountingOutbox, pollInterval: Duration) throws -> PushDeliveryWorker {
        var logger = Logger(label: "push-worker-test")
        logger.logLevel = .critical
        let store = InMemoryStore()
        return PushDeliveryWorker(
            outbox: outbox,
            configs: store,
            sender: RecordingPushSender(),
            secrets: try AESGCMSecretBox(keyMaterial: Array(repeating: 7, count: 32)),
            configuration: .init(pollInterval: pollInterval),
            logger: logger
        )
    }

    @Test func anIdleWorkerPollsOncePerIntervalAndNoMore() async throws {
        let outbox = CountingOutbox()
        let worker = try Self.worker(outbox, pollInterval: .milliseconds(20))
        let started = ContinuousClock.now
        let running = Task { try await worker.run() }
        await outbox.waitForClaims(6)
        let elapsed = ContinuousClock.now - started
        running.cancel()
        try await running.value
        // Six looks are the start and five intervals: at least 100 ms, however fast the machine.
        #expect(elapsed >= .milliseconds(100), "the worker polled \(outbox.claimCount) times in \(elapsed)")
    }

    @Test func committedEventsWakeTheWorkerAtOnce() async throws {
        let outbox = CountingOutbox()
        let worker = try Self.worker(outbox, pollInterval: .seconds(3600))
        let running = Task { try await worker.run() }
        await outbox.waitForClaims(1)
        for round in 2...4 {
            await worker.publish([])
            await outbox.waitForClaims(round)
        }
        running.cancel()
        try await running.value
        #expect(outbox.claimCount >= 4)
    }

    @Test func anOutboxThatSignalsQueuedDeliveriesWakesTheWorkerAtOnce() async throws {
        let signal = PushWakeSignal()
        let outbox = CountingOutbox(signal: signal)
        let worker = try Self.worker(outbox, pollInterval: .seconds(3600))
        let running = Task { try await worker.run() }
        await outbox.waitForClaims(1)
        for round in 2...4 {
            signal.signal()
            await outbox.waitForClaims(round)
        }
        running.cancel()
        try await running.value
        #expect(outbox.claimCount >= 4)
    }
}
