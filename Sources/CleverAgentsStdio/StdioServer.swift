//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
public import CleverAgentsDomain
public import CleverAgentsRuntime
import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

/// The stdio front end of local mode: JSON-RPC 2.0 over a byte stream, one message per line.
///
/// Requests are served concurrently, through the same ``JSONRPCDispatcher`` as the HTTP front
/// end (one decode, one routing, one mapping of errors), for one namespace and one principal. A
/// streaming method answers with `_cleveragents/stream` notifications and then its final
/// response (see ``StdioProtocol``).
/// At the end of input the server stops reading, answers every request in flight, and returns;
/// on graceful shutdown it stops reading at once and does the same.
public struct StdioServer: Service {
    public let dispatcher: JSONRPCDispatcher
    public let namespace: NamespaceName
    public let caller: Caller
    public let input: any StdioInput
    public let output: any StdioOutput
    /// The longest accepted line; longer ones are answered with -32055 and skipped.
    public let maximumMessageBytes: Int
    public let logger: Logger

    /// - Parameter admin: serves `_cleveragents/admin/*` on the namespace (server-level methods
    ///   are not found); without it those methods are not found.
    public init(
        service: A2AService,
        sync: SyncService,
        admin: AdminService? = nil,
        namespace: NamespaceName,
        caller: Caller,
        input: any StdioInput,
        output: any StdioOutput,
        maximumMessageBytes: Int = 4 << 20,
        logger: Logger
    ) {
        self.dispatcher = JSONRPCDispatcher(service: service, admin: admin, sync: sync)
        self.namespace = namespace
        self.caller = caller
        self.input = input
        self.output = output
        self.maximumMessageBytes = maximumMessageBytes
        self.logger = logger
    }

    public func run() async throws {
        let inFlight = InFlightRequests()
        let reading = Mutex<(shutdown: Bool, current: Task<[UInt8]?, Never>?)>((false, nil))
        await withDiscardingTaskGroup { group in
            var splitter = LineSplitter(maximumLineBytes: maximumMessageBytes)
            await withGracefulShutdownHandler {
                // One read at a time (the pipe holds back a fast writer); each read can be
                // abandoned when graceful shutdown begins.
                while true {
                    let read = Task { [input] in await input.next() }
                    reading.withLock { state in
                        if state.shutdown { read.cancel() }
                        state.current = read
                    }
                    guard let chunk = await read.value else { break }
                    for line in splitter.consume(chunk) {
                        group.addTask { await self.handle(line, inFlight: inFlight) }
                    }
                }
            } onGracefulShutdown: {
                reading.withLock { state in
                    state.shutdown = true
                    state.current?.cancel()
                }
            }
            if let last = splitter.finish() {
                group.addTask { await self.handle(last, inFlight: inFlight) }
            }
        }
        logger.debug("Input ended; every request was answered")
    }

    // MARK: Requests

    func handle(_ line: LineSplitter.Line, inFlight: InFlightRequests) async {
        let bytes: [UInt8]
        switch line {
        case .tooLong:
            await send(JSONRPCErrorResponse(id: .null, error: .payloadTooLarge(limit: maximumMessageBytes)))
            return
        case .bytes(let value):
            bytes = value
        }
        let data = Data(bytes)
        let envelope = try? JSONValue(parsing: bytes)
        let method = JSONRPCMethodFamily.method(of: envelope)
        if method == StdioProtocol.cancelRequestMethod {
            if let cancel = try? JSONDecoder().decode(JSONRPCRequest<CancelRequestCall>.self, from: data), case .success(let call) = cancel.call {
                inFlight.cancel(call.requestId)
            }
            return
        }
        // Stdio asks for no A2A version: it speaks 1.0, so slash names are not 0.3's.
        let request: JSONRPCDecodedRequest
        switch JSONRPCDispatcher.decode(data, envelope: envelope, askedFor: .other) {
        case .success(let decoded): request = decoded
        case .failure(let rejection):
            guard !rejection.isNotification else { return ignoreNotification(rejection.method) }
            await send(JSONRPCErrorResponse(id: rejection.id, error: rejection.error))
            return
        }
        let context = RequestContext(namespace: namespace, caller: caller, requestID: "\(request.id)")
        await inFlight.run(request.id) { await self.serve(request, context: context) }
    }

    private func ignoreNotification(_ method: String) {
        logger.warning("Ignoring a notification: only requests (with an id) are served", metadata: ["rpc.method": "\(method)"])
    }

    private func serve(_ request: JSONRPCDecodedRequest, context: RequestContext) async {
        let id = request.id
        var logger = logger
        logger[metadataKey: "rpc.id"] = "\(id)"
        logger[metadataKey: "rpc.method"] = "\(request.call.method)"
        do {
            switch try await dispatcher.serve(request.call, context: context) {
            case .a2a(.sendMessage(let result)): await send(JSONRPCResultResponse(id: id, result: result))
            case .a2a(.task(let result)): await send(JSONRPCResultResponse(id: id, result: result))
            case .a2a(.taskList(let result)): await send(JSONRPCResultResponse(id: id, result: result))
            case .a2a(.pushConfig(let result)): await send(JSONRPCResultResponse(id: id, result: result))
            case .a2a(.pushConfigList(let result)): await send(JSONRPCResultResponse(id: id, result: result))
            case .a2a(.empty): await send(JSONRPCResultResponse(id: id, result: EmptyResult()))
            case .a2a(.agentCard(let result)): await send(JSONRPCResultResponse(id: id, result: result))
            case .a2a(.stream(let events)):
                var count = 0
                for try await event in events {
                    try Task.checkCancellation()
                    await send(JSONRPCNotification(method: StdioProtocol.streamMethod, params: StdioStreamEvent(requestId: id, event: event)))
                    count += 1
                }
                try Task.checkCancellation()
                await send(JSONRPCResultResponse(id: id, result: StdioStreamEnd(events: count)))
            case .admin(let result): await send(JSONRPCResultResponse(id: id, result: result))
            case .sync(.push(let result)): await send(JSONRPCResultResponse(id: id, result: result))
            case .sync(.pull(let result)): await send(JSONRPCResultResponse(id: id, result: result))
            case .sync(.status(let result)): await send(JSONRPCResultResponse(id: id, result: result))
            }
        } catch {
            let failure = JSONRPCFailure(error, shutdownAdvice: "local mode is shutting down")
            failure.log(to: logger)
            await send(JSONRPCErrorResponse(id: id, error: failure.error))
        }
    }

    /// Writes one message; a reader that went away is logged once per message, not fatal.
    private func send(_ message: some Encodable) async {
        do {
            let json = try A2AJSON.makeEncoder().encode(message)
            try await output.writeLine(Array(json))
        } catch {
            logger.warning("Could not write a response", metadata: ["error": "\(error)"])
        }
    }
}

/// The params of `_cleveragents/cancelRequest`.
struct CancelRequestCall: JSONRPCMethodCall {
    var requestId: JSONRPCID

    init?(method: String, params: JSONRPCParams) throws {
        guard method == StdioProtocol.cancelRequestMethod else { return nil }
        requestId = try params.decode(StdioCancelRequest.self).requestId
    }
}

/// The requests being served, so that a client can cancel one by id.
final class InFlightRequests: Sendable {
    private let tasks = Mutex<[JSONRPCID: Task<Void, Never>]>([:])

    /// Runs a request as a task that ``cancel(_:)`` can stop, and waits for it.
    func run(_ id: JSONRPCID, _ body: @escaping @Sendable () async -> Void) async {
        let task = Task { await body() }
        tasks.withLock { $0[id] = task }
        await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            task.cancel()
        }
        tasks.withLock { tasks in
            if tasks[id] == task { tasks[id] = nil }
        }
    }

    func cancel(_ id: JSONRPCID) {
        tasks.withLock { $0[id] }?.cancel()
    }
}

/// Splits a byte stream into lines, bounding their length.
struct LineSplitter {
    enum Line: Sendable, Hashable {
        case bytes([UInt8])
        /// A line longer than the limit; its bytes were dropped.
        case tooLong
    }

    let maximumLineBytes: Int
    private var pending: [UInt8] = []
    private var discarding = false

    init(maximumLineBytes: Int) {
        self.maximumLineBytes = maximumLineBytes
    }

    /// The complete lines in `chunk` (blank lines are skipped, a trailing `\r` is dropped).
    mutating func consume(_ chunk: [UInt8]) -> [Line] {
        var lines: [Line] = []
        var start = chunk.startIndex
        while let newline = chunk[start...].firstIndex(of: UInt8(ascii: "\n")) {
            let piece = chunk[start..<newline]
            if discarding {
                discarding = false
                lines.append(.tooLong)
            } else if pending.count + piece.count > maximumLineBytes {
                lines.append(.tooLong)
            } else {
                pending.append(contentsOf: piece)
                if let line = takePending() { lines.append(line) }
            }
            pending.removeAll(keepingCapacity: true)
            start = chunk.index(after: newline)
        }
        let rest = chunk[start...]
        if !discarding {
            if pending.count + rest.count > maximumLineBytes {
                discarding = true
                pending.removeAll()
            } else {
                pending.append(contentsOf: rest)
            }
        }
        return lines
    }

    /// What is left at the end of input.
    mutating func finish() -> Line? {
        if discarding {
            discarding = false
            return .tooLong
        }
        return takePending()
    }

    private mutating func takePending() -> Line? {
        var line = pending
        pending.removeAll(keepingCapacity: true)
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) else { return nil }
        return .bytes(line)
    }
}
