//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol

/// A tenant: its own agent card, actors, tasks, principals and policy.
public struct Namespace: Sendable, Hashable {
    /// Whether requests must carry a credential.
    public enum AuthMode: String, Sendable, Hashable, Codable, CaseIterable {
        /// Every request needs a valid token for this namespace.
        case required
        /// Anyone may call; for local development and conformance runs only. Refused in production mode.
        case disabled
    }

    public var name: NamespaceName
    public var displayName: String
    public var description: String
    public var authMode: AuthMode
    public var createdAt: A2ATimestamp
    public var updatedAt: A2ATimestamp

    public init(
        name: NamespaceName,
        displayName: String? = nil,
        description: String = "",
        authMode: AuthMode = .required,
        createdAt: A2ATimestamp,
        updatedAt: A2ATimestamp? = nil
    ) {
        self.name = name
        self.displayName = displayName ?? name.rawValue
        self.description = description
        self.authMode = authMode
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }
}
