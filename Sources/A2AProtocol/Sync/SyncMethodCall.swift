//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// The entity sync methods, a CleverAgents extension of A2A (`_cleveragents/sync/*`).
public enum SyncMethod: String, Sendable, Hashable, CaseIterable {
    case push = "_cleveragents/sync/push"
    case pull = "_cleveragents/sync/pull"
    case status = "_cleveragents/sync/status"

    /// The prefix of every CleverAgents extension method.
    public static let extensionPrefix = "_cleveragents/"
}

/// A sync method call with its typed params.
public enum SyncMethodCall: Sendable, Hashable {
    case push(SyncPushRequest)
    case pull(SyncPullRequest)
    case status(SyncStatusRequest)

    public var method: SyncMethod {
        switch self {
        case .push: .push
        case .pull: .pull
        case .status: .status
        }
    }

    /// The `tenant` param, when the client sent one.
    public var tenant: String? {
        switch self {
        case .push(let params): params.tenant
        case .pull(let params): params.tenant
        case .status(let params): params.tenant
        }
    }
}

extension SyncMethodCall: JSONRPCMethodCall {
    public init?(method: String, params: JSONRPCParams) throws {
        guard let method = SyncMethod(rawValue: method) else { return nil }
        switch method {
        case .push: self = .push(try params.decode(SyncPushRequest.self))
        case .pull: self = .pull(try params.decode(SyncPullRequest.self, default: SyncPullRequest()))
        case .status: self = .status(try params.decode(SyncStatusRequest.self, default: SyncStatusRequest()))
        }
    }
}
