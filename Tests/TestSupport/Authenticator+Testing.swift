//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsDomain
public import CleverAgentsRuntime

extension Authenticator {
    /// The caller presenting `credential` (the raw `Bearer` or `X-API-Key` value) to `namespace`,
    /// checked as ``NamespaceActor/admission(presenting:authenticator:anonymousAllowed:)`` checks
    /// it (the stored credential from the actor's cache), without the namespace's settings or the
    /// rate limits: for tests of the credential rules alone.
    public func authenticate(_ credential: String?, namespace: NamespaceName, actor: NamespaceActor) async throws -> Caller {
        let token = try Self.token(in: credential)
        return try caller(presenting: token, stored: try await actor.credential(tokenID: token.id), in: namespace)
    }
}
