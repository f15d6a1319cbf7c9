//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import DequeModule
import Foundation
import Synchronization

/// An error the emulator answers with, as LangGraph does: a status and `{"detail": …}`.
struct EmulatorError: Error, Sendable {
    var status: Int
    var detail: String
}

/// The emulator's threads and runs, in memory.
final class EmulatorStore: Sendable {
    let configuration: EmulatorConfiguration

    private struct State {
        var threads: [String: EmulatedThread] = [:]
        var threadOrder = Deque<String>()
        var runs: [String: EmulatedRun] = [:]
        var finishedRuns = Deque<String>()
        var runsStarted = 0
        var runsFinished = 0
    }

    private let state = Mutex(State())

    init(configuration: EmulatorConfiguration) {
        self.configuration = configuration
    }

    // MARK: Threads

    func createThread(id: String?, metadata: JSONObject, ifExists: String) throws(EmulatorError) -> EmulatedThread {
        let id = id?.lowercased() ?? Identifiers.uuid4()
        return try state.withLock { state throws(EmulatorError) -> EmulatedThread in
            if let existing = state.threads[id] {
                guard ifExists == "do_nothing" else { throw EmulatorError(status: 409, detail: "Thread with ID \(id) already exists") }
                return existing
            }
            let thread = EmulatedThread(id: id, metadata: metadata)
            Self.insert(thread, into: &state, limit: configuration.maximumThreads)
            return thread
        }
    }

    func thread(_ id: String) -> EmulatedThread? {
        state.withLock { $0.threads[id.lowercased()] }
    }

    func run(_ runID: String, thread: String) -> EmulatedRun? {
        state.withLock { state in
            guard let run = state.runs[runID.lowercased()], run.threadID == thread.lowercased() else { return nil }
            return run
        }
    }

    /// The thread's runs, newest first.
    func runs(thread: String) -> [EmulatedRun]? {
        state.withLock { state in
            guard let thread = state.threads[thread.lowercased()] else { return nil }
            return thread.runIDs.reversed().compactMap { state.runs[$0] }
        }
    }

    var statistics: JSONValue {
        state.withLock { state in
            [
                "threads": .number(Double(state.threads.count)),
                "runs": .number(Double(state.runs.count)),
                "runsStarted": .number(Double(state.runsStarted)),
                "runsFinished": .number(Double(state.runsFinished)),
            ]
        }
    }

    /// Forgets every thread and run.
    func reset() {
        let runs = state.withLock { state -> [EmulatedRun] in
            let runs = Array(state.runs.values)
            state = State()
            return runs
        }
        for run in runs { run.cancel() }
    }

    private static func insert(_ thread: EmulatedThread, into state: inout State, limit: Int) {
        state.threads[thread.id] = thread
        state.threadOrder.append(thread.id)
        // Forget the oldest idle threads beyond the limit (their runs go with them). The new
        // thread is kept even when every older one is busy: its caller is about to use it.
        var scanned = 0
        while state.threads.count > limit, scanned < state.threadOrder.count, let oldest = state.threadOrder.popFirst() {
            scanned += 1
            guard let candidate = state.threads[oldest] else { continue }
            if oldest == thread.id || candidate.activeRunID != nil || candidate.tail != nil && candidate.status == "busy" {
                state.threadOrder.append(oldest)
                continue
            }
            state.threads[oldest] = nil
            for runID in candidate.runIDs { state.runs[runID] = nil }
        }
    }

    // MARK: Runs

    /// What a request asks a new run to do.
    struct RunRequest: Sendable {
        var assistantID: String
        var input: JSONValue?
        var command: JSONValue?
        var metadata: JSONObject
        var streamModes: [String]
        var resumable: Bool
        var ifNotExists: String
        var multitaskStrategy: String
        var kwargs: JSONObject
    }

    /// Creates a run on `threadID` and starts executing it once the thread's earlier runs are
    /// done (`enqueue`), or refuses as LangGraph would.
    func createRun(threadID: String, _ request: RunRequest) throws(EmulatorError) -> EmulatedRun {
        guard let graph = EmulatedGraphs.graph(forAssistant: request.assistantID) else {
            throw EmulatorError(
                status: 422,
                detail: "Invalid assistant: '\(request.assistantID)'. Must be either:\n- A valid assistant UUID, or\n- One of the registered graphs: \(EmulatedGraphs.names.joined(separator: ", "))"
            )
        }
        let threadID = threadID.lowercased()
        let assistantID = Identifiers.uuid5(namespace: Identifiers.assistantNamespace, name: graph.name)
        var metadata = request.metadata
        metadata["created_by"] = metadata["created_by"] ?? "system"
        metadata["assistant_id"] = .string(assistantID)
        let run = EmulatedRun(
            id: Identifiers.uuid7(),
            threadID: threadID,
            graphID: graph.name,
            assistantID: assistantID,
            metadata: metadata,
            kwargs: request.kwargs,
            multitaskStrategy: request.multitaskStrategy,
            streamModes: Set(request.streamModes),
            resumable: request.resumable,
            eventIDStyle: configuration.eventIDStyle
        )
        let superseded = try state.withLock { state throws(EmulatorError) -> [EmulatedRun] in
            if state.threads[threadID] == nil {
                guard request.ifNotExists == "create" else { throw EmulatorError(status: 404, detail: "Thread or assistant not found.") }
                Self.insert(EmulatedThread(id: threadID, metadata: [:]), into: &state, limit: configuration.maximumThreads)
            }
            var thread = state.threads[threadID]!
            let active = thread.runIDs.compactMap { state.runs[$0] }.filter { !$0.isFinished }
            var superseded: [EmulatedRun] = []
            if !active.isEmpty {
                switch request.multitaskStrategy {
                case "reject":
                    throw EmulatorError(status: 409, detail: "Thread is already running a task. Wait for it to finish or choose a different multitask strategy.")
                case "interrupt", "rollback":
                    superseded = active
                default:
                    break
                }
            }
            let previous = thread.tail
            let execution = Task { [self] in
                await previous?.value
                await self.execute(run, graph: graph, request: request)
            }
            run.attach(execution)
            thread.tail = execution
            thread.status = "busy"
            thread.graphID = graph.name
            thread.metadata["graph_id"] = .string(graph.name)
            thread.metadata["assistant_id"] = .string(assistantID)
            thread.runIDs.append(run.id)
            thread.updatedAt = Date()
            state.threads[threadID] = thread
            state.runs[run.id] = run
            state.runsStarted += 1
            return superseded
        }
        for run in superseded { run.cancel() }
        return run
    }

    /// Executes a run: applies its input or command, runs the graph, and records the outcome.
    private func execute(_ run: EmulatedRun, graph: any EmulatedGraph, request: RunRequest) async {
        if configuration.startLatency > .zero {
            try? await Task.sleep(for: configuration.startLatency)
        }
        guard !Task.isCancelled, let thread = self.thread(run.threadID) else {
            finish(run, status: .interrupted, values: nil, pending: [], cachedWrites: [:], error: nil)
            return
        }
        run.setStatus(.running)
        update(run.threadID) { $0.activeRunID = run.id }
        run.publish("metadata", ["run_id": .string(run.id), "attempt": 1])

        var values = thread.values.isEmpty ? GraphRun.initialValues(of: graph) : thread.values
        var previouslyPending = thread.pending
        var cachedWrites = thread.cachedWrites
        var answers: [String: JSONValue] = [:]
        if let resume = request.command?["resume"] {
            guard !thread.pending.isEmpty else {
                // LangGraph accepts a resume that answers nothing: the run returns the current values.
                if run.wants("values") { run.publish("values", .object(values)) }
                finish(run, status: .success, values: values, pending: [], cachedWrites: [:], error: nil)
                return
            }
            if let map = resume.objectValue, !map.isEmpty, map.keys.allSatisfy(Identifiers.isInterruptID) {
                answers = map
            } else if thread.pending.count > 1 {
                if run.wants("values") { run.publish("values", .object(values)) }
                let message =
                    "When there are multiple pending interrupts, you must specify the interrupt id when resuming. Docs: https://docs.langchain.com/oss/python/langgraph/interrupts#handling-multiple-interrupts."
                run.publish("error", ["error": "RuntimeError", "message": .string(message)])
                finish(run, status: .error, values: values, pending: thread.pending, cachedWrites: cachedWrites, error: ["error": "RuntimeError", "message": .string(message)])
                return
            } else {
                answers = [thread.pending[0].id: resume]
            }
        } else {
            // New input starts over: whatever was pending is dropped.
            previouslyPending = []
            cachedWrites = [:]
            let context = GraphRun(
                run: run, graph: graph, configuration: configuration, values: values, answers: [:], previouslyPending: [], cachedWrites: [:]
            )
            if let input = request.input?.objectValue { context.apply(input) }
            values = context.values
        }
        let context = GraphRun(
            run: run,
            graph: graph,
            configuration: configuration,
            values: values,
            answers: answers,
            previouslyPending: previouslyPending,
            cachedWrites: cachedWrites
        )
        context.publishCurrentValues()

        let heartbeat = configuration.heartbeatInterval > .zero ? Task { [interval = configuration.heartbeatInterval] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                run.heartbeat()
            }
        } : nil
        defer { heartbeat?.cancel() }
        do {
            try await graph.run(context)
            if context.isInterrupted {
                finish(run, status: .success, values: context.values, pending: context.pending, cachedWrites: context.cachedWrites, error: nil)
            } else {
                finish(run, status: .success, values: context.values, pending: [], cachedWrites: [:], error: nil)
            }
        } catch let failure as GraphFailure {
            let error: JSONValue = ["error": .string(failure.type), "message": .string(failure.message)]
            run.publish("error", error)
            finish(run, status: .error, values: context.values, pending: [], cachedWrites: [:], error: error)
        } catch {
            // Canceled (CancelRun, or superseded by a newer run).
            finish(run, status: .interrupted, values: context.values, pending: [], cachedWrites: [:], error: nil)
        }
    }

    private func finish(
        _ run: EmulatedRun,
        status: EmulatedRun.Status,
        values: JSONObject?,
        pending: [EmulatedThread.PendingInterrupt],
        cachedWrites: [String: JSONObject],
        error: JSONValue?
    ) {
        update(run.threadID) { thread in
            if let values { thread.values = values }
            thread.pending = pending
            thread.cachedWrites = cachedWrites
            thread.error = error
            thread.activeRunID = nil
            switch status {
            case .success: thread.status = pending.isEmpty ? "idle" : "interrupted"
            case .error, .timeout: thread.status = "error"
            case .interrupted: thread.status = "interrupted"
            case .pending, .running: break
            }
            thread.updatedAt = Date()
        }
        var result = values ?? [:]
        if !pending.isEmpty {
            result["__interrupt__"] = .array(pending.map { ["value": $0.value, "id": .string($0.id), "response_schema": .null] })
        }
        if status == .error, let error { result = ["__error__": error] }
        run.finish(status: status, result: result)
        state.withLock { state in
            state.runsFinished += 1
            state.finishedRuns.append(run.id)
            while state.finishedRuns.count > configuration.maximumRetainedRuns, let oldest = state.finishedRuns.popFirst() {
                if let forgotten = state.runs.removeValue(forKey: oldest) {
                    forgotten.forgetEvents()
                    state.threads[forgotten.threadID]?.runIDs.removeAll { $0 == oldest }
                }
            }
        }
    }

    private func update(_ threadID: String, _ change: (inout EmulatedThread) -> Void) {
        state.withLock { state in
            guard var thread = state.threads[threadID] else { return }
            change(&thread)
            state.threads[threadID] = thread
        }
    }
}
