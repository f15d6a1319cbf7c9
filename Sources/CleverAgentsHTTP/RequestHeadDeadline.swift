//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import NIOCore

/// When a connection must have delivered its next request head: the decisions of
/// ``RequestHeadTimeoutHandler`` as a pure value, tested without sockets or timers.
///
/// A request head is awaited from the start of the connection, and after that from the first
/// bytes of each later request: a client that trickles a head (slowloris) is cut off `timeout`
/// after it began, however steadily it sends. Between requests (after a response, before the
/// first byte of the next request) nothing is awaited here; HTTP's idle timeout governs that wait,
/// so a keep-alive connection may rest longer than `timeout`.
public struct RequestHeadDeadline: Sendable, Hashable {
    /// How long a request head may take to arrive completely.
    public let timeout: TimeAmount
    /// Since when a head is awaited, or `nil` while none is (a request is being served, or the
    /// connection rests between requests).
    public private(set) var awaitedSince: NIODeadline?
    /// Request heads received minus responses ended (more than one when requests are pipelined).
    private var requestsInProgress = 0

    public init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    /// What the handler does about its timer.
    public enum TimerAction: Sendable, Hashable {
        /// Make sure a timer fires at `deadline` or earlier (an earlier one re-arms itself).
        case schedule(NIODeadline)
        case none
    }

    /// What the handler does when its timer fires.
    public enum ExpiryAction: Sendable, Hashable {
        /// The head is late: close the connection.
        case close
        /// The head awaited now is due later: fire again then.
        case reschedule(NIODeadline)
        /// Nothing is awaited.
        case none
    }

    /// The connection became active: its first request head is due `timeout` from now.
    public mutating func connectionStarted(now: NIODeadline) -> TimerAction {
        guard awaitedSince == nil, requestsInProgress == 0 else { return .none }
        awaitedSince = now
        return .schedule(now + timeout)
    }

    /// A read from the socket ended. When no request is in progress, its bytes began the next
    /// request, whose head is due `timeout` from now (a read that held a whole head has already
    /// reported it through ``headReceived()``).
    public mutating func readCompleted(now: NIODeadline) -> TimerAction {
        guard awaitedSince == nil, requestsInProgress == 0 else { return .none }
        awaitedSince = now
        return .schedule(now + timeout)
    }

    /// A complete request head arrived.
    public mutating func headReceived() {
        requestsInProgress += 1
        awaitedSince = nil
    }

    /// A response ended. The connection rests until the first bytes of the next request.
    public mutating func responseEnded() {
        requestsInProgress = max(0, requestsInProgress - 1)
    }

    /// The timer fired at `now`.
    public func expired(now: NIODeadline) -> ExpiryAction {
        guard let awaitedSince else { return .none }
        let deadline = awaitedSince + timeout
        return now >= deadline ? .close : .reschedule(deadline)
    }
}
