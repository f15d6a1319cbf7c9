//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

@testable import CleverAgentsRuntime
import Testing

@Suite struct EventBatchBufferTests {
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
}
