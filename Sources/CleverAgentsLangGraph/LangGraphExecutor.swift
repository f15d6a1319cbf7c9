//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
public import AsyncHTTPClient
import CleverAgentsDomain
public import CleverAgentsRuntime
import Foundation
public import Logging
import NIOCore
import NIOHTTP1

/// Runs tasks on LangGraph deployments over the LangGraph server HTTP API, as LangGraph's
/// `RemoteGraph` does: a streamed run on the context's thread, re-joined when the stream drops.
public struct LangGraphExecutor: GraphExecutor {
    public let http: HTTPClient
    public let ids: any IdentifierGenerator
    public let configuration: LangGraphConfiguration
    public let logger: Logger

    public init(http: HTTPClient, ids: any IdentifierGenerator, configuration: LangGraphConfiguration = .init(), logger: Logger) {
        self.http = http
        self.ids = ids
        self.configuration = configuration
        self.logger = logger
    }

    public func execute(_ request: GraphRunRequest) -> AsyncThrowingStream<ExecutionEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream<ExecutionEvent, any Error>.makeStream()
        let task = Task {
            do {
                try await run(request) { continuation.yield($0) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    public func cancel(_ run: GraphRunReference) async throws {
        let url = "\(Self.base(run.actor.graphURL))/threads/\(run.threadID)/runs/\(run.runID)/cancel?wait=0&action=interrupt"
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        addHeaders(&request, apiKey: run.apiKey, traceParent: nil, accept: "application/json")
        let response = try await withRetries("cancel run") {
            try await http.execute(request, timeout: .init(configuration.requestTimeout))
        }
        // 404: the run already finished, which is what the caller wanted.
        guard (200..<300).contains(response.status.code) || response.status.code == 404 else {
            throw GraphExecutionError("LangGraph refused to cancel the run: \(try await Self.detail(of: response))")
        }
    }

    // MARK: Running

    private func run(_ request: GraphRunRequest, emit: (ExecutionEvent) -> Void) async throws {
        var logger = logger
        logger[metadataKey: "task_id"] = "\(request.taskId)"
        let inputMessageID: String? =
            switch request.input {
            case .message(let message): message.messageId
            case .resume(let message, _): message.messageId
            }
        var mapper = LangGraphRunMapper(inputMessageID: inputMessageID, makeID: { ids.makeID() })
        var runID = request.existingRunID
        if let runID { emit(.runStarted(runID: runID)) }
        var lastEventID: String?
        var rejoins = 0
        let deadline = NIODeadline.now() + .init(configuration.runTimeout)

        while true {
            try Task.checkCancellation()
            let response: HTTPClientResponse
            if let runID {
                response = try await withRetries("join run") {
                    try await http.execute(joinRequest(request, runID: runID, lastEventID: lastEventID), deadline: deadline)
                }
            } else {
                response = try await withRetries("start run") {
                    try await http.execute(try startRequest(request), deadline: deadline)
                }
            }
            guard response.status == .ok else {
                throw GraphExecutionError("LangGraph answered \(response.status.code): \(try await Self.detail(of: response))")
            }
            if runID == nil, let location = response.headers.first(name: "content-location"), let id = location.split(separator: "/").last {
                runID = String(id)
            }
            var parser = ServerSentEventParser()
            do {
                for try await buffer in response.body {
                    for event in parser.consume(buffer.readableBytesView) {
                        if let id = event.id { lastEventID = id }
                        for mapped in mapper.consume(event) {
                            if case .runStarted(let started) = mapped {
                                if runID == nil || runID == started { runID = started } else { continue }
                            }
                            emit(mapped)
                        }
                        if mapper.finished { return }
                    }
                }
            } catch where !(error is CancellationError) && runID != nil && rejoins < configuration.maximumRejoins {
                rejoins += 1
                logger.info("Run stream dropped; re-joining", metadata: ["error": "\(error)", "attempt": "\(rejoins)"])
                try await Task.sleep(for: configuration.backoff(attempt: rejoins))
                continue
            }
            // The stream closed. LangGraph sends no end event, so ask how the run ended.
            guard let runID else {
                for event in mapper.finish() { emit(event) }
                return
            }
            let status = try await runStatus(request, runID: runID)
            if status == "pending" || status == "running" {
                guard rejoins < configuration.maximumRejoins else {
                    throw GraphExecutionError("The run stream kept closing while the run was still \(status)")
                }
                rejoins += 1
                continue
            }
            // The stream can miss pending interrupts (after a partial resume, or when re-joined);
            // the thread knows them.
            let pending = status == "success" ? try await pendingInterrupts(request, logger: logger) : nil
            for event in mapper.finish(runStatus: status, pendingInterrupts: pending) { emit(event) }
            return
        }
    }

    private func startRequest(_ request: GraphRunRequest) throws -> HTTPClientRequest {
        var body: JSONObject = [
            "assistant_id": .string(request.actor.assistantID),
            "stream_mode": .array((request.actor.streamModes ?? configuration.defaultStreamModes).map { .string($0) }),
            "stream_resumable": true,
            "if_not_exists": "create",
            "on_disconnect": "continue",
            "metadata": ["a2a_task_id": .string(request.taskId), "a2a_namespace": .string(request.namespace.rawValue)],
        ]
        switch request.input {
        case .message(let message):
            body["input"] = .object(LangGraphInput.runInput(for: message))
        case .resume(let message, _):
            body["command"] = ["resume": LangGraphInput.resumeValue(for: message)]
        }
        if let config = request.actor.config { body["config"] = .object(config) }
        if let context = request.actor.context { body["context"] = .object(context) }
        var http = HTTPClientRequest(url: "\(Self.base(request.actor.graphURL))/threads/\(request.threadID)/runs/stream")
        http.method = .POST
        addHeaders(&http, apiKey: request.apiKey, traceParent: request.traceParent, accept: "text/event-stream")
        http.headers.add(name: "content-type", value: "application/json")
        http.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(JSONValue.object(body))))
        return http
    }

    private func joinRequest(_ request: GraphRunRequest, runID: String, lastEventID: String?) -> HTTPClientRequest {
        var http = HTTPClientRequest(url: "\(Self.base(request.actor.graphURL))/threads/\(request.threadID)/runs/\(runID)/stream")
        http.method = .GET
        addHeaders(&http, apiKey: request.apiKey, traceParent: request.traceParent, accept: "text/event-stream")
        if let lastEventID { http.headers.add(name: "last-event-id", value: lastEventID) }
        return http
    }

    private func runStatus(_ request: GraphRunRequest, runID: String) async throws -> String {
        var http = HTTPClientRequest(url: "\(Self.base(request.actor.graphURL))/threads/\(request.threadID)/runs/\(runID)")
        http.method = .GET
        addHeaders(&http, apiKey: request.apiKey, traceParent: request.traceParent, accept: "application/json")
        let response = try await withRetries("get run") {
            try await self.http.execute(http, timeout: .init(configuration.requestTimeout))
        }
        guard response.status == .ok else {
            throw GraphExecutionError("LangGraph answered \(response.status.code) for the run: \(try await Self.detail(of: response))")
        }
        let body = try await response.body.collect(upTo: 4 << 20)
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))
        return value["status"]?.stringValue ?? "unknown"
    }

    /// The thread's pending interrupts (`[{id, value}]`), or `nil` when they cannot be read.
    private func pendingInterrupts(_ request: GraphRunRequest, logger: Logger) async throws -> [JSONValue]? {
        var http = HTTPClientRequest(url: "\(Self.base(request.actor.graphURL))/threads/\(request.threadID)/state")
        http.method = .GET
        addHeaders(&http, apiKey: request.apiKey, traceParent: request.traceParent, accept: "application/json")
        do {
            let response = try await withRetries("get thread state") {
                try await self.http.execute(http, timeout: .init(configuration.requestTimeout))
            }
            guard response.status == .ok else {
                throw GraphExecutionError("LangGraph answered \(response.status.code): \(try await Self.detail(of: response))")
            }
            let body = try await response.body.collect(upTo: 16 << 20)
            let value = try JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))
            return value["interrupts"]?.arrayValue
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            logger.warning("Could not read the thread's pending interrupts; using those of the stream", metadata: ["error": "\(error)"])
            return nil
        }
    }

    // MARK: HTTP helpers

    private func addHeaders(_ request: inout HTTPClientRequest, apiKey: String?, traceParent: String?, accept: String) {
        request.headers.add(name: "accept", value: accept)
        request.headers.add(name: "user-agent", value: "cleveragents-server")
        if let apiKey { request.headers.add(name: "x-api-key", value: apiKey) }
        if let traceParent { request.headers.add(name: "traceparent", value: traceParent) }
    }

    /// Retries calls that failed before LangGraph could act on them: refused or timed-out
    /// connections, 429 and 502–504, with exponential backoff.
    private func withRetries(_ what: String, _ call: () async throws -> HTTPClientResponse) async throws -> HTTPClientResponse {
        var attempt = 1
        while true {
            do {
                let response = try await call()
                let code = response.status.code
                if (code == 429 || (502...504).contains(code)) && attempt < configuration.maximumAttempts {
                    logger.info("LangGraph is busy; retrying", metadata: ["call": "\(what)", "status": "\(code)", "attempt": "\(attempt)"])
                } else {
                    return response
                }
            } catch let error as HTTPClientError where Self.isRetriable(error) && attempt < configuration.maximumAttempts {
                logger.info("LangGraph is unreachable; retrying", metadata: ["call": "\(what)", "error": "\(error)", "attempt": "\(attempt)"])
            } catch let error as HTTPClientError {
                throw GraphExecutionError("LangGraph is unreachable (\(what)): \(error)")
            } catch where Self.isConnectionRefused(error) {
                guard attempt < configuration.maximumAttempts else {
                    throw GraphExecutionError("LangGraph is unreachable (\(what)): \(error)")
                }
                logger.info("LangGraph is unreachable; retrying", metadata: ["call": "\(what)", "error": "\(error)", "attempt": "\(attempt)"])
            }
            try await Task.sleep(for: configuration.backoff(attempt: attempt))
            attempt += 1
        }
    }

    private static func isRetriable(_ error: HTTPClientError) -> Bool {
        error == .connectTimeout || error == .remoteConnectionClosed || error == .getConnectionFromPoolTimeout
    }

    private static func isConnectionRefused(_ error: any Error) -> Bool {
        "\(error)".contains("connectionRefused") || "\(error)".contains("Connection refused")
    }

    static func base(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    static func detail(of response: HTTPClientResponse) async throws -> String {
        let body = try await response.body.collect(upTo: 64 << 10)
        let text = String(buffer: body)
        if let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), let detail = value["detail"] {
            return detail.stringValue ?? LangGraphInput.compactJSON(detail)
        }
        return text.isEmpty ? HTTPResponseStatus(statusCode: Int(response.status.code)).reasonPhrase : String(text.prefix(500))
    }
}
