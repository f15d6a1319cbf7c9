//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import CleverAgentsRuntime
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(2))) struct DeadlineWatchTests {
    @Test func anOperationPastItsDeadlineExpiresOnceAndTheWatchEmpties() async {
        let watch = DeadlineWatch(tick: .milliseconds(5))
        let expired = AsyncStream<Void>.makeStream()
        let calls = Mutex(0)
        // Far enough ahead that a busy machine still counts the watch before it fires.
        _ = watch.watch(until: .now + .milliseconds(500)) {
            calls.withLock { $0 += 1 }
            expired.continuation.yield()
        }
        #expect(watch.watchedCount == 1)
        for await _ in expired.stream { break }
        #expect(calls.withLock { $0 } == 1)
        #expect(watch.watchedCount == 0)
    }

    @Test func anUnwatchedOperationNeverExpires() async {
        let watch = DeadlineWatch(tick: .milliseconds(5))
        let cancelledFired = Mutex(false)
        // Far enough ahead that it is unwatched before its deadline, even on a busy machine.
        let cancelled = watch.watch(until: .now + .milliseconds(300)) { cancelledFired.withLock { $0 = true } }
        watch.unwatch(cancelled)
        // A later deadline that does fire: by then the earlier one would have fired too.
        let expired = AsyncStream<Void>.makeStream()
        _ = watch.watch(until: .now + .milliseconds(600)) { expired.continuation.yield() }
        for await _ in expired.stream { break }
        #expect(cancelledFired.withLock { $0 } == false)
    }

    @Test func watchingAgainAfterTheTickerStoppedStartsIt() async {
        let watch = DeadlineWatch(tick: .milliseconds(5))
        for round in 1...3 {
            let expired = AsyncStream<Void>.makeStream()
            _ = watch.watch(until: .now) { expired.continuation.yield() }
            for await _ in expired.stream { break }
            #expect(watch.watchedCount == 0, "round \(round)")
        }
    }
}
