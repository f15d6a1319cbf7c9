//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import AsyncHTTPClient
import CleverAgentsDomain
import CleverAgentsRuntime
import Foundation
import Logging
import NIOCore
import Synchronization

extension LangGraphExecutor {
    /// Runs one task turn to the end of its run.
    ///
    /// Starts the run (or joins `existingRunID`), maps its events, and re-joins the stream with
    /// the ``LangGraphEventCursor`` whenever it breaks or closes while the run goes on. When the
    /// run's time limit passes, or the graph server goes past a bound of the configuration (an
    /// event, the events of a run, an answer), the run is canceled and the turn fails.
    ///
    /// `pace` is awaited after the events of each read from the stream were emitted: it returns
    /// when the consumer has room for more.
    func run(
        _ request: GraphRunRequest,
        emit: @escaping @Sendable (ExecutionEvent) -> Void,
        pace: @escaping @Sendable () async -> Void = {}
    ) async throws {
        var logger = logger
        logger[metadataKey: "task_id"] = "\(request.taskId)"
        logger[metadataKey: "thread_id"] = "\(request.threadID)"
        let timeout = runTimeout(for: request.actor)
        let deadline = NIODeadline.now() + .init(timeout)
        let end = ContinuousClock.now + timeout
        let client = LangGraphClient(
            http: http,
            graphURL: request.actor.graphURL,
            apiKey: request.apiKey,
            traceParent: request.traceParent,
            configuration: configuration,
            logger: logger
        )
        let started = StartedRun()
        do {
            // The run's events arrive as long as it runs: the shared deadline watch (no timer of
            // its own per run) ends the wait at the deadline.
            let expired = Mutex(false)
            let running = Task { [self, logger] in
                var session = RunSession(request: request, configuration: configuration, ids: ids)
                try await run(request, session: &session, client: client, deadline: deadline, logger: logger, pace: pace) { event in
                    if case .runStarted(let runID) = event { started.set(runID) }
                    emit(event)
                }
            }
            let ticket = DeadlineWatch.shared.watch(until: end) {
                expired.withLock { $0 = true }
                running.cancel()
            }
            defer { DeadlineWatch.shared.unwatch(ticket) }
            do {
                try await withTaskCancellationHandler {
                    try await running.value
                } onCancel: {
                    running.cancel()
                }
            } catch where expired.withLock({ $0 }) {
                throw LangGraphClient.DeadlinePassed()
            }
        } catch is LangGraphClient.DeadlinePassed {
            logger.warning("The run passed its time limit; canceling it", metadata: ["timeout": "\(timeout)", "run_id": "\(started.runID ?? "-")"])
            await cancel(started.runID, thread: request.threadID, client: client, logger: logger)
            let message = Message(
                messageId: ids.makeID(),
                role: .agent,
                parts: [.text("The run did not finish within its time limit of \(Self.describe(timeout)) and was canceled")]
            )
            emit(.update(.status(.failed, message: message)))
        } catch let exceeded as LangGraphLimitExceeded {
            // The reading task has ended, and with it the connection: nothing more is read.
            logger.warning(
                "The graph server went past a limit; canceling the run",
                metadata: ["limit": "\(exceeded.key)", "run_id": "\(started.runID ?? "-")"]
            )
            await cancel(started.runID, thread: request.threadID, client: client, logger: logger)
            emit(.update(.status(.failed, message: Message(messageId: ids.makeID(), role: .agent, parts: [.text(exceeded.message)]))))
        }
    }

    /// Asks LangGraph to stop the run, when it started; a failure is only logged.
    private func cancel(_ runID: String?, thread: String, client: LangGraphClient, logger: Logger) async {
        guard let runID else { return }
        do {
            try await client.cancel(thread: thread, run: runID)
        } catch {
            logger.warning("Could not cancel the run", metadata: ["error": "\(error)"])
        }
    }

    private func run(
        _ request: GraphRunRequest,
        session: inout RunSession,
        client: LangGraphClient,
        deadline: NIODeadline,
        logger: Logger,
        pace: () async -> Void,
        emit: (ExecutionEvent) -> Void
    ) async throws {
        if let runID = request.existingRunID {
            session.announce(runID, emit: emit)
        } else if case .resume(_, let interruptIDs) = request.input,
            let refusal = try await refusalToResume(thread: request.threadID, interruptIDs: interruptIDs, client: client, deadline: deadline)
        {
            emit(.update(.status(.failed, message: Message(messageId: ids.makeID(), role: .agent, parts: [.text(refusal)]))))
            return
        }
        var failedJoins = 0
        while true {
            try Task.checkCancellation()
            let response: HTTPClientResponse
            if let runID = session.runID {
                session.joined = true
                response = try await client.joinRun(thread: request.threadID, run: runID, lastEventID: session.cursor.rejoin(), deadline: deadline)
            } else {
                switch try await client.startRun(thread: request.threadID, body: try startBody(request), identity: Self.identity(of: request), deadline: deadline) {
                case .stream(let stream, let runID):
                    response = stream
                    if let runID { session.announce(runID, emit: emit) }
                case .existing(let runID):
                    session.announce(runID, emit: emit)
                    continue
                }
            }

            let delivered = session.cursor.delivered
            let broken = try await session.consume(response.body, pace: pace, emit: emit)
            if session.mapper.finished { return }
            if session.cursor.delivered > delivered { failedJoins = 0 }
            if let broken {
                let failure = LangGraphRetryPolicy.classify(broken)
                if failure == .deadline || NIODeadline.now() >= deadline { throw LangGraphClient.DeadlinePassed() }
                guard session.runID != nil else {
                    throw LangGraphClient.error(for: failure, call: "start run")
                }
                failedJoins += 1
                guard failedJoins <= configuration.maximumRejoins else {
                    throw GraphExecutionError(upstream: "The run stream kept breaking: \(failure.summary)")
                }
                logger.info("Run stream broke; re-joining", metadata: ["error": "\(failure.summary)", "attempt": "\(failedJoins)"])
                try await LangGraphClient.sleep(configuration.retryPolicy.backoff(attempt: failedJoins), before: deadline)
                continue
            }
            // The stream closed. LangGraph sends no end event, so ask how the run ended.
            guard let runID = session.runID else {
                for event in session.mapper.finish() { emit(event) }
                return
            }
            let status = try await client.runStatus(thread: request.threadID, run: runID, deadline: deadline)
            if let status, status.isActive {
                failedJoins += 1
                guard failedJoins <= configuration.maximumRejoins else {
                    throw GraphExecutionError(upstream: "The run stream kept closing while the run was still \(status.rawValue)")
                }
                try await LangGraphClient.sleep(configuration.retryPolicy.backoff(attempt: failedJoins), before: deadline)
                continue
            }
            // The stream can miss pending interrupts (after a partial resume), and carries no values
            // when it could not be replayed; the thread knows both. A new run's stream, read whole
            // from its start, carried both: its final values list its interrupts, as the updates
            // that came before did (one request less for most runs).
            var state: (values: JSONObject?, interrupts: [JSONValue]?) = (nil, nil)
            if status == .success && !session.streamTellsHowTheRunEnded(request) {
                do {
                    state = try await client.threadState(thread: request.threadID, deadline: deadline)
                } catch let error as GraphExecutionError {
                    logger.warning("Could not read the thread's state; using what the stream carried", metadata: ["error": "\(error)"])
                }
            }
            for event in session.mapper.finish(runStatus: status, pendingInterrupts: state.interrupts, threadValues: state.values) { emit(event) }
            if session.mapper.droppedProgress {
                logger.notice("Progress updates beyond the per-run limit were dropped", metadata: ["limit": "\(configuration.maximumProgressUpdates)"])
            }
            return
        }
    }

    /// Why the thread cannot be resumed with answers to `interruptIDs`, or `nil` when it can.
    ///
    /// LangGraph accepts a resume on a thread that waits for nothing (it returns the current
    /// values as if the run succeeded), so the thread's status and pending interrupts are checked
    /// first: the questions may have been answered already, or replaced by a newer message in the
    /// same context.
    func refusalToResume(thread: String, interruptIDs: [String], client: LangGraphClient, deadline: NIODeadline) async throws -> String? {
        guard let value = try await client.thread(thread, deadline: deadline) else {
            return "The graph cannot resume: its thread no longer exists on the LangGraph server"
        }
        let status = value["status"]?.stringValue.flatMap(LangGraphThreadStatus.init(rawValue:))
        guard status == .interrupted else {
            // Only LangGraph's own thread states are named: nothing else a server says is repeated.
            let known = status.map { " (its thread is \($0.rawValue))" } ?? ""
            return "The graph is not waiting for input any more\(known); the question was answered or replaced by a newer message"
        }
        let pending = Set((value["interrupts"]?.objectValue ?? [:]).values.flatMap { $0.arrayValue ?? [] }.compactMap { $0["id"]?.stringValue })
        let missing = interruptIDs.filter { !pending.contains($0) }
        guard missing.isEmpty else {
            return "The graph is not waiting for these answers any more (interrupts \(missing.joined(separator: ", ")) are not pending)"
        }
        return nil
    }

    /// The run's metadata that identifies it among the thread's runs: the task and the message
    /// that started this turn.
    static func identity(of request: GraphRunRequest) -> [String: String] {
        ["a2a_task_id": request.taskId, "a2a_message_id": request.input.message.messageId]
    }

    func startBody(_ request: GraphRunRequest) throws -> ByteBuffer {
        var metadata: JSONObject = ["a2a_namespace": .string(request.namespace.rawValue)]
        for (key, value) in Self.identity(of: request) { metadata[key] = .string(value) }
        var body: JSONObject = [
            "assistant_id": .string(request.actor.assistantID),
            "stream_mode": .array(configuration.streamModes(for: request.actor.streamModes).map { .string($0) }),
            "stream_resumable": true,
            "if_not_exists": "create",
            "on_disconnect": "continue",
            "metadata": .object(metadata),
        ]
        switch request.input {
        case .message(let message):
            body["input"] = .object(LangGraphInput.runInput(for: message))
        case .resume(let message, let interruptIDs):
            body["command"] = ["resume": LangGraphInput.resumeValue(for: message, interruptIDs: interruptIDs)]
        }
        if let config = request.actor.config { body["config"] = .object(config) }
        if let context = request.actor.context { body["context"] = .object(context) }
        return ByteBuffer(bytes: try A2AJSONWriter.encode(JSONValue.object(body)))
    }

    static func describe(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        return seconds >= 1 ? "\(seconds) s" : "\(duration.components.attoseconds / 1_000_000_000_000_000) ms"
    }
}

/// The run id of an execution, as soon as it is known, for canceling the run from outside.
final class StartedRun: Sendable {
    private let value = Mutex<String?>(nil)

    var runID: String? { value.withLock { $0 } }

    func set(_ runID: String) {
        value.withLock { $0 = $0 ?? runID }
    }
}

/// What one execution knows about its run: the run id, where its stream stands, and the mapping.
struct RunSession {
    var runID: String?
    private var announcedRunID: String?
    var cursor = LangGraphEventCursor()
    var mapper: LangGraphRunMapper
    /// Events read from the run's streams so far, repeats included.
    private(set) var eventsRead = 0
    /// The run's stream was joined (after a break, or a run started before) rather than read
    /// whole from the run's start.
    var joined = false
    private let maximumEventBytes: Int
    private let maximumEventsPerRun: Int

    init(request: GraphRunRequest, configuration: LangGraphConfiguration, ids: any IdentifierGenerator) {
        let options = LangGraphRunMapper.Options(
            catchUp: request.existingRunID != nil,
            maximumProgressUpdates: configuration.maximumProgressUpdates,
            maximumInterruptBytes: configuration.maximumEventBytes
        )
        mapper = LangGraphRunMapper(inputMessageID: request.input.message.messageId, options: options, makeID: { ids.makeID() })
        maximumEventBytes = configuration.maximumEventBytes
        maximumEventsPerRun = configuration.maximumEventsPerRun
    }

    /// Whether the stream alone tells how a successful run ended: a new run (not a resume, whose
    /// thread may still wait for answers its stream does not name), read whole from its start,
    /// whose final values came, with every interrupt collected.
    func streamTellsHowTheRunEnded(_ request: GraphRunRequest) -> Bool {
        guard case .message = request.input, request.existingRunID == nil, !joined else { return false }
        return mapper.sawValues && !mapper.interruptsExceeded
    }

    /// Reports the run once, from whichever source names it first (headers or `metadata`).
    mutating func announce(_ runID: String, emit: (ExecutionEvent) -> Void) {
        if self.runID == nil { self.runID = runID }
        guard announcedRunID == nil, runID == self.runID else { return }
        announcedRunID = runID
        emit(.runStarted(runID: runID))
    }

    /// Reads a stream to its end, emitting the mapped events of the events not delivered before.
    /// Returns the error that broke the stream, if one did.
    ///
    /// Throws ``LangGraphLimitExceeded`` for a line or event over the limit, for an event over
    /// the run's count and for pending interrupts larger than an event, having buffered no more
    /// than the limit: the caller drops the stream (and with it the connection) rather than
    /// re-join it.
    ///
    /// After the events of each read, `pace` is awaited: the next read waits until the consumer
    /// has room.
    mutating func consume(_ body: HTTPClientResponse.Body, pace: () async -> Void = {}, emit: (ExecutionEvent) -> Void) async throws -> (any Error)? {
        var parser = ServerSentEventParser(maximumLineBytes: maximumEventBytes, maximumEventBytes: maximumEventBytes)
        var buffers = body.makeAsyncIterator()
        while true {
            let read: ByteBuffer?
            do {
                read = try await buffers.next()
            } catch {
                if Task.isCancelled { throw CancellationError() }
                return error
            }
            guard let buffer = read else { return nil }
            let events = parser.consume(buffer.readableBytesView)
            switch parser.exceededLimit {
            case .lineLength: throw LangGraphLimitExceeded(.lineLength(maximumEventBytes))
            case .eventSize: throw LangGraphLimitExceeded(.eventSize(maximumEventBytes))
            case nil: break
            }
            eventsRead += events.count
            guard eventsRead <= maximumEventsPerRun else { throw LangGraphLimitExceeded(.eventsPerRun(maximumEventsPerRun)) }
            var fresh: [ServerSentEvent] = []
            for event in events where cursor.admit(event) {
                fresh.append(event)
            }
            for event in mapper.consume(fresh) {
                if case .runStarted(let runID) = event {
                    announce(runID, emit: emit)
                } else {
                    emit(event)
                }
            }
            if mapper.interruptsExceeded { throw LangGraphLimitExceeded(.interrupts(maximumEventBytes)) }
            if mapper.finished { return nil }
            await pace()
        }
    }
}

extension GraphRunRequest.Input {
    /// The user message of the turn.
    var message: Message {
        switch self {
        case .message(let message): message
        case .resume(let message, _): message
        }
    }
}
