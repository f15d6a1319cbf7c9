//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import HummingbirdCore
import Synchronization

/// The cap on open connections (`http.maxConnections`): at the cap the server stops accepting,
/// and new connections wait in the kernel's listen queue until one closes.
///
/// Hummingbird asks the delegate before every accept, on the listening channel's event loop. The
/// listening channel must accept one connection per read (`ChannelOptions.maxMessagesPerRead` =
/// 1, set by the server once it listens), or one read could take several connections past the cap.
public struct ConnectionLimit: AvailableConnectionsDelegate {
    public let maximum: Int
    /// The open connections, readable from any thread (metrics, tests).
    public let open: OpenConnections

    public init(maximum: Int, open: OpenConnections = OpenConnections()) {
        self.maximum = maximum
        self.open = open
    }

    public mutating func connectionOpened() {
        open.count.add(1, ordering: .relaxed)
    }

    public mutating func connectionClosed() {
        open.count.subtract(1, ordering: .relaxed)
    }

    public func isAcceptingNewConnections() -> Bool {
        open.count.load(ordering: .relaxed) < maximum
    }
}

/// The number of connections a server has open, shared between its listening channel and
/// whoever reads it.
public final class OpenConnections: Sendable {
    fileprivate let count = Atomic<Int>(0)

    public init() {}

    /// Connections accepted and not yet closed.
    public var current: Int { count.load(ordering: .relaxed) }
}
