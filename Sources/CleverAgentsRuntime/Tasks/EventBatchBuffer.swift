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
///
/// With a byte budget, the buffer also paces its producer: ``waitForRoom()`` returns once no
/// more than `maximumPendingBytes` wait for the consumer, so that a producer fed from outside (a
/// graph server) reads no faster than its events are used, and the buffer stays bounded.
public final class EventBatchBuffer<Element: Sendable>: Sendable {
    private struct State {
        var elements: [Element] = []
        var pendingBytes = 0
        var end: Result<Void, any Error>?
        var waiter: CheckedContinuation<Void, Never>?
        var producer: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())
    private let maximumPendingBytes: Int
    private let size: @Sendable (Element) -> Int

    /// - Parameters:
    ///   - maximumPendingBytes: how many bytes of elements may wait before ``waitForRoom()`` waits.
    ///   - size: the bytes an element counts for.
    public init(maximumPendingBytes: Int = .max, size: @escaping @Sendable (Element) -> Int = { _ in 0 }) {
        self.maximumPendingBytes = maximumPendingBytes
        self.size = size
    }

    /// Adds an element for the next batch. Never waits: a producer that must be paced calls
    /// ``waitForRoom()`` after adding what it has.
    public func append(_ element: Element) {
        let bytes = size(element)
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.elements.append(element)
            state.pendingBytes += bytes
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Waits until no more than `maximumPendingBytes` of elements wait for the consumer, or the
    /// calling task is cancelled. One producer at a time.
    public func waitForRoom() async {
        // The usual case, on every event: room, and no continuation to make.
        guard state.withLock({ $0.pendingBytes > maximumPendingBytes }) else { return }
        await park(.producer) { [maximumPendingBytes] in $0.pendingBytes > maximumPendingBytes }
    }

    /// Whether a producer waits in ``waitForRoom()``, for tests.
    var producerIsWaiting: Bool { state.withLock { $0.producer != nil } }

    /// No element follows; `error` ends the batches with that error once the buffered ones are taken.
    public func finish(throwing error: (any Error)? = nil) {
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
        case batch([Element], producer: CheckedContinuation<Void, Never>?)
        case end(Result<Void, any Error>)
        case wait
    }

    /// Everything added since the last call, in order; `nil` once finished and drained. One
    /// consumer at a time. Throws `CancellationError` when the calling task is cancelled while
    /// it waits.
    public func next() async throws -> [Element]? {
        while true {
            let next = state.withLock { state -> Next in
                if let (batch, producer) = Self.take(&state) {
                    return .batch(batch, producer: producer)
                }
                if let end = state.end { return .end(end) }
                return .wait
            }
            switch next {
            case .batch(let batch, let producer):
                producer?.resume()
                return batch
            case .end(let end):
                try end.get()
                return nil
            case .wait:
                await waitForElements()
                try Task.checkCancellation()
            }
        }
    }

    /// Gathers what is added during `window`, returning early once `complete` holds for what was
    /// gathered, once it holds more than `maximumPendingBytes` (what is gathered waits like what
    /// is buffered: a producer gets no more room than the budget), when the buffer is finished
    /// (the end stays for ``next()``), or when the calling task is cancelled.
    public func gather(for window: Duration, until complete: ([Element]) -> Bool) async -> [Element] {
        let deadline = ContinuousClock.now + window
        var gathered: [Element] = []
        var gatheredBytes = 0
        while true {
            let taken = takeAvailable()
            gathered += taken
            gatheredBytes += taken.reduce(0) { $0 + size($1) }
            guard !complete(gathered), gatheredBytes <= maximumPendingBytes, state.withLock({ $0.end == nil }), ContinuousClock.now < deadline,
                !Task.isCancelled
            else {
                return gathered
            }
            // Whichever comes first: an element, the end, or the deadline.
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await Task.sleep(until: deadline) }
                group.addTask { await self.waitForElements() }
                await group.next()
                group.cancelAll()
            }
        }
    }

    /// Returns once elements wait, the buffer is finished, or the calling task is cancelled.
    private func waitForElements() async {
        await park(.waiter) { $0.elements.isEmpty && $0.end == nil }
    }

    /// The two places a task waits: the consumer for elements, the producer for room.
    private enum Slot {
        case waiter, producer
    }

    /// Waits in `slot` while `waits` holds, until resumed from the slot or cancelled. `waits` is
    /// checked under the lock, so a later resumption or cancellation finds the continuation.
    private func park(_ slot: Slot, while waits: (State) -> Bool) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Bool in
                    guard waits(state), !Task.isCancelled else { return true }
                    switch slot {
                    case .waiter: state.waiter = continuation
                    case .producer: state.producer = continuation
                    }
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let parked = state.withLock { state -> CheckedContinuation<Void, Never>? in
                switch slot {
                case .waiter:
                    defer { state.waiter = nil }
                    return state.waiter
                case .producer:
                    defer { state.producer = nil }
                    return state.producer
                }
            }
            parked?.resume()
        }
    }

    /// Everything added since the last take, without waiting: empty when nothing was added.
    private func takeAvailable() -> [Element] {
        guard let (batch, producer) = state.withLock({ Self.take(&$0) }) else { return [] }
        producer?.resume()
        return batch
    }

    /// Takes the waiting elements, if any, with the producer to resume: their room is free again.
    private static func take(_ state: inout State) -> ([Element], producer: CheckedContinuation<Void, Never>?)? {
        guard !state.elements.isEmpty else { return nil }
        defer {
            state.elements.removeAll(keepingCapacity: true)
            state.pendingBytes = 0
            state.producer = nil
        }
        return (state.elements, state.producer)
    }

    /// The elements one at a time, as a stream for one consumer. `onTermination` runs when the
    /// consumer is cancelled while it waits, or lets go of the stream: the producer should stop.
    public func elements(onTermination: @escaping @Sendable () -> Void) -> AsyncThrowingStream<Element, any Error> {
        let reader = BatchReader(buffer: self, onTermination: onTermination)
        return AsyncThrowingStream(unfolding: { try await reader.next() })
    }
}

/// Hands out a buffer's batches one element at a time, and tells the producer when its reader is
/// gone (released with the stream that holds it).
private final class BatchReader<Element: Sendable>: Sendable {
    private let buffer: EventBatchBuffer<Element>
    private let onTermination: @Sendable () -> Void
    /// The rest of the batch taken last; only the stream's one consumer reads it.
    private let taken = Mutex<(batch: [Element], index: Int)>(([], 0))

    init(buffer: EventBatchBuffer<Element>, onTermination: @escaping @Sendable () -> Void) {
        self.buffer = buffer
        self.onTermination = onTermination
    }

    deinit {
        onTermination()
    }

    func next() async throws -> Element? {
        if let element = taken.withLock({ taken -> Element? in
            guard taken.index < taken.batch.count else { return nil }
            defer { taken.index += 1 }
            return taken.batch[taken.index]
        }) {
            return element
        }
        let batch: [Element]?
        do {
            batch = try await buffer.next()
        } catch is CancellationError {
            onTermination()
            throw CancellationError()
        }
        guard let batch, let first = batch.first else { return nil }
        taken.withLock { $0 = (batch, 1) }
        return first
    }
}
