//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsDomain

/// One request as the application layer sees it: where it goes and who sent it.
public struct RequestContext: Sendable {
    public var namespace: NamespaceName
    public var caller: Caller
    /// An id for logs (the front end's request id).
    public var requestID: String
    /// W3C `traceparent` of the incoming request, propagated to the graph server.
    public var traceParent: String?
    /// The namespace's actor and settings when the front end resolved them already (to check
    /// the credential), so that the service does not look them up again.
    public var resolved: (actor: NamespaceActor, snapshot: NamespaceSnapshot)?

    public init(
        namespace: NamespaceName,
        caller: Caller,
        requestID: String,
        traceParent: String? = nil,
        resolved: (actor: NamespaceActor, snapshot: NamespaceSnapshot)? = nil
    ) {
        self.namespace = namespace
        self.caller = caller
        self.requestID = requestID
        self.traceParent = traceParent
        self.resolved = resolved
    }
}
