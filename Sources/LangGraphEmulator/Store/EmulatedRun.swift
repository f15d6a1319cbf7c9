//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import Foundation
import Synchronization

/// One run: its settings, status, and the log of its stream events, fanned out to the streams
/// that follow it.
final class EmulatedRun: Sendable {
    /// The statuses LangGraph reports for a run.
    enum Status: String, Sendable {
        case pending, running, success, error, timeout, interrupted
    }

    /// One stream event, serialized once.
    struct Event: Sendable {
        var id: String
        var name: String
        var data: [UInt8]
    }

    /// What a stream receives.
    enum Item: Sendable {
        case event(Event)
        case heartbeat
    }

    /// Where a new stream starts.
    enum Start: Sendable {
        /// Every event from the first (the stream of the request that created the run).
        case beginning
        /// The events after this `Last-Event-ID`, then the live ones.
        case after(String)
        /// Only events from now on (a join without `Last-Event-ID`).
        case live
    }

    let id: String
    let threadID: String
    let graphID: String
    let assistantID: String
    let createdAt: Date
    let metadata: JSONObject
    let kwargs: JSONObject
    let multitaskStrategy: String
    let streamModes: Set<String>
    let resumable: Bool
    let eventIDStyle: EmulatorConfiguration.EventIDStyle

    private struct State {
        var status: Status = .pending
        var updatedAt: Date
        var events: [Event] = []
        var subscribers: [Int: AsyncStream<Item>.Continuation] = [:]
        var nextSubscriber = 0
        var finished = false
        var lastMilliseconds: UInt64 = 0
        var sequence: UInt64 = 0
        /// The final values (for `/runs/wait` and `/join`).
        var result: JSONObject?
    }

    private let state: Mutex<State>
    /// The task that executes the run, once started (for cancel).
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(
        id: String,
        threadID: String,
        graphID: String,
        assistantID: String,
        metadata: JSONObject,
        kwargs: JSONObject,
        multitaskStrategy: String,
        streamModes: Set<String>,
        resumable: Bool,
        eventIDStyle: EmulatorConfiguration.EventIDStyle,
        now: Date = Date()
    ) {
        self.id = id
        self.threadID = threadID
        self.graphID = graphID
        self.assistantID = assistantID
        self.createdAt = now
        self.metadata = metadata
        self.kwargs = kwargs
        self.multitaskStrategy = multitaskStrategy
        self.streamModes = streamModes
        self.resumable = resumable
        self.eventIDStyle = eventIDStyle
        self.state = Mutex(State(updatedAt: now))
    }

    var status: Status { state.withLock { $0.status } }
    var updatedAt: Date { state.withLock { $0.updatedAt } }
    var isFinished: Bool { state.withLock { $0.finished } }
    var result: JSONObject? { state.withLock { $0.result } }

    func attach(_ task: Task<Void, Never>) {
        self.task.withLock { $0 = task }
    }

    /// Cancels the run's execution (a pending run never starts).
    func cancel() {
        task.withLock { $0 }?.cancel()
    }

    func setStatus(_ status: Status) {
        state.withLock { state in
            state.status = status
            state.updatedAt = Date()
        }
    }

    /// Whether the run streams events of `mode` (`metadata` and `error` always go out).
    func wants(_ mode: String) -> Bool {
        mode == "metadata" || mode == "error" || streamModes.contains(mode)
    }

    /// Appends an event and sends it to every stream.
    func publish(_ name: String, _ data: JSONValue) {
        let bytes = JSONWriter.bytes(data)
        state.withLock { state in
            guard !state.finished else { return }
            let event = Event(id: Self.nextID(&state, style: eventIDStyle), name: name, data: bytes)
            state.events.append(event)
            for continuation in state.subscribers.values {
                continuation.yield(.event(event))
            }
        }
    }

    /// Sends a keep-alive to every stream.
    func heartbeat() {
        state.withLock { state in
            for continuation in state.subscribers.values {
                continuation.yield(.heartbeat)
            }
        }
    }

    /// Ends the run's stream: no more events; every stream ends after what it has.
    func finish(status: Status, result: JSONObject?) {
        let subscribers = state.withLock { state -> [AsyncStream<Item>.Continuation] in
            state.status = status
            state.updatedAt = Date()
            state.finished = true
            state.result = result
            let subscribers = Array(state.subscribers.values)
            state.subscribers = [:]
            return subscribers
        }
        for continuation in subscribers {
            continuation.finish()
        }
    }

    /// Drops the events of a run that is no longer kept.
    func forgetEvents() {
        state.withLock { $0.events = [] }
    }

    /// A stream of the run's events from `start`. It ends when the run finishes.
    func subscribe(from start: Start) -> AsyncStream<Item> {
        let (stream, continuation) = AsyncStream<Item>.makeStream(bufferingPolicy: .unbounded)
        let key = state.withLock { state -> Int? in
            let replay: ArraySlice<Event>
            switch start {
            case .beginning:
                replay = state.events[...]
            case .after(let lastID):
                // Only resumable runs can be replayed, as on the LangGraph server.
                replay = resumable ? state.events.drop { !Self.isAfter($0.id, lastID) } : []
            case .live:
                replay = []
            }
            for event in replay {
                continuation.yield(.event(event))
            }
            guard !state.finished else { return nil }
            let key = state.nextSubscriber
            state.nextSubscriber += 1
            state.subscribers[key] = continuation
            return key
        }
        guard let key else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: key) }
        }
        return stream
    }

    /// The next event id, in the configured style.
    private static func nextID(_ state: inout State, style: EmulatorConfiguration.EventIDStyle) -> String {
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        switch style {
        case .inMemory:
            return "\(now)-0"
        case .redis:
            if now > state.lastMilliseconds {
                state.lastMilliseconds = now
                state.sequence = 0
            } else {
                state.sequence += 1
            }
            return "\(state.lastMilliseconds)-\(state.sequence)"
        }
    }

    /// Whether event id `id` comes after `lastID` (numerically for `<ms>-<seq>`, as Redis
    /// orders stream ids; otherwise as text, as the in-memory runtime compares them).
    static func isAfter(_ id: String, _ lastID: String) -> Bool {
        func parse(_ text: String) -> (UInt64, UInt64)? {
            let fields = text.split(separator: "-", omittingEmptySubsequences: false)
            guard fields.count == 2, let ms = UInt64(fields[0]), let seq = UInt64(fields[1]) else { return nil }
            return (ms, seq)
        }
        if let left = parse(id), let right = parse(lastID) {
            return left > right
        }
        return id > lastID
    }
}
