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

/// A TCP connection that sends exactly the bytes a test writes, and records what comes back and
/// whether the server closed it: for tests of how the server treats connections (timeouts, caps).
public final class RawConnection: Sendable {
    private let channel: any Channel
    private let state: Recorder

    private init(channel: any Channel, state: Recorder) {
        self.channel = channel
        self.state = state
    }

    /// Connects to `host:port`. The kernel completes a connection the server has not accepted yet
    /// (it waits in the listen queue), so connecting says nothing about being served.
    public static func connect(host: String = "127.0.0.1", port: Int) async throws -> RawConnection {
        let state = Recorder()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(ChannelOptions.allowRemoteHalfClosure, value: false)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(RecordingHandler(state: state)) }
            }
            .connect(host: host, port: port)
            .get()
        return RawConnection(channel: channel, state: state)
    }

    /// Writes `text` as it is.
    public func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text)).get()
    }

    /// Whether the server closed the connection (or it failed).
    public var isClosed: Bool { state.value.withLock { $0.closed } }

    /// Everything the server sent so far.
    public var received: String { state.value.withLock { String(decoding: $0.bytes, as: UTF8.self) } }

    /// How many complete HTTP response heads arrived so far.
    public var responseCount: Int {
        received.components(separatedBy: "HTTP/1.1 ").count - 1
    }

    /// Closes the connection from this side.
    public func close() async {
        try? await channel.close().get()
    }

    /// Polls a condition of this connection until it holds or `timeout` passes.
    public func wait(for timeout: Duration, until condition: (RawConnection) -> Bool) async -> Bool {
        await waitUntil(timeout) { condition(self) }
    }

    fileprivate final class Recorder: Sendable {
        let value = Mutex((bytes: [UInt8](), closed: false))
    }

    private final class RecordingHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer

        let state: Recorder

        init(state: Recorder) {
            self.state = state
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            state.value.withLock { $0.bytes.append(contentsOf: buffer.readableBytesView) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            state.value.withLock { $0.closed = true }
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
