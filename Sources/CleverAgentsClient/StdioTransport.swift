//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import Dispatch
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOPosix
import Synchronization

/// JSON-RPC over the stdin/stdout of a local `cleveragents stdio` process, which it spawns.
///
/// One message per line in each direction; calls run concurrently and are matched by id; stream
/// events arrive as `_cleveragents/stream` notifications (see ``StdioProtocol``). The child's
/// standard error (its logs) goes to this process's standard error. ``close()`` ends the
/// child's input, which makes it finish what is in flight and exit.
public final class StdioTransport: A2ATransport {
    private struct State {
        var nextID: Int64 = 1
        var calls: [JSONRPCID: CheckedContinuation<Data, any Error>] = [:]
        var streams: [JSONRPCID: AsyncThrowingStream<StreamResponse, any Error>.Continuation] = [:]
        var writer: NIOAsyncChannelOutboundWriter<ByteBuffer>?
        var failure: A2AClientError?
    }

    public let executable: String
    public let arguments: [String]
    private let state = Mutex(State())
    private let process: Mutex<Process>
    private let reader: Mutex<Task<Void, Never>?> = Mutex(nil)
    private let exited: Mutex<(status: Int32?, waiters: [CheckedContinuation<Int32, Never>])> = Mutex((nil, []))

    /// Where the calls go: `stdio:<executable> <arguments>`.
    public var endpointDescription: String { "stdio:\(executable) \(arguments.joined(separator: " "))" }

    private init(executable: String, arguments: [String]) {
        self.executable = executable
        self.arguments = arguments
        self.process = Mutex(Process())
    }

    /// Starts `executable arguments` (typically `cleveragents stdio --store PATH`) and connects to it.
    public static func launch(executable: String, arguments: [String], environment: [String: String]? = nil) async throws -> StdioTransport {
        let transport = StdioTransport(executable: executable, arguments: arguments)
        // Spawning forks and execs; keep it off the cooperative threads.
        let (input, output) = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(Int32, Int32), any Error>) in
            DispatchQueue.global().async {
                transport.process.withLock { process in
                    process.executableURL = URL(fileURLWithPath: executable)
                    process.arguments = arguments
                    if let environment { process.environment = environment }
                    let toChild = Pipe()
                    let fromChild = Pipe()
                    process.standardInput = toChild
                    process.standardOutput = fromChild
                    process.standardError = FileHandle.standardError
                    process.terminationHandler = { [weak transport] finished in
                        transport?.processExited(finished.terminationStatus)
                    }
                    do {
                        try process.run()
                    } catch {
                        continuation.resume(throwing: A2AClientError.transport("cannot start \(executable): \(error)"))
                        return
                    }
                    // NIO takes ownership of its own copies of our ends of the pipes.
                    let input = dup(fromChild.fileHandleForReading.fileDescriptor)
                    let output = dup(toChild.fileHandleForWriting.fileDescriptor)
                    try? fromChild.fileHandleForReading.close()
                    try? toChild.fileHandleForWriting.close()
                    continuation.resume(returning: (input, output))
                }
            }
        }
        let channel = try await NIOPipeBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .takingOwnershipOfDescriptors(input: input, output: output) { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Half-closure on, so that finishing the writer closes the child's input (its EOF).
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                        wrappingChannelSynchronously: channel,
                        configuration: .init(isOutboundHalfClosureEnabled: true)
                    )
                }
            }
        let ready = AsyncStream<Void>.makeStream()
        let task = Task {
            do {
                try await channel.executeThenClose { inbound, outbound in
                    transport.state.withLock { $0.writer = outbound }
                    ready.continuation.finish()
                    var pending = ByteBuffer()
                    for try await var chunk in inbound {
                        pending.writeBuffer(&chunk)
                        while let newline = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                            let length = newline - pending.readerIndex
                            let line = pending.readData(length: length) ?? Data()
                            pending.moveReaderIndex(forwardBy: 1)
                            transport.receive(line)
                        }
                        pending.discardReadBytes()
                    }
                }
            } catch {
                transport.fail(.transport("the local process's output broke: \(error)"))
            }
            ready.continuation.finish()
            transport.fail(.transport("the local process ended"))
        }
        transport.reader.withLock { $0 = task }
        for await _ in ready.stream {}
        return transport
    }

    // MARK: Calls

    public func call<Params: Encodable & Sendable, Result: Decodable & Sendable>(
        _ method: String,
        params: Params,
        as resultType: Result.Type,
        idempotent: Bool
    ) async throws -> Result {
        let id = makeID()
        let line = try A2AJSON.makeEncoder().encode(JSONRPCOutgoingRequest(id: id, method: method, params: params))
        let data: Data = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let failure = state.withLock { state -> A2AClientError? in
                    if let failure = state.failure { return failure }
                    state.calls[id] = continuation
                    return nil
                }
                if let failure {
                    continuation.resume(throwing: failure)
                    return
                }
                Task { await self.write(line, failing: id) }
            }
        } onCancel: {
            self.cancelRemote(id)
            let continuation = self.state.withLock { $0.calls.removeValue(forKey: id) }
            continuation?.resume(throwing: CancellationError())
        }
        return try HTTPTransport.decodeResult(Result.self, from: data, status: nil)
    }

    public func stream<Params: Encodable & Sendable>(_ method: String, params: Params) async throws -> A2AEventStream {
        let id = makeID()
        let line = try A2AJSON.makeEncoder().encode(JSONRPCOutgoingRequest(id: id, method: method, params: params))
        let (events, continuation) = AsyncThrowingStream<StreamResponse, any Error>.makeStream()
        let failure = state.withLock { state -> A2AClientError? in
            if let failure = state.failure { return failure }
            state.streams[id] = continuation
            return nil
        }
        if let failure { throw failure }
        continuation.onTermination = { [weak self] termination in
            guard let self, case .cancelled = termination else { return }
            // The reader stopped early: stop the stream in the local process too.
            if self.state.withLock({ $0.streams.removeValue(forKey: id) }) != nil {
                self.cancelRemote(id)
            }
        }
        await write(line, failing: id)
        return A2AEventStream(events)
    }

    /// Ends the child's input and waits for it to exit (sending SIGTERM after `grace`).
    public func close() async throws {
        let writer = state.withLock { $0.writer }
        writer?.finish()
        let status = await waitForExit(grace: .seconds(30))
        reader.withLock { $0 }?.cancel()
        _ = status
    }

    /// The exit status of the local process, once it has exited: after `grace` it is sent
    /// SIGTERM, and `killAfter` later SIGKILL (a process that ignores SIGTERM, say one that
    /// inherited it ignored, would otherwise be waited for without end).
    public func waitForExit(grace: Duration, killAfter: Duration = .seconds(10)) async -> Int32 {
        let timeout = Task { [weak self] in
            try await Task.sleep(for: grace)
            self?.send(SIGTERM)
            try await Task.sleep(for: killAfter)
            self?.send(SIGKILL)
        }
        defer { timeout.cancel() }
        return await withCheckedContinuation { continuation in
            exited.withLock { state in
                if let status = state.status {
                    continuation.resume(returning: status)
                } else {
                    state.waiters.append(continuation)
                }
            }
        }
    }

    /// Sends `signal` to the local process while it runs.
    private func send(_ signal: Int32) {
        process.withLock { process in
            if process.isRunning { kill(process.processIdentifier, signal) }
        }
    }

    // MARK: Wire

    private func makeID() -> JSONRPCID {
        state.withLock { state in
            defer { state.nextID += 1 }
            return .number(state.nextID)
        }
    }

    private func write(_ line: Data, failing id: JSONRPCID) async {
        guard let writer = state.withLock({ $0.writer }) else {
            fail(id, .transport("the local process is not connected"))
            return
        }
        var buffer = ByteBuffer(data: line)
        buffer.writeInteger(UInt8(ascii: "\n"))
        do {
            try await writer.write(buffer)
        } catch {
            fail(id, .transport("cannot write to the local process: \(error)"))
        }
    }

    private func cancelRemote(_ id: JSONRPCID) {
        guard let line = try? A2AJSON.makeEncoder().encode(
            JSONRPCNotification(method: StdioProtocol.cancelRequestMethod, params: StdioCancelRequest(requestId: id))
        ) else { return }
        Task { await self.write(line, failing: id) }
    }

    private struct Envelope: Decodable {
        var id: JSONRPCID?
        var method: String?
    }

    private struct StreamNotification: Decodable {
        var params: StdioStreamEvent
    }

    /// Routes one line from the child: a stream event, a stream's end, or a call's answer.
    private func receive(_ line: Data) {
        guard !line.isEmpty, let envelope = try? JSONDecoder().decode(Envelope.self, from: line) else { return }
        if envelope.method == StdioProtocol.streamMethod {
            guard let notification = try? JSONDecoder().decode(StreamNotification.self, from: line) else { return }
            let continuation = state.withLock { $0.streams[notification.params.requestId] }
            continuation?.yield(notification.params.event)
            return
        }
        guard let id = envelope.id else { return }
        let (call, stream) = state.withLock { state in
            (state.calls.removeValue(forKey: id), state.streams.removeValue(forKey: id))
        }
        if let call {
            call.resume(returning: line)
        } else if let stream {
            do {
                _ = try HTTPTransport.decodeResult(StdioStreamEnd.self, from: line, status: nil)
                stream.finish()
            } catch {
                stream.finish(throwing: error)
            }
        }
    }

    private func fail(_ id: JSONRPCID, _ error: A2AClientError) {
        let (call, stream) = state.withLock { state in
            (state.calls.removeValue(forKey: id), state.streams.removeValue(forKey: id))
        }
        call?.resume(throwing: error)
        stream?.finish(throwing: error)
    }

    /// Fails everything in flight and every later call.
    private func fail(_ error: A2AClientError) {
        let (calls, streams) = state.withLock { state in
            if state.failure == nil { state.failure = error }
            defer {
                state.calls = [:]
                state.streams = [:]
            }
            return (Array(state.calls.values), Array(state.streams.values))
        }
        for call in calls { call.resume(throwing: error) }
        for stream in streams { stream.finish(throwing: error) }
    }

    private func processExited(_ status: Int32) {
        let waiters = exited.withLock { state in
            state.status = status
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: status) }
    }
}
