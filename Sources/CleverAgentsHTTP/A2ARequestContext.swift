//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Hummingbird
import Logging
public import NIOCore

/// The per-request context of the HTTP front end.
public struct A2ARequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The request's connection, whose closing ends a stream (``Response/endingWhenTheClientLeaves(_:)``).
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
