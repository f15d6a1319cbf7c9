//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Synchronization
import Testing

@testable import CleverAgentsRuntime

@Suite(.timeLimit(.minutes(2))) struct EventBatchBufferTests {
    struct Broken: Error, Equatable {}

    @Test func handsOverEverythingBufferedInOrderThenEnds() async throws {
        let buffer = EventBatchBuffer<Int>()
        buffer.append(1)
        buffer.append(2)
        #expect(try await buffer.next() == [1, 2])
        buffer.append(3)
        buffer.finish()
        buffer.append(4)  // after the end, still handed over: finish only marks where the stream stopped
        #expect(try await buffer.next() == [3, 4])
        #expect(try await buffer.next() == nil)
        #expect(try await buffer.next() == nil)
    }

    /// A gathering returns what came once it is complete, at the end (which stays for `next`),
    /// or at its deadline with what came by then (here nothing).
    @Test(.timeLimit(.minutes(1))) func aGatheringEndsWhenCompleteAtTheEndOrAtItsDeadline() async throws {
        let buffer = EventBatchBuffer<Int>()
        async let complete = buffer.gather(for: .seconds(300)) { $0.contains(3) }
        buffer.append(1)
        buffer.append(3)
        #expect(await complete == [1, 3])
        buffer.append(4)
        async let ended = buffer.gather(for: .seconds(300)) { _ in false }
        buffer.finish()
        #expect(await ended == [4])
        #expect(try await buffer.next() == nil)
        let quiet = EventBatchBuffer<Int>()
        #expect(await quiet.gather(for: .milliseconds(20)) { _ in false }.isEmpty)
    }

    /// What a gathering took counts against the budget: once it holds more, the gathering ends
    /// (and with it the room it gave the producer), however long its window.
    @Test(.timeLimit(.minutes(1))) func aGatheringEndsPastTheBudget() async throws {
        let buffer = EventBatchBuffer<Int>(maximumPendingBytes: 10, size: { $0 })
        let producer = Task {
            for _ in 0..<1_000 {
                buffer.append(8)
                await buffer.waitForRoom()
            }
        }
        let gathered = await buffer.gather(for: .seconds(300)) { _ in false }
        producer.cancel()
        #expect(gathered.reduce(0, +) > 10)
        #expect(gathered.reduce(0, +) <= 10 + 2 * 8, "a take frees the room of one batch at most: \(gathered)")
    }

    @Test func aWaitingConsumerWakesForTheNextElement() async throws {
        let buffer = EventBatchBuffer<Int>()
        async let batch = buffer.next()
        buffer.append(7)
        #expect(try await batch == [7])
    }

    @Test func aWaitingConsumerWakesAtTheEnd() async throws {
        let buffer = EventBatchBuffer<Int>()
        async let batch = buffer.next()
        buffer.finish()
        #expect(try await batch == nil)
    }

    @Test func anErrorComesAfterTheBufferedElements() async throws {
        let buffer = EventBatchBuffer<Int>()
        buffer.append(1)
        buffer.finish(throwing: Broken())
        buffer.finish()  // the first end counts
        #expect(try await buffer.next() == [1])
        await #expect(throws: Broken.self) { try await buffer.next() }
    }

    // MARK: Pacing

    /// Waits until `condition` holds, checking every millisecond, for at most 10 s.
    static func wait(_ what: String, _ condition: () -> Bool) async throws {
        for _ in 0..<10_000 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(1))
        }
        Issue.record("timed out waiting until \(what)")
    }

    @Test func aProducerWithinTheBudgetGoesOn() async {
        let buffer = EventBatchBuffer<Int>(maximumPendingBytes: 10, size: { $0 })
        buffer.append(4)
        buffer.append(6)
        await buffer.waitForRoom()
        #expect(!buffer.producerIsWaiting)
    }

    @Test func aProducerOverTheBudgetWaitsUntilTheConsumerTakesTheBatch() async throws {
        let buffer = EventBatchBuffer<Int>(maximumPendingBytes: 10, size: { $0 })
        buffer.append(6)
        buffer.append(5)
        let producer = Task { await buffer.waitForRoom() }
        try await Self.wait("the producer waits") { buffer.producerIsWaiting }
        #expect(try await buffer.next() == [6, 5])
        await producer.value
        #expect(!buffer.producerIsWaiting)
        // The taken batch no longer counts.
        buffer.append(10)
        await buffer.waitForRoom()
    }

    @Test func aCancelledProducerStopsWaiting() async throws {
        let buffer = EventBatchBuffer<Int>(maximumPendingBytes: 0, size: { $0 })
        buffer.append(1)
        let producer = Task { await buffer.waitForRoom() }
        try await Self.wait("the producer waits") { buffer.producerIsWaiting }
        producer.cancel()
        await producer.value
        #expect(!buffer.producerIsWaiting)
    }

    @Test func aCancelledConsumerStopsWaiting() async throws {
        let buffer = EventBatchBuffer<Int>()
        let consumer = Task { try await buffer.next() }
        consumer.cancel()
        await #expect(throws: CancellationError.self) { try await consumer.value }
    }

    @Test func elementsComeOneAtATimeAndLettingGoOfThemTellsTheProducer() async throws {
        let buffer = EventBatchBuffer<Int>()
        let terminated = Count()
        buffer.append(1)
        buffer.append(2)
        do {
            var elements = buffer.elements(onTermination: { terminated.add() }).makeAsyncIterator()
            #expect(try await elements.next() == 1)
            buffer.append(3)
            #expect(try await elements.next() == 2)
            #expect(try await elements.next() == 3)
            withExtendedLifetime(elements) {
                #expect(terminated.value == 0, "not while the stream is read")
            }
        }
        // The consumer let go before the end: the producer is told to stop.
        #expect(terminated.value == 1)

        let ended = EventBatchBuffer<Int>()
        ended.append(1)
        ended.finish()
        var elements = ended.elements(onTermination: {}).makeAsyncIterator()
        #expect(try await elements.next() == 1)
        #expect(try await elements.next() == nil)
    }

    final class Count: Sendable {
        private let count = Mutex(0)
        var value: Int { count.withLock { $0 } }
        func add() { count.withLock { $0 += 1 } }
    }
}
