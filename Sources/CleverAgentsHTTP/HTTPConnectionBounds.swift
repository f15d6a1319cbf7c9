//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import HummingbirdCore
import NIOCore

/// What one client may hold of the server's connections: how long a connection may rest between
/// requests, how long a request head may take, and how many connections are open at once.
public struct HTTPConnectionBounds: Sendable, Hashable {
    /// `http.idleTimeoutSeconds`: a connection with no request in progress is closed after this
    /// long without a request. A response being written (a stream, however quiet) is not idle.
    public var idleTimeoutSeconds: Int
    /// `http.headerTimeoutSeconds`: a request head must arrive completely within this long of the
    /// connection's start, or of the first bytes of a later request.
    public var headerTimeoutSeconds: Int
    /// `http.maxConnections`: connections open at once; beyond it, new ones wait to be accepted.
    public var maximumConnections: Int

    public init(idleTimeoutSeconds: Int = 75, headerTimeoutSeconds: Int = 10, maximumConnections: Int = 10_000) {
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.headerTimeoutSeconds = headerTimeoutSeconds
        self.maximumConnections = maximumConnections
    }

    /// The HTTP/1.1 channel: Hummingbird's idle timeout, the request head deadline
    /// (``RequestHeadTimeoutHandler``) and the end of streams whose client hung up
    /// (``EventStreamHangUpHandler``), one of each per connection. Wrapped by TLS, it applies there too.
    public var http1Configuration: HTTP1Channel.Configuration {
        let headerTimeout = TimeAmount.seconds(Int64(headerTimeoutSeconds))
        return HTTP1Channel.Configuration(
            additionalChannelHandlers: [RequestHeadTimeoutHandler(timeout: headerTimeout), EventStreamHangUpHandler()],
            idleTimeout: .seconds(Int64(idleTimeoutSeconds))
        )
    }
}
