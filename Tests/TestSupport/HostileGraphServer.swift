//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A graph server on a real loopback socket that attacks its client: `POST
/// /threads/{thread}/runs/stream` is answered `200 text/event-stream` and then a stream that never
/// ends (or, for ``Attack/endlessAnswer``, a `GET` is answered with JSON that never ends), as fast
/// as the client takes it. It counts the bytes the kernel accepted from it, notices when the
/// client drops the connection, and records the cancel requests it gets.
///
/// It answers `POST …/runs/{run}/cancel` with 200 and anything else with 404.
public final class HostileGraphServer: Sendable {
    /// What a run stream sends.
    public enum Attack: Sendable {
        /// `data: ` and then `x` forever: one endless line, no line end.
        case endlessLine
        /// `data: x` and a blank line, forever: endless small events.
        case endlessEvents
        /// Run streams end at once, without events; then every `GET` (the run's status, the
        /// thread) is answered `200 application/json` with a string that never ends.
        case endlessAnswer
        /// Artifact chunks of 64 KiB (`custom` events with an A2A artifact directive), forever:
        /// each is a well-formed event that maps to an artifact update.
        case endlessArtifacts
    }

    /// The run id every stream names in its `Content-Location`.
    public static let runID = "hostile-run"

    private struct State {
        var streamsOpened = 0
        var streamsClosed = 0
        var bytesSent = 0
        var cancelPaths: [String] = []
        /// Streams whose client stopped taking what they write (the socket is full).
        var stalled = 0
        /// Streams stop writing once they sent this many bytes, until ``resume()``.
        var pauseAfter: Int?
        var paused: [any Channel] = []
    }

    public let port: Int
    let attack: Attack
    private let listener: any Channel
    private let state: Mutex<State>

    private init(port: Int, attack: Attack, pauseAfter: Int?, listener: any Channel) {
        self.port = port
        self.attack = attack
        self.listener = listener
        self.state = Mutex(State(pauseAfter: pauseAfter))
    }

    /// The graph URL of an actor that runs on this server.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// Endless answers (run streams, or JSON for ``Attack/endlessAnswer``) started so far.
    public var streamsOpened: Int { state.withLock { $0.streamsOpened } }

    /// Endless answers whose connection is gone (the client dropped it, or a write failed).
    public var streamsClosed: Int { state.withLock { $0.streamsClosed } }

    /// The bytes of endless answers (headers included) that the kernel accepted from this server:
    /// what the client could have read at most.
    public var bytesSent: Int { state.withLock { $0.bytesSent } }

    /// The paths of the cancel requests received.
    public var cancelPaths: [String] { state.withLock { $0.cancelPaths } }

    /// Endless answers that cannot write now: their client does not read, and the sockets between
    /// them are full.
    public var stalledStreams: Int { state.withLock { $0.stalled } }

    /// Starts a server on a free loopback port.
    ///
    /// - Parameters:
    ///   - attack: what its run streams send.
    ///   - pauseAfter: when set, streams stop after about this many bytes until ``resume()``.
    public static func start(_ attack: Attack, pauseAfter: Int? = nil) async throws -> HostileGraphServer {
        let holder = ServerHolder()
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            // A fixed send buffer: the slack between what it sent and what the client read is
            // then this buffer plus the client's receive buffer.
            .childChannelOption(ChannelOptions.socketOption(.so_sndbuf), value: Self.sendBufferBytes)
            .childChannelInitializer { channel in
                guard let server = holder.server.withLock({ $0 }) else { return channel.close() }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(HostileConnectionHandler(server: server))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let server = HostileGraphServer(port: listener.localAddress?.port ?? 0, attack: attack, pauseAfter: pauseAfter, listener: listener)
        holder.server.withLock { $0 = server }
        return server
    }

    /// The send buffer each connection asks for (the kernel doubles it for its bookkeeping).
    public static let sendBufferBytes = 64 << 10

    /// How many bytes more than its client read this server can have sent when the client drops
    /// the connection: what the sockets between them hold (this server's send buffer, the largest
    /// receive buffer the kernel grows a client socket to) and the client's read buffers (1 MiB).
    public static var socketSlack: Int {
        // Linux: `min default max` of the TCP receive buffer; elsewhere, a generous guess.
        let fields = (try? String(contentsOfFile: "/proc/sys/net/ipv4/tcp_rmem", encoding: .utf8))?.split(whereSeparator: \.isWhitespace)
        let receiveBuffer = fields?.last.flatMap { Int($0) } ?? (32 << 20)
        return receiveBuffer + 2 * sendBufferBytes + (1 << 20)
    }

    /// Lets paused streams go on, without pausing again.
    public func resume() {
        let channels = state.withLock { state -> [any Channel] in
            state.pauseAfter = nil
            defer { state.paused = [] }
            return state.paused
        }
        for channel in channels {
            channel.pipeline.fireUserInboundEventTriggered(HostileConnectionHandler.Resume())
        }
    }

    /// Stops listening. Connections still open end with their clients (every test's client drops
    /// them, which is what the tests check).
    public func stop() async throws {
        try await listener.close()
    }

    // MARK: Bookkeeping of the connections

    func streamOpened() {
        state.withLock { $0.streamsOpened += 1 }
    }

    func streamClosed() {
        state.withLock { $0.streamsClosed += 1 }
    }

    func sent(_ bytes: Int) {
        state.withLock { $0.bytesSent += bytes }
    }

    func stalled(_ stalled: Bool) {
        state.withLock { $0.stalled += stalled ? 1 : -1 }
    }

    func cancelled(path: String) {
        state.withLock { $0.cancelPaths.append(path) }
    }

    /// Whether a stream that wrote `written` bytes must wait; if so, it is resumed by ``resume()``.
    func shouldPause(after written: Int, channel: any Channel) -> Bool {
        state.withLock { state in
            guard let pauseAfter = state.pauseAfter, written >= pauseAfter else { return false }
            state.paused.append(channel)
            return true
        }
    }

    /// One chunk of the attack, written again and again.
    var chunk: ByteBuffer {
        switch attack {
        case .endlessLine, .endlessAnswer:
            ByteBuffer(repeating: UInt8(ascii: "x"), count: 64 << 10)
        case .endlessEvents:
            ByteBuffer(string: String(repeating: "data: x\n\n", count: 7000))
        case .endlessArtifacts:
            ByteBuffer(
                string: #"event: custom\#ndata: {"a2a":{"artifact":{"artifactId":"a","parts":[{"text":""#
                    + String(repeating: "x", count: 64 << 10) + #""}]},"append":true}}\#n\#n"#
            )
        }
    }
}

private final class ServerHolder: Sendable {
    let server = Mutex<HostileGraphServer?>(nil)
}

/// One connection: reads a request, answers it, and for a run stream writes the attack for as long
/// as the client reads.
private final class HostileConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Sent through the pipeline by ``HostileGraphServer/resume()``.
    struct Resume: Sendable {}

    private let server: HostileGraphServer
    private var request = ByteBuffer()
    private var answered = false
    private var streaming = false
    private var paused = false
    private var written = 0
    private var chunk = ByteBuffer()
    private var stalled = false

    init(server: HostileGraphServer) {
        self.server = server
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        guard !answered else { return }
        request.writeBuffer(&buffer)
        guard let head = Self.head(of: request), request.readableBytes >= head.length + head.contentLength else { return }
        answered = true
        switch (head.method, server.attack) {
        case ("POST", .endlessAnswer) where head.path.hasSuffix("/runs/stream"):
            respond(context: context, status: "200 OK", contentType: "text/event-stream", location: Self.runLocation(head.path), body: "")
        case ("POST", _) where head.path.hasSuffix("/runs/stream"):
            // An endless line starts as a data line; endless events are whole from the start.
            let start = server.attack == .endlessLine ? "data: " : ""
            stream(context: context, head: Self.head(contentType: "text/event-stream", location: Self.runLocation(head.path)) + start)
        case ("POST", _) where head.path.contains("/cancel"):
            server.cancelled(path: head.path)
            respond(context: context, status: "200 OK", body: "{}")
        case ("GET", .endlessAnswer):
            stream(context: context, head: Self.head(contentType: "application/json", location: nil) + #"{"status":""#)
        default:
            respond(context: context, status: "404 Not Found", body: #"{"detail":"not found"}"#)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        stall(false)
        if streaming {
            streaming = false
            server.streamClosed()
        }
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        writeMore(context: context)
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is Resume {
            paused = false
            writeMore(context: context)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// Starts an endless answer: `head`, then the attack's chunk for as long as the client reads.
    private func stream(context: ChannelHandlerContext, head: String) {
        streaming = true
        server.streamOpened()
        chunk = server.chunk
        write(ByteBuffer(string: head), context: context)
        writeMore(context: context)
    }

    /// The head of an answer without a length: its body ends when the connection closes.
    private static func head(contentType: String, location: String?) -> String {
        var lines = ["HTTP/1.1 200 OK", "Content-Type: \(contentType)", "Cache-Control: no-store", "Connection: close"]
        if let location { lines.append("Content-Location: \(location)") }
        return lines.joined(separator: "\r\n") + "\r\n\r\n"
    }

    /// `/threads/{thread}/runs/{run}` of the run a `/threads/{thread}/runs/stream` request starts.
    private static func runLocation(_ path: String) -> String {
        let thread = path.split(separator: "/").dropFirst().first.map(String.init) ?? "thread"
        return "/threads/\(thread)/runs/\(HostileGraphServer.runID)"
    }

    /// Writes chunks while the channel takes them: NIO holds at most its high watermark of unsent
    /// data, so what counts as sent is what reached the kernel.
    private func writeMore(context: ChannelHandlerContext) {
        while streaming, !paused, context.channel.isWritable {
            if server.shouldPause(after: written, channel: context.channel) {
                paused = true
                return
            }
            write(chunk, context: context)
        }
        stall(streaming && !paused && !context.channel.isWritable)
    }

    private func stall(_ stalled: Bool) {
        guard stalled != self.stalled else { return }
        self.stalled = stalled
        server.stalled(stalled)
    }

    private func write(_ buffer: ByteBuffer, context: ChannelHandlerContext) {
        let count = buffer.readableBytes
        written += count
        let server = self.server
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { result in
            switch result {
            case .success: server.sent(count)
            case .failure: break
            }
        }
    }

    private func respond(
        context: ChannelHandlerContext,
        status: String,
        contentType: String = "application/json",
        location: String? = nil,
        body: String
    ) {
        var lines = ["HTTP/1.1 \(status)", "Content-Type: \(contentType)", "Content-Length: \(body.utf8.count)", "Connection: close"]
        if let location { lines.append("Content-Location: \(location)") }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: lines.joined(separator: "\r\n") + "\r\n\r\n" + body))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    /// The request line, the length of the head and the `Content-Length` of a request whose head arrived.
    private static func head(of buffer: ByteBuffer) -> (method: String, path: String, length: Int, contentLength: Int)? {
        let bytes = Array(buffer.readableBytesView)
        let end = Array("\r\n\r\n".utf8)
        guard bytes.count >= end.count,
            let headEnd = (0...(bytes.count - end.count)).first(where: { bytes[$0..<($0 + end.count)].elementsEqual(end) })
        else { return nil }
        let lines = String(decoding: bytes[..<headEnd], as: UTF8.self).split(separator: "\r\n")
        let requestLine = lines.first?.split(separator: " ") ?? []
        guard requestLine.count >= 2 else { return nil }
        var contentLength = 0
        for line in lines.dropFirst() {
            let field = line.split(separator: ":", maxSplits: 1)
            if field.count == 2, field[0].lowercased() == "content-length" {
                contentLength = Int(field[1].trimmingCharacters(in: .whitespaces)) ?? 0
            }
        }
        return (String(requestLine[0]), String(requestLine[1]), headEnd + end.count, contentLength)
    }
}
