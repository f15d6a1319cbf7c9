//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation

extension AgentCard {
    /// The card as a well-known URL serves it: the 1.0 layout with the fields of its 0.3 form
    /// merged in, when it offers a 0.3 interface, so that clients of either generation read it.
    ///
    /// This is what the official 1.x SDKs serve. A 0.3 client needs `url`, `preferredTransport`,
    /// `protocolVersion`, `type`-discriminated security schemes and `security`; a 1.0 client
    /// reads `supportedInterfaces` and the wrapped schemes and ignores the rest. The 1.0 value
    /// wins wherever both have a key; the 0.3 one fills in the rest, into nested objects and into
    /// list elements by position (a skill gets its 0.3 `security`, a scheme its `type`).
    /// `supportsAuthenticatedExtendedCard` is left out unless it is true.
    public func servedJSON() throws -> JSONValue {
        let encoder = A2AJSON.makeEncoder()
        let decoder = JSONDecoder()
        let card = try decoder.decode(JSONValue.self, from: encoder.encode(self))
        guard let legacy = A2A03.AgentCard(self) else { return card }
        guard case .object(var fields) = try decoder.decode(JSONValue.self, from: encoder.encode(legacy)) else { return card }
        if fields["supportsAuthenticatedExtendedCard"] != .bool(true) {
            fields["supportsAuthenticatedExtendedCard"] = nil
        }
        return card.filledIn(from: .object(fields))
    }
}

extension JSONValue {
    /// `self`, with what `other` has and `self` lacks added: keys missing from an object, and
    /// recursively inside objects present in both and elements at the same position of lists
    /// present in both. Values of `self` are never replaced.
    func filledIn(from other: JSONValue) -> JSONValue {
        switch (self, other) {
        case (.object(var fields), .object(let others)):
            for (key, value) in others {
                fields[key] = fields[key].map { $0.filledIn(from: value) } ?? value
            }
            return .object(fields)
        case (.array(var elements), .array(let others)):
            for index in elements.indices where index < others.count {
                elements[index] = elements[index].filledIn(from: others[index])
            }
            return .array(elements)
        default:
            return self
        }
    }
}
