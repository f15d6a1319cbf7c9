//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import AsyncHTTPClient
import CleverAgentsEgress
import CleverAgentsRuntime
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// The LangGraph server HTTP API calls of one deployment, each retried by the
/// ``LangGraphRetryPolicy``.
struct LangGraphClient: Sendable {
    let http: EgressHTTPClient
    let baseURL: String
    let apiKey: String?
    let traceParent: String?
    let configuration: LangGraphConfiguration
    let logger: Logger

    init(http: EgressHTTPClient, graphURL: String, apiKey: String?, traceParent: String?, configuration: LangGraphConfiguration, logger: Logger) {
        self.http = http
        self.baseURL = Self.base(graphURL)
        self.apiKey = apiKey
        self.traceParent = traceParent
        self.configuration = configuration
        self.logger = logger
    }

    /// The run's deadline passed while waiting for LangGraph.
    struct DeadlinePassed: Error {}

    // MARK: Calls

    /// The run's status, or `nil` when the server names one LangGraph does not have.
    func runStatus(thread: String, run: String, deadline: NIODeadline) async throws -> LangGraphRunStatus? {
        let response = try await call("get run", .GET, "/threads/\(thread)/runs/\(run)", deadline: deadline)
        guard response.status == .ok else {
            throw GraphExecutionError(upstream: "LangGraph answered \(response.status.code) for run \(run): \(await Self.detail(of: response))")
        }
        return try await json(response, call: "get run")["status"]?.stringValue.flatMap(LangGraphRunStatus.init(rawValue:))
    }

    /// The thread's state: its values and pending interrupts (`[{id, value}]`).
    func threadState(thread: String, deadline: NIODeadline) async throws -> (values: JSONObject?, interrupts: [JSONValue]?) {
        let response = try await call("get thread state", .GET, "/threads/\(thread)/state", deadline: deadline)
        guard response.status == .ok else {
            throw GraphExecutionError(upstream: "LangGraph answered \(response.status.code) for the thread state: \(await Self.detail(of: response))")
        }
        let state = try await json(response, call: "get thread state")
        return (state["values"]?.objectValue, state["interrupts"]?.arrayValue)
    }

    /// The thread (`status`, `interrupts` by task), or `nil` when it does not exist.
    func thread(_ thread: String, deadline: NIODeadline) async throws -> JSONValue? {
        let response = try await call("get thread", .GET, "/threads/\(thread)", deadline: deadline)
        if response.status == .notFound { return nil }
        guard response.status == .ok else {
            throw GraphExecutionError(upstream: "LangGraph answered \(response.status.code) for the thread: \(await Self.detail(of: response))")
        }
        return try await json(response, call: "get thread")
    }

    /// The newest run of the thread whose metadata matches every entry of `metadata`, if any.
    func findRun(thread: String, metadata: [String: String], deadline: NIODeadline) async throws -> String? {
        let response = try await call(
            "list runs",
            .GET,
            "/threads/\(thread)/runs?limit=20&select=run_id&select=metadata&select=status",
            deadline: deadline
        )
        if response.status == .notFound { return nil }
        guard response.status == .ok else {
            throw GraphExecutionError(upstream: "LangGraph answered \(response.status.code) for the thread's runs: \(await Self.detail(of: response))")
        }
        let runs = try await json(response, call: "list runs").arrayValue ?? []
        let match = runs.first { run in metadata.allSatisfy { run["metadata"]?[$0.key]?.stringValue == $0.value } }
        return match?["run_id"]?.stringValue
    }

    /// Asks LangGraph to stop a run (`action=interrupt`); a run that already ended is not an error.
    func cancel(thread: String, run: String) async throws {
        let deadline = NIODeadline.now() + .init(configuration.requestTimeout * configuration.maximumAttempts)
        let response = try await call("cancel run", .POST, "/threads/\(thread)/runs/\(run)/cancel?wait=0&action=interrupt", deadline: deadline)
        // 404: the run already finished (or is gone), which is what the caller wanted.
        guard (200..<300).contains(response.status.code) || response.status.code == 404 || response.status.code == 409 else {
            throw GraphExecutionError(upstream: "LangGraph refused to cancel the run: \(response.status.code) \(await Self.detail(of: response))")
        }
    }

    /// The outcome of starting a run.
    enum Start {
        /// The run's event stream (its run id, from `Content-Location`, when given).
        case stream(HTTPClientResponse, runID: String?)
        /// An earlier attempt did start the run, although its answer was lost.
        case existing(runID: String)
    }

    /// Starts a streamed run. A failed attempt that LangGraph may have acted on (a broken
    /// connection, a 5xx) is followed by a look for the run (by `identity`, matched against the
    /// runs' metadata) before the next attempt, so that a retry never starts the run twice.
    func startRun(thread: String, body: ByteBuffer, identity: [String: String], deadline: NIODeadline) async throws -> Start {
        let policy = configuration.retryPolicy
        var attempt = 1
        var mayExist = false
        while true {
            try Task.checkCancellation()
            if mayExist, let runID = try await findRun(thread: thread, metadata: identity, deadline: deadline) {
                logger.info("The run was started by an attempt whose answer was lost; joining it", metadata: ["run_id": "\(runID)"])
                return .existing(runID: runID)
            }
            var failure: LangGraphRetryPolicy.Failure
            do {
                var request = makeRequest(.POST, "/threads/\(thread)/runs/stream", accept: "text/event-stream")
                request.headers.add(name: "content-type", value: "application/json")
                request.body = .bytes(body)
                let response = try await http.execute(request, deadline: deadline)
                if response.status == .ok {
                    try Self.requireEventStream(response)
                    return .stream(response, runID: Self.runID(fromLocation: response.headers.first(name: "content-location")))
                }
                failure = .status(code: Int(response.status.code), detail: await Self.detail(of: response), retryAfter: Self.retryAfter(response))
            } catch {
                if Task.isCancelled { throw CancellationError() }
                failure = LangGraphRetryPolicy.classify(error)
            }
            if case .status = failure, !failure.isRetriable {
                throw GraphExecutionError(upstream: "LangGraph refused to start the run: \(failure.summary)")
            }
            mayExist = mayExist || failure.mayHaveBeenProcessed
            switch policy.decide(failure, attempt: attempt) {
            case .giveUp:
                if failure == .deadline { throw DeadlinePassed() }
                if mayExist, let runID = try await findRun(thread: thread, metadata: identity, deadline: deadline) {
                    return .existing(runID: runID)
                }
                throw Self.error(for: failure, call: "start run")
            case .retry(let delay):
                log(failure, call: "start run", attempt: attempt)
                try await Self.sleep(delay, before: deadline)
            }
            attempt += 1
        }
    }

    /// Joins a run's event stream, replaying the events after `lastEventID`.
    func joinRun(thread: String, run: String, lastEventID: String, deadline: NIODeadline) async throws -> HTTPClientResponse {
        let response = try await call("join run", .GET, "/threads/\(thread)/runs/\(run)/stream", accept: "text/event-stream", lastEventID: lastEventID, deadline: deadline, streaming: true)
        guard response.status == .ok else {
            if response.status == .notFound {
                throw GraphExecutionError(upstream: "The run \(run) is no longer known to the LangGraph server (it may have restarted): \(await Self.detail(of: response))")
            }
            throw GraphExecutionError(upstream: "LangGraph answered \(response.status.code) when re-joining the run: \(await Self.detail(of: response))")
        }
        try Self.requireEventStream(response)
        return response
    }

    // MARK: Retried calls

    /// Sends an idempotent request until LangGraph answers with something other than a retriable
    /// status, or the policy gives up (then throws a ``GraphExecutionError`` saying why).
    func call(
        _ name: String,
        _ method: HTTPMethod,
        _ path: String,
        accept: String = "application/json",
        lastEventID: String? = nil,
        deadline: NIODeadline,
        streaming: Bool = false
    ) async throws -> HTTPClientResponse {
        let policy = configuration.retryPolicy
        var attempt = 1
        while true {
            try Task.checkCancellation()
            let failure: LangGraphRetryPolicy.Failure
            do {
                var request = makeRequest(method, path, accept: accept)
                if let lastEventID { request.headers.add(name: "last-event-id", value: lastEventID) }
                // Short calls get the request timeout; streams last until the run's deadline.
                let callDeadline = streaming ? deadline : min(deadline, .now() + .init(configuration.requestTimeout))
                let response = try await http.execute(request, deadline: callDeadline)
                let status = LangGraphRetryPolicy.Failure.status(code: Int(response.status.code), detail: "", retryAfter: nil)
                guard status.isRetriable else { return response }
                failure = .status(code: Int(response.status.code), detail: await Self.detail(of: response), retryAfter: Self.retryAfter(response))
            } catch {
                if Task.isCancelled { throw CancellationError() }
                var classified = LangGraphRetryPolicy.classify(error)
                // A short call that ran out of its own time is a slow answer, not the run's end.
                if classified == .deadline && NIODeadline.now() < deadline { classified = .interrupted("no answer within \(configuration.requestTimeout)") }
                failure = classified
            }
            switch policy.decide(failure, attempt: attempt) {
            case .giveUp:
                if failure == .deadline { throw DeadlinePassed() }
                throw Self.error(for: failure, call: name)
            case .retry(let delay):
                log(failure, call: name, attempt: attempt)
                try await Self.sleep(delay, before: deadline)
            }
            attempt += 1
        }
    }

    private func log(_ failure: LangGraphRetryPolicy.Failure, call: String, attempt: Int) {
        switch failure {
        case .status(let code, _, _):
            logger.info("LangGraph is busy; retrying", metadata: ["call": "\(call)", "status": "\(code)", "attempt": "\(attempt)"])
        case .unreachable(let reason):
            logger.info("LangGraph is unreachable; retrying", metadata: ["call": "\(call)", "error": "\(reason)", "attempt": "\(attempt)"])
        default:
            logger.info("LangGraph call broke off; retrying", metadata: ["call": "\(call)", "error": "\(failure.summary)", "attempt": "\(attempt)"])
        }
    }

    /// Why a call failed for good. What the graph server (or the network to it) said goes to the
    /// log only: the task gets a generic message, so a graph URL cannot be used to read or map
    /// what answers at an address.
    static func error(for failure: LangGraphRetryPolicy.Failure, call: String) -> GraphExecutionError {
        switch failure {
        case .unreachable(let reason): GraphExecutionError(upstream: "LangGraph is unreachable (\(call)): \(reason)")
        case .interrupted(let reason): GraphExecutionError(upstream: "LangGraph did not answer (\(call)): \(reason)")
        case .status(let code, let detail, _): GraphExecutionError(upstream: "LangGraph answered \(code) (\(call)): \(detail)")
        case .deadline: GraphExecutionError("The run's time limit passed (\(call))")
        case .fatal(let reason): GraphExecutionError(upstream: "LangGraph could not be called (\(call)): \(reason)")
        }
    }

    /// A run stream must be an event stream: anything else is not a LangGraph server answering.
    static func requireEventStream(_ response: HTTPClientResponse) throws {
        let type = response.headers.first(name: "content-type")?.lowercased() ?? ""
        guard type.hasPrefix("text/event-stream") else {
            throw GraphExecutionError(upstream: "the run stream answered with content type '\(type.prefix(100))', not text/event-stream")
        }
    }

    /// Sleeps `delay`, unless that would pass the deadline.
    static func sleep(_ delay: Duration, before deadline: NIODeadline) async throws {
        let remaining = Duration.nanoseconds((deadline - .now()).nanoseconds)
        guard remaining > delay else { throw DeadlinePassed() }
        try await Task.sleep(for: delay)
    }

    // MARK: HTTP helpers

    func makeRequest(_ method: HTTPMethod, _ path: String, accept: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "accept", value: accept)
        request.headers.add(name: "user-agent", value: "cleveragents-server")
        if let apiKey { request.headers.add(name: "x-api-key", value: apiKey) }
        if let traceParent { request.headers.add(name: "traceparent", value: traceParent) }
        return request
    }

    static func base(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// The run id at the end of a `Content-Location` (`/threads/{tid}/runs/{rid}`).
    static func runID(fromLocation location: String?) -> String? {
        guard let location, let range = location.range(of: "/runs/") else { return nil }
        let id = location[range.upperBound...].prefix { $0 != "/" && $0 != "?" }
        return id.isEmpty ? nil : String(id)
    }

    /// `Retry-After` in seconds, when the server sent one.
    static func retryAfter(_ response: HTTPClientResponse) -> Duration? {
        guard let value = response.headers.first(name: "retry-after"), let seconds = Double(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 else {
            return nil
        }
        return .milliseconds(Int64(seconds * 1000))
    }

    /// The answer's JSON body, read up to ``LangGraphConfiguration/maximumResponseBytes``; a
    /// larger answer is a ``LangGraphLimitExceeded``, which ends the run.
    func json(_ response: HTTPClientResponse, call: String) async throws -> JSONValue {
        let limit = configuration.maximumResponseBytes
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw LangGraphLimitExceeded(.responseSize(limit, call: call))
        }
        return try JSONValue(parsing: body.readableBytesView)
    }

    /// The `detail` of a LangGraph error body, or the start of the body, or the status's phrase.
    static func detail(of response: HTTPClientResponse) async -> String {
        let body = (try? await response.body.collect(upTo: 64 << 10)) ?? ByteBuffer()
        let text = String(buffer: body)
        if let value = try? JSONValue(parsing: text), let detail = value["detail"] {
            return detail.stringValue ?? LangGraphInput.compactJSON(detail)
        }
        return text.isEmpty ? HTTPResponseStatus(statusCode: Int(response.status.code)).reasonPhrase : String(text.prefix(500))
    }
}
