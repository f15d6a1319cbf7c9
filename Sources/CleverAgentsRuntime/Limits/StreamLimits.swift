//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol

/// How many streams (`SendStreamingMessage`, `SubscribeToTask`) may be open at once on one
/// replica: per principal in a namespace, and per namespace. Each holds a connection, a
/// subscriber and a task, so neither a client nor a tenant may take them all.
public struct StreamLimits: Sendable, Hashable {
    /// `limits.maxStreamsPerPrincipal`: open streams of one principal in one namespace.
    public var perPrincipal: Int
    /// `limits.maxStreamsPerNamespace`: open streams of all callers of one namespace.
    public var perNamespace: Int

    public init(perPrincipal: Int = 100, perNamespace: Int = 1000) {
        self.perPrincipal = perPrincipal
        self.perNamespace = perNamespace
    }
}

/// A stream was refused: its caller or its namespace holds its cap of open streams.
public struct StreamLimitExceeded: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which cap was reached.
    public enum Scope: String, Sendable, Hashable {
        case principal
        case namespace
    }

    public var scope: Scope
    public var limit: Int

    public init(scope: Scope, limit: Int) {
        self.scope = scope
        self.limit = limit
    }

    public var description: String {
        switch scope {
        case .principal: "at most \(limit) streams may be open per caller on this server (limits.maxStreamsPerPrincipal); close one first"
        case .namespace: "at most \(limit) streams may be open in this namespace on this server (limits.maxStreamsPerNamespace); close one first"
        }
    }

    /// The JSON-RPC error: `-32053` (HTTP 429), as for rate limits, naming the cap.
    public var rpcError: JSONRPCError {
        JSONRPCError.resourceLimit(
            "Too many open streams: \(description)",
            reason: scope == .principal ? "STREAMS_PER_PRINCIPAL" : "STREAMS_PER_NAMESPACE",
            limit: limit
        )
    }
}
