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

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP proxy in front of a real server that breaks things on request: it goes down (connections
/// refused) and comes back up on the same port, drops the open connections, answers new
/// connections with an HTTP error status, or cuts a new connection's event stream after a number
/// of events. Resilience tests use it to make a real LangGraph server (or the emulator) fail.
///
/// Faults apply to *new* connections, in the order they were asked for; ``dropConnections()``
/// makes a client's next request open one.
public final class FaultProxy: Sendable {
    /// What the proxy does with one new connection.
    enum Fault: Sendable {
        /// Answer the first request with this status and close.
        case status(code: Int, retryAfterSeconds: Int?)
        /// Forward the request, then close instead of relaying the answer.
        case dropResponse
        /// Relay the answer until `events` SSE events (blank-line terminated) and `extraBytes`
        /// more went through, then close; with `thenDown`, stop listening first (as ``down()``),
        /// so that the client sees the cut only once connecting is refused.
        case cutStream(events: Int, extraBytes: Int, thenDown: Bool)
    }

    private struct State {
        var listener: (any Channel)?
        /// While down: a bound, non-listening socket that keeps the port, so that connecting is
        /// refused and no other listener (another test's proxy) can take it meanwhile.
        var reservation: PortReservation?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var faults: [Fault] = []
        var accepted = 0
    }

    public let port: Int
    let upstreamHost: String
    let upstreamPort: Int
    private let state: Mutex<State>

    private init(port: Int, upstreamHost: String, upstreamPort: Int, listener: any Channel) {
        self.port = port
        self.upstreamHost = upstreamHost
        self.upstreamPort = upstreamPort
        self.state = Mutex(State(listener: listener))
    }

    /// The proxy's base URL (`http://127.0.0.1:PORT`).
    public var url: String { "http://127.0.0.1:\(port)" }

    /// Connections accepted so far.
    public var acceptedConnections: Int { state.withLock { $0.accepted } }

    /// Starts a proxy on a free loopback port in front of `upstream` (`http://host:port`).
    public static func start(upstream: String) async throws -> FaultProxy {
        guard let components = URLComponents(string: upstream), let host = components.host, let port = components.port else {
            throw MissingTestService("an upstream URL with host and port (\(upstream))")
        }
        let holder = ProxyHolder()
        let listener = try await bind(port: 0, holder: holder)
        let proxy = FaultProxy(port: listener.localAddress?.port ?? 0, upstreamHost: host, upstreamPort: port, listener: listener)
        holder.proxy.withLock { $0 = proxy }
        return proxy
    }

    private static func bind(port: Int, holder: ProxyHolder) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(ChannelOptions.socketOption(NIOBSDSocket.Option(rawValue: SO_REUSEPORT)), value: 1)
            .childChannelInitializer { channel in
                guard let proxy = holder.proxy.withLock({ $0 }) else { return channel.close() }
                let fault = proxy.accept(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        FrontHandler(proxy: proxy, fault: fault, upstreamHost: proxy.upstreamHost, upstreamPort: proxy.upstreamPort)
                    )
                }
            }
            .bind(host: "127.0.0.1", port: port)
            .get()
    }

    /// Registers a new connection and takes the next fault for it.
    private func accept(_ channel: any Channel) -> Fault? {
        state.withLock { state in
            state.accepted += 1
            state.connections[ObjectIdentifier(channel)] = channel
            return state.faults.isEmpty ? nil : state.faults.removeFirst()
        }
    }

    func register(_ channel: any Channel) {
        state.withLock { $0.connections[ObjectIdentifier(channel)] = channel }
    }

    func forget(_ channel: any Channel) {
        _ = state.withLock { $0.connections.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    // MARK: Faults

    /// Closes every open connection (both sides).
    public func dropConnections() {
        let channels = state.withLock { state -> [any Channel] in
            let channels = Array(state.connections.values)
            state.connections = [:]
            return channels
        }
        for channel in channels { channel.close(promise: nil) }
    }

    /// Stops listening and drops every connection: connecting is refused until ``up()``.
    ///
    /// The port stays bound (without listening) meanwhile: a closed port could be handed to a
    /// listener of a concurrent test, whose answers would then reach this proxy's client.
    public func down() async throws {
        try await stopListening()?.get()
        dropConnections()
    }

    /// Stops listening, the port kept bound; the future completes once connecting is refused.
    func stopListening() throws -> EventLoopFuture<Void>? {
        let reservation = try PortReservation(port: port)
        let listener = state.withLock { state -> (any Channel)? in
            defer {
                state.listener = nil
                if state.reservation == nil { state.reservation = reservation }
            }
            return state.listener
        }
        return listener?.close()
    }

    /// Listens again on the same port.
    public func up() async throws {
        let holder = ProxyHolder()
        holder.proxy.withLock { $0 = self }
        let listener = try await Self.bind(port: port, holder: holder)
        state.withLock { state in
            state.listener = listener
            state.reservation = nil
        }
    }

    /// The next `count` new connections get an HTTP `code` answer (with `Retry-After` when
    /// given) instead of reaching the server.
    public func answerNextConnections(status code: Int, count: Int = 1, retryAfterSeconds: Int? = nil) {
        state.withLock { $0.faults += Array(repeating: .status(code: code, retryAfterSeconds: retryAfterSeconds), count: count) }
    }

    /// The next new connection's request reaches the server, but its answer is lost.
    public func dropNextResponse() {
        state.withLock { $0.faults.append(.dropResponse) }
    }

    /// The next new connection's answer is cut after `events` SSE events and `extraBytes` bytes.
    ///
    /// With `thenDown`, the proxy goes down at the cut, before the client can see it: every
    /// reconnection is refused until ``up()``, whatever the client's and the server's pace.
    public func cutNextStream(afterEvents events: Int, extraBytes: Int = 0, thenDown: Bool = false) {
        state.withLock { $0.faults.append(.cutStream(events: events, extraBytes: extraBytes, thenDown: thenDown)) }
    }

    /// Stops the proxy for good.
    public func stop() async throws {
        try await down()
        state.withLock { $0.reservation = nil }
    }
}

/// A TCP socket bound to a loopback port without listening: it holds the port (connections to it
/// are refused) until it is released. `SO_REUSEPORT` lets it share the port with the proxy's
/// listener around a hand-over.
private final class PortReservation: Sendable {
    let descriptor: Int32

    init(port: Int) throws {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let code = errno
            close(descriptor)
            throw IOError(errnoCode: code, reason: "bind 127.0.0.1:\(port)")
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }
}

/// Lets the child channel initializer (built before the proxy exists) reach it.
private final class ProxyHolder: Sendable {
    let proxy = Mutex<FaultProxy?>(nil)
}

/// The client side of one proxied connection.
private final class FrontHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let proxy: FaultProxy
    let fault: FaultProxy.Fault?
    let upstreamHost: String
    let upstreamPort: Int
    private var upstream: (any Channel)?
    private var pending: [ByteBuffer] = []
    private var requestHead: [UInt8] = []
    private var answered = false

    init(proxy: FaultProxy, fault: FaultProxy.Fault?, upstreamHost: String, upstreamPort: Int) {
        self.proxy = proxy
        self.fault = fault
        self.upstreamHost = upstreamHost
        self.upstreamPort = upstreamPort
    }

    func channelActive(context: ChannelHandlerContext) {
        if case .status = fault { return }
        let front = context.channel
        let proxy = self.proxy
        let fault = self.fault
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        ClientBootstrap(group: context.eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(BackHandler(proxy: proxy, front: front, fault: fault))
                }
            }
            .connect(host: upstreamHost, port: upstreamPort)
            .whenComplete { result in
                let handler = bound.value
                switch result {
                case .success(let channel):
                    proxy.register(channel)
                    handler.upstream = channel
                    for buffer in handler.pending { channel.write(buffer, promise: nil) }
                    handler.pending = []
                    channel.flush()
                    if !front.isActive { channel.close(promise: nil) }
                case .failure:
                    front.close(promise: nil)
                }
            }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if answered { return }
        if case .status(let code, let retryAfter) = fault {
            requestHead += buffer.readableBytesView
            guard requestHead.count > 4, requestHead.firstRange(of: Array("\r\n\r\n".utf8)) != nil else { return }
            let body = #"{"detail":"injected by the fault proxy"}"#
            var head = "HTTP/1.1 \(code) Injected\r\ncontent-type: application/json\r\ncontent-length: \(body.utf8.count)\r\nconnection: close\r\n"
            if let retryAfter { head += "retry-after: \(retryAfter)\r\n" }
            let response = head + "\r\n" + body
            let channel = context.channel
            // Half-close: the client may still be sending the request body, and a full close with
            // unread input resets the connection before the client reads the answer.
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: response))).whenComplete { _ in
                channel.close(mode: .output).whenFailure { _ in channel.close(promise: nil) }
            }
            requestHead = []
            answered = true
            return
        }
        if let upstream {
            upstream.writeAndFlush(buffer, promise: nil)
        } else {
            pending.append(buffer)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        proxy.forget(context.channel)
        upstream?.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// The server side of one proxied connection.
private final class BackHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let proxy: FaultProxy
    let front: any Channel
    let fault: FaultProxy.Fault?
    private var terminators = 0
    private var lastBytes: [UInt8] = []
    private var extraSent = 0
    private var cut = false

    init(proxy: FaultProxy, front: any Channel, fault: FaultProxy.Fault?) {
        self.proxy = proxy
        self.front = front
        self.fault = fault
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        guard !cut else { return }
        switch fault {
        case .dropResponse:
            cut = true
            front.close(promise: nil)
            context.close(promise: nil)
        case .cutStream(let events, let extraBytes, let thenDown):
            // The response head ends with the first blank line; each event with another.
            var forward: [UInt8] = []
            for byte in buffer.readableBytesView {
                if terminators > events {
                    guard extraSent < extraBytes else {
                        cut = true
                        break
                    }
                    extraSent += 1
                }
                forward.append(byte)
                lastBytes.append(byte)
                if lastBytes.count > 4 { lastBytes.removeFirst() }
                if lastBytes == Array("\r\n\r\n".utf8) || lastBytes.suffix(2) == Array("\n\n".utf8) {
                    terminators += 1
                    lastBytes = []
                    if terminators > events, extraBytes == 0 {
                        cut = true
                        break
                    }
                }
            }
            guard cut else {
                front.writeAndFlush(ByteBuffer(bytes: forward), promise: nil)
                return
            }
            let front = self.front
            let back = context.channel
            // A proxy that cannot stop listening stays up: the test then waits in vain for refusals.
            let stopped = thenDown ? (try? proxy.stopListening()).flatMap { $0 } : nil
            (stopped ?? context.eventLoop.makeSucceededVoidFuture()).hop(to: front.eventLoop).whenComplete { _ in
                front.writeAndFlush(ByteBuffer(bytes: forward)).whenComplete { _ in front.close(promise: nil) }
                back.close(promise: nil)
            }
        case .status, nil:
            front.writeAndFlush(buffer.readSlice(length: buffer.readableBytes)!, promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        front.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
