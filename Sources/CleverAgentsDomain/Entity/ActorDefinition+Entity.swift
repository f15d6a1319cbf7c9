//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
import Foundation

extension ActorDefinition {
    /// The actor as an entity body (the stores keep actors as entities of kind `actor`).
    public func entityBody() throws -> JSONObject {
        var actor = self
        actor.updatedAt = nil
        return try JSONDecoder().decode(JSONObject.self, from: JSONEncoder().encode(actor))
    }

    /// Reads an actor from an entity body.
    public init(entityBody body: JSONObject) throws {
        self = try JSONDecoder().decode(ActorDefinition.self, from: JSONEncoder().encode(body))
    }
}
