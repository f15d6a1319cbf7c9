//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import NIOCore
public import NIOHTTPTypes

/// Closes a connection whose request head does not arrive completely within a time limit
/// (`http.headerTimeoutSeconds`), counted from the connection's start and from the first bytes
/// of each later request (``RequestHeadDeadline``).
///
/// Hummingbird's idle timeout alone does not stop a client that trickles a head, since it would
/// have to be as short as the header limit for every keep-alive connection. The handler sits after
/// the HTTP decoder: it sees whole request heads, response ends, and the end of every socket read
/// (`channelReadComplete` passes the decoder even when the bytes read hold no complete head yet).
/// It keeps at most one timer, and a request whose head arrives in one read schedules none.
public final class RequestHeadTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    private var deadline: RequestHeadDeadline
    private var timer: Scheduled<Void>?
    /// When ``timer`` fires; a later deadline is left to it, which re-arms itself.
    private var timerFiresAt: NIODeadline?

    public init(timeout: TimeAmount) {
        self.deadline = RequestHeadDeadline(timeout: timeout)
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive {
            apply(deadline.connectionStarted(now: .now()), context: context)
        }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        timerFiresAt = nil
    }

    public func channelActive(context: ChannelHandlerContext) {
        apply(deadline.connectionStarted(now: .now()), context: context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        timerFiresAt = nil
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            deadline.headReceived()
        }
        context.fireChannelRead(data)
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        apply(deadline.readCompleted(now: .now()), context: context)
        context.fireChannelReadComplete()
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            deadline.responseEnded()
        }
        context.write(data, promise: promise)
    }

    private func apply(_ action: RequestHeadDeadline.TimerAction, context: ChannelHandlerContext) {
        guard case .schedule(let due) = action else { return }
        if let timerFiresAt, timerFiresAt <= due { return }
        schedule(at: due, context: context)
    }

    private func schedule(at due: NIODeadline, context: ChannelHandlerContext) {
        timer?.cancel()
        timerFiresAt = due
        // The handler, its context and the timer all live on the channel's event loop.
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: due) {
            let (handler, context) = loopBound.value
            handler.timerFired(context: context)
        }
    }

    private func timerFired(context: ChannelHandlerContext) {
        timer = nil
        timerFiresAt = nil
        switch deadline.expired(now: .now()) {
        case .close:
            context.close(promise: nil)
        case .reschedule(let due):
            schedule(at: due, context: context)
        case .none:
            break
        }
    }
}

@available(*, unavailable)
extension RequestHeadTimeoutHandler: Sendable {}
