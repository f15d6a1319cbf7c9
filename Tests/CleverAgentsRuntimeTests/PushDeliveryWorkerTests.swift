//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import CleverAgentsRuntime
import CleverAgentsTestSupport
import Logging
import Synchronization
import Testing

/// The push worker's loop: it looks at the outbox when woken and once per poll interval, never
/// more (an idle replica must not keep its database busy).
@Suite(.timeLimit(.minutes(2))) struct PushDeliveryWorkerTests {
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
        func releaseDeliveries(ids: [Int64]) async throws {}
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

    /// A sender that holds every send until it is cancelled, and tells when one began.
    final class HangingPushSender: PushSender, Sendable {
        let began = AsyncStream<Void>.makeStream()

        func send(_ body: [UInt8], to url: String, headers: [(name: String, value: String)]) async throws {
            began.continuation.yield()
            try await Task.sleep(for: .seconds(3600))
        }
    }

    @Test func aDeliveryCutShortByTheWorkersStopIsGivenBackAtOnce() async throws {
        let store = InMemoryStore()
        let name = try #require(NamespaceName("push-release"))
        try await store.createNamespace(Namespace(name: name, description: "", authMode: .disabled, createdAt: .init(millisecondsSinceEpoch: 1)))
        var record = TaskRecord(
            namespace: name, id: "t1", contextId: "c1", owner: "alice", actorName: "echo",
            status: TaskStatus(state: .submitted, timestamp: .init(millisecondsSinceEpoch: 1)),
            threadID: "thread-1", createdAt: .init(millisecondsSinceEpoch: 1)
        )
        record.lastEventSequence = 1
        let config = PushConfigRecord(namespace: name, taskId: "t1", id: "hook", url: "https://hook.example", owner: "alice", createdAt: .init(millisecondsSinceEpoch: 1))
        try await store.createTask(record, events: [TaskEventRecord(namespace: name, taskId: "t1", sequence: 1, event: .task(record.a2aTask()))], pushConfigs: [config])

        var logger = Logger(label: "push-worker-test")
        logger.logLevel = .critical
        let sender = HangingPushSender()
        let worker = PushDeliveryWorker(
            outbox: store,
            configs: store,
            sender: sender,
            secrets: try AESGCMSecretBox(keyMaterial: Array(repeating: 7, count: 32)),
            configuration: .init(pollInterval: .seconds(3600), lease: .seconds(3600)),
            logger: logger
        )
        let running = Task { try await worker.run() }
        for await _ in sender.began.stream { break }
        #expect(try await store.claimDueDeliveries(limit: 10, lease: .seconds(60)).isEmpty, "leased to the worker while it sends")
        // Stopped past its grace period: the send is cancelled before any outcome is recorded.
        running.cancel()
        try await running.value
        let again = try #require(try await store.claimDueDeliveries(limit: 10, lease: .seconds(60)).first, "given back, due at once")
        #expect(again.taskId == "t1")
        #expect(again.attempts == 1, "the attempt cut short did not count")
    }
}
