//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import CleverAgentsHTTP
import NIOCore
import Testing

/// The decisions of the request head deadline, without sockets or timers.
@Suite(.timeLimit(.minutes(2))) struct RequestHeadDeadlineTests {
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    @Test func theFirstHeadIsDueTheTimeoutAfterTheConnectionStarts() {
        var deadline = RequestHeadDeadline(timeout: .seconds(10))
        #expect(deadline.connectionStarted(now: start) == .schedule(start + .seconds(10)))
        #expect(deadline.expired(now: start + .seconds(9)) == .reschedule(start + .seconds(10)))
        #expect(deadline.expired(now: start + .seconds(10)) == .close)
    }

    @Test func bytesTrickledWhileAHeadIsAwaitedDoNotMoveItsDeadline() {
        var deadline = RequestHeadDeadline(timeout: .seconds(10))
        _ = deadline.connectionStarted(now: start)
        for second in 1...9 {
            #expect(deadline.readCompleted(now: start + .seconds(Int64(second))) == .none)
        }
        #expect(deadline.expired(now: start + .seconds(10)) == .close)
    }

    @Test func aHeadEndsTheWaitAndAServedConnectionIsNotClosed() {
        var deadline = RequestHeadDeadline(timeout: .seconds(10))
        _ = deadline.connectionStarted(now: start)
        deadline.headReceived()
        #expect(deadline.readCompleted(now: start + .seconds(1)) == .none, "body bytes of a request in progress")
        #expect(deadline.expired(now: start + .seconds(60)) == .none, "a long response is not a late head")
        deadline.responseEnded()
        #expect(deadline.expired(now: start + .seconds(120)) == .none, "resting between requests is the idle timeout's business")
    }

    @Test func theNextRequestsHeadIsDueTheTimeoutAfterItsFirstBytes() {
        var deadline = RequestHeadDeadline(timeout: .seconds(10))
        _ = deadline.connectionStarted(now: start)
        deadline.headReceived()
        deadline.responseEnded()
        let firstBytes = start + .seconds(100)
        #expect(deadline.readCompleted(now: firstBytes) == .schedule(firstBytes + .seconds(10)))
        #expect(deadline.readCompleted(now: firstBytes + .seconds(5)) == .none)
        #expect(deadline.expired(now: firstBytes + .seconds(10)) == .close)
    }

    @Test func pipelinedRequestsKeepTheConnectionBusyUntilTheLastResponse() {
        var deadline = RequestHeadDeadline(timeout: .seconds(10))
        _ = deadline.connectionStarted(now: start)
        deadline.headReceived()
        deadline.headReceived()
        deadline.responseEnded()
        #expect(deadline.readCompleted(now: start + .seconds(1)) == .none, "the second request is still being served")
        deadline.responseEnded()
        #expect(deadline.readCompleted(now: start + .seconds(2)) == .schedule(start + .seconds(12)))
    }
}
