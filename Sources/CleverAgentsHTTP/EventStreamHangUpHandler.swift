//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import HTTPTypes
public import NIOCore
public import NIOHTTPTypes

/// Closes a connection whose client stops sending (end of input) while an event stream is being
/// answered on it.
///
/// The server allows half-closed connections, so that a client may shut its side after its
/// request and still read a plain answer. An event stream, though, has no end of its own: a
/// client that hung up would otherwise keep it, and its subscriber, until the task's next event.
/// Closing the connection lets the stream notice at once
/// (``Hummingbird/Response/endingWhenTheClientLeaves(_:)`` watches the connection's close).
public final class EventStreamHangUpHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    /// Whether an event stream is being written (its head went out, its end not yet).
    private var streaming = false
    private var inputClosed = false

    public init() {}

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            streaming = head.headerFields[.contentType] == "text/event-stream"
            if streaming && inputClosed {
                context.write(data, promise: promise)
                context.close(promise: nil)
                return
            }
        case .end:
            streaming = false
        case .body:
            break
        }
        context.write(data, promise: promise)
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .inputClosed = event as? ChannelEvent {
            inputClosed = true
            if streaming { context.close(promise: nil) }
        }
        context.fireUserInboundEventTriggered(event)
    }
}

@available(*, unavailable)
extension EventStreamHangUpHandler: Sendable {}
