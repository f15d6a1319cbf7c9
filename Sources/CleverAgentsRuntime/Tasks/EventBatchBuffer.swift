//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Synchronization

/// Hands a consumer everything a producer has added since it last asked, waiting only when
/// nothing is there.
///
/// The task runner writes each batch in one store write: events that arrive while a write is in
/// flight (a graph's last update, its artifact and its final status come in a burst) share the
/// next write instead of each costing a round trip, and no event waits for a timer.
final class EventBatchBuffer<Element: Sendable>: Sendable {
    private struct State {
        var elements: [Element] = []
        var end: Result<Void, any Error>?
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    init() {}

    /// Adds an element for the next batch.
    func append(_ element: Element) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.elements.append(element)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// No element follows; `error` ends the batches with that error once the buffered ones are taken.
    func finish(throwing error: (any Error)? = nil) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.end == nil {
                state.end = error.map { .failure($0) } ?? .success(())
            }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    private enum Next {
        case batch([Element])
        case end(Result<Void, any Error>)
        case wait
    }

    /// Everything added since the last call, in order; `nil` once finished and drained. One
    /// consumer at a time.
    func next() async throws -> [Element]? {
        while true {
            let next = state.withLock { state -> Next in
                if !state.elements.isEmpty {
                    defer { state.elements.removeAll(keepingCapacity: true) }
                    return .batch(state.elements)
                }
                if let end = state.end { return .end(end) }
                return .wait
            }
            switch next {
            case .batch(let batch):
                return batch
            case .end(let end):
                try end.get()
                return nil
            case .wait:
                await withCheckedContinuation { continuation in
                    let ready = state.withLock { state -> Bool in
                        guard state.elements.isEmpty, state.end == nil else { return true }
                        state.waiter = continuation
                        return false
                    }
                    if ready { continuation.resume() }
                }
            }
        }
    }
}
