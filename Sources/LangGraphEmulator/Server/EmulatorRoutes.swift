//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The LangGraph server HTTP API routes the emulator serves, with LangGraph's wire format:
/// SSE with CRLF line endings, `metadata` first, `id:` lines for resumable runs,
/// `Location`/`Content-Location` headers, and `{"detail": …}` error bodies.
struct EmulatorRoutes: Sendable {
    let store: EmulatorStore
    let faults: EmulatorFaults

    static let knownStreamModes: Set<String> = [
        "values", "updates", "custom", "messages", "messages-tuple", "events", "debug", "tasks", "checkpoints",
    ]

    func add(to router: Router<BasicRequestContext>) {
        router.get("/ok") { _, _ in Self.json(["ok": true]) }
        router.get("/info") { _, _ in Self.json(["version": "emulator", "flags": ["assistants": true, "crons": false]]) }

        router.post("/threads") { request, context in try await createThread(request, context) }
        router.get("/threads/:thread") { _, context in
            let id = try Self.uuid(context, "thread", "Invalid thread ID: must be a UUID")
            guard let thread = store.thread(id) else { throw EmulatorError(status: 404, detail: "Thread with ID \(id) not found") }
            return Self.json(thread.json)
        }
        router.get("/threads/:thread/state") { _, context in
            let id = try Self.uuid(context, "thread", "Invalid thread ID: must be a UUID")
            guard let thread = store.thread(id) else { throw EmulatorError(status: 404, detail: "Thread with ID \(id) not found") }
            return Self.json(thread.stateJSON)
        }

        router.post("/threads/:thread/runs/stream") { request, context in try await createRun(request, context, answer: .stream) }
        router.post("/threads/:thread/runs/wait") { request, context in try await createRun(request, context, answer: .wait) }
        router.post("/threads/:thread/runs") { request, context in try await createRun(request, context, answer: .background) }
        router.get("/threads/:thread/runs") { request, context in try listRuns(request, context) }
        router.get("/threads/:thread/runs/:run") { _, context in
            let run = try findRun(context)
            return Self.json(Self.json(of: run, select: nil))
        }
        router.get("/threads/:thread/runs/:run/join") { _, context in
            let run = try findRun(context)
            return try await waitResponse(run)
        }
        router.get("/threads/:thread/runs/:run/stream") { request, context in
            let threadID = try Self.uuid(context, "thread", "Invalid thread ID: must be a UUID")
            let runID = try Self.uuid(context, "run", "Invalid run ID: must be a UUID")
            guard let run = store.run(runID, thread: threadID) else {
                // As LangGraph: the stream opens, then says the run is not found.
                return Self.errorStream(["error": "HTTPException", "message": "404: Run not found"])
            }
            let lastEventID = request.headers[HTTPField.Name("last-event-id")!].flatMap { $0.isEmpty ? nil : $0 }
            let cancelOnDisconnect = ["true", "1", "yes"].contains(request.uri.queryParameters.get("cancel_on_disconnect")?.lowercased() ?? "")
            return streamResponse(run, from: lastEventID.map { .after($0) } ?? .live, request: request, cancelOnDisconnect: cancelOnDisconnect)
        }
        router.post("/threads/:thread/runs/:run/cancel") { request, context in
            let run = try findRun(context)
            guard !run.isFinished else {
                throw EmulatorError(
                    status: 404,
                    detail:
                        "No matching runs to cancel. Please verify the thread ID and run IDs are correct, and the runs haven't been deleted or completed."
                )
            }
            run.cancel()
            if ["true", "1", "yes"].contains(request.uri.queryParameters.get("wait")?.lowercased() ?? "") {
                for await _ in run.subscribe(from: .live) {}
            }
            return Self.json([:])
        }

        // Emulator administration: fault injection, the request log, statistics.
        router.post("/_emulator/faults") { request, context in
            let fault = try await request.decode(as: EmulatorFault.self, context: context)
            faults.add(fault)
            return Self.json(["faults": .number(Double(faults.pending.count))])
        }
        router.delete("/_emulator/faults") { _, _ in
            faults.clear()
            return Self.json(["faults": 0])
        }
        router.get("/_emulator/requests") { _, _ in Self.json(.array(faults.requests.map(\.json))) }
        router.delete("/_emulator/requests") { _, _ in
            faults.clearRequests()
            return Self.json([:])
        }
        router.get("/_emulator/stats") { _, _ in Self.json(store.statistics) }
        router.post("/_emulator/reset") { _, _ in
            store.reset()
            faults.clear()
            faults.clearRequests()
            return Self.json([:])
        }
    }

    // MARK: Threads

    private struct ThreadCreate: Decodable {
        var threadID: String?
        var metadata: JSONObject?
        var ifExists: String?

        enum CodingKeys: String, CodingKey {
            case threadID = "thread_id"
            case metadata
            case ifExists = "if_exists"
        }
    }

    private func createThread(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let body = try await Self.decode(ThreadCreate.self, request, allowEmpty: true) ?? ThreadCreate()
        if let id = body.threadID, !Identifiers.isUUID(id) {
            throw EmulatorError(status: 422, detail: "Invalid thread ID: must be a UUID")
        }
        let thread = try store.createThread(id: body.threadID, metadata: body.metadata ?? [:], ifExists: body.ifExists ?? "raise")
        return Self.json(thread.json)
    }

    // MARK: Runs

    private enum Answer {
        case stream, wait, background
    }

    private enum StreamModes: Decodable {
        case one(String)
        case many([String])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let one = try? container.decode(String.self) {
                self = .one(one)
            } else {
                self = .many(try container.decode([String].self))
            }
        }

        var list: [String] {
            switch self {
            case .one(let mode): [mode]
            case .many(let modes): modes
            }
        }
    }

    private struct RunCreate: Decodable {
        var assistantID: String?
        var input: JSONValue?
        var command: JSONValue?
        var config: JSONValue?
        var context: JSONValue?
        var metadata: JSONObject?
        var streamMode: StreamModes?
        var streamResumable: Bool?
        var ifNotExists: String?
        var onDisconnect: String?
        var multitaskStrategy: String?

        enum CodingKeys: String, CodingKey {
            case assistantID = "assistant_id"
            case input, command, config, context, metadata
            case streamMode = "stream_mode"
            case streamResumable = "stream_resumable"
            case ifNotExists = "if_not_exists"
            case onDisconnect = "on_disconnect"
            case multitaskStrategy = "multitask_strategy"
        }
    }

    private func createRun(_ request: Request, _ context: BasicRequestContext, answer: Answer) async throws -> Response {
        let threadID = try Self.uuid(context, "thread", "Invalid thread ID: must be a UUID")
        guard let body = try await Self.decode(RunCreate.self, request, allowEmpty: false) else {
            throw EmulatorError(status: 422, detail: "Request body is required")
        }
        guard let assistantID = body.assistantID else {
            throw EmulatorError(status: 422, detail: "\"assistant_id\" is a required property")
        }
        let modes = body.streamMode?.list ?? ["values"]
        let unknown = modes.filter { !Self.knownStreamModes.contains($0) }
        guard unknown.isEmpty else {
            throw EmulatorError(status: 422, detail: "\(unknown) is not valid under any of the schemas listed in the 'anyOf' keyword")
        }
        let strategy = body.multitaskStrategy ?? "enqueue"
        guard ["reject", "interrupt", "rollback", "enqueue"].contains(strategy) else {
            throw EmulatorError(status: 422, detail: "'\(strategy)' is not one of ['reject', 'rollback', 'interrupt', 'enqueue']")
        }
        var kwargs: JSONObject = [
            "input": body.input ?? .null,
            "command": body.command ?? .null,
            "config": body.config ?? ["configurable": [:]],
            "context": body.context ?? [:],
            "stream_mode": .array(modes.map { .string($0) }),
            "resumable": .bool(body.streamResumable ?? false),
        ]
        if let traceParent = request.headers[HTTPField.Name("traceparent")!] { kwargs["traceparent"] = .string(traceParent) }
        let run = try store.createRun(
            threadID: threadID,
            EmulatorStore.RunRequest(
                assistantID: assistantID,
                input: body.input,
                command: body.command,
                metadata: body.metadata ?? [:],
                streamModes: modes,
                resumable: body.streamResumable ?? false,
                ifNotExists: body.ifNotExists ?? "reject",
                multitaskStrategy: strategy,
                kwargs: kwargs
            )
        )
        switch answer {
        case .stream:
            return streamResponse(run, from: .beginning, request: request, cancelOnDisconnect: body.onDisconnect == "cancel")
        case .wait:
            return try await waitResponse(run)
        case .background:
            return Self.json(Self.json(of: run, select: nil))
        }
    }

    private func listRuns(_ request: Request, _ context: BasicRequestContext) throws -> Response {
        let threadID = try Self.uuid(context, "thread", "Invalid thread ID: must be a UUID")
        guard let runs = store.runs(thread: threadID) else { throw EmulatorError(status: 404, detail: "Thread with ID \(threadID) not found") }
        let parameters = request.uri.queryParameters
        let limit = parameters.get("limit").flatMap(Int.init) ?? 10
        let offset = parameters.get("offset").flatMap(Int.init) ?? 0
        let status = parameters.get("status")
        let select = parameters.getAll("select").map { String($0) }
        let page = runs.filter { status == nil || $0.status.rawValue == status }.dropFirst(offset).prefix(limit)
        return Self.json(.array(page.map { Self.json(of: $0, select: select.isEmpty ? nil : Set(select)) }))
    }

    private func findRun(_ context: BasicRequestContext) throws -> EmulatedRun {
        let threadID = try Self.uuid(context, "thread", "Invalid thread ID: must be a UUID")
        let runID = try Self.uuid(context, "run", "Invalid run ID: must be a UUID")
        guard store.thread(threadID) != nil else { throw EmulatorError(status: 404, detail: "Thread with ID \(threadID) not found") }
        guard let run = store.run(runID, thread: threadID) else { throw EmulatorError(status: 404, detail: "Not Found") }
        return run
    }

    /// `/runs/wait` and `/join`: the run's final values (with `__interrupt__`, or `__error__`).
    private func waitResponse(_ run: EmulatedRun) async throws -> Response {
        for await _ in run.subscribe(from: .live) {}
        var headers = Self.locationHeaders(run, suffix: "join")
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(.object(run.result ?? [:])))))
    }

    /// An SSE stream of the run's events from `start`, until the run ends.
    private func streamResponse(_ run: EmulatedRun, from start: EmulatedRun.Start, request: Request, cancelOnDisconnect: Bool) -> Response {
        let drop = faults.take(method: request.method.rawValue, path: request.uri.path) { $0.dropStreamAfterEvents != nil }?.dropStreamAfterEvents
        let events = run.subscribe(from: start)
        var headers = Self.locationHeaders(run, suffix: "stream")
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("x-accel-buffering")!] = "no"
        let resumable = run.resumable
        return Response(
            status: .ok,
            headers: headers,
            body: ResponseBody { writer in
                var written = 0
                do {
                    for await item in events {
                        switch item {
                        case .event(let event):
                            try await writer.write(ByteBuffer(bytes: Self.frame(event, withID: resumable)))
                            written += 1
                            if let drop, written >= drop { throw StreamDropped() }
                        case .heartbeat:
                            try await writer.write(ByteBuffer(string: ": heartbeat\r\n\r\n"))
                        }
                    }
                } catch {
                    if cancelOnDisconnect, !(error is StreamDropped) { run.cancel() }
                    throw error
                }
                try await writer.finish(nil)
            }
        )
    }

    /// A stream with one `error` event.
    static func errorStream(_ error: JSONValue) -> Response {
        let event = EmulatedRun.Event(id: "", name: "error", data: JSONWriter.bytes(error))
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: frame(event, withID: false)))
        )
    }

    /// An injected fault: the connection breaks in the middle of the stream.
    struct StreamDropped: Error {}

    /// `event: <name>\r\ndata: <json>\r\nid: <id>\r\n\r\n`, as LangGraph frames events.
    static func frame(_ event: EmulatedRun.Event, withID: Bool) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(event.data.count + event.name.utf8.count + 48)
        bytes.append(contentsOf: "event: ".utf8)
        bytes.append(contentsOf: event.name.utf8)
        bytes.append(contentsOf: "\r\ndata: ".utf8)
        bytes.append(contentsOf: event.data)
        bytes.append(contentsOf: "\r\n".utf8)
        if withID {
            bytes.append(contentsOf: "id: ".utf8)
            bytes.append(contentsOf: event.id.utf8)
            bytes.append(contentsOf: "\r\n".utf8)
        }
        bytes.append(contentsOf: "\r\n".utf8)
        return bytes
    }

    // MARK: Helpers

    static func json(of run: EmulatedRun, select: Set<String>?) -> JSONValue {
        var object: JSONObject = [
            "run_id": .string(run.id),
            "thread_id": .string(run.threadID),
            "assistant_id": .string(run.assistantID),
            "metadata": .object(run.metadata),
            "status": .string(run.status.rawValue),
            "kwargs": .object(run.kwargs),
            "multitask_strategy": .string(run.multitaskStrategy),
            "created_at": .string(Identifiers.timestamp(run.createdAt)),
            "updated_at": .string(Identifiers.timestamp(run.updatedAt)),
        ]
        if let select { object = object.filter { select.contains($0.key) } }
        return .object(object)
    }

    static func locationHeaders(_ run: EmulatedRun, suffix: String) -> HTTPFields {
        [
            HTTPField.Name("location")!: "/threads/\(run.threadID)/runs/\(run.id)/\(suffix)",
            HTTPField.Name("content-location")!: "/threads/\(run.threadID)/runs/\(run.id)",
        ]
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(value))))
    }

    static func uuid(_ context: BasicRequestContext, _ name: String, _ detail: String) throws -> String {
        guard let value = context.parameters.get(name), Identifiers.isUUID(value) else { throw EmulatorError(status: 422, detail: detail) }
        return value.lowercased()
    }

    static func decode<Body: Decodable>(_ type: Body.Type, _ request: Request, allowEmpty: Bool) async throws -> Body? {
        var request = request
        let buffer = try await request.collectBody(upTo: 16 << 20)
        if buffer.readableBytes == 0 {
            guard allowEmpty else { return nil }
            return nil
        }
        do {
            return try JSONDecoder().decode(Body.self, from: Data(buffer.readableBytesView))
        } catch {
            throw EmulatorError(status: 422, detail: "Invalid JSON body: \(error)")
        }
    }
}
