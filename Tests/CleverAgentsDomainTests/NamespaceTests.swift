//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import Testing

@Suite("Namespace", .timeLimit(.minutes(2)))
struct NamespaceTests {
    @Test("the display name defaults to the name, updatedAt to createdAt, and auth is required")
    func defaults() throws {
        let name = try #require(NamespaceName("acme"))
        let created = A2ATimestamp(millisecondsSinceEpoch: 1_000)
        let namespace = Namespace(name: name, createdAt: created)
        #expect(namespace.displayName == "acme")
        #expect(namespace.updatedAt == created)
        #expect(namespace.authMode == .required)
        #expect(namespace.description == "")
    }

    @Test("explicit values are kept")
    func explicitValues() throws {
        let namespace = Namespace(
            name: try #require(NamespaceName("acme")),
            displayName: "Acme Corp",
            description: "d",
            authMode: .disabled,
            createdAt: A2ATimestamp(millisecondsSinceEpoch: 1),
            updatedAt: A2ATimestamp(millisecondsSinceEpoch: 2)
        )
        #expect(namespace.displayName == "Acme Corp")
        #expect(namespace.authMode == .disabled)
        #expect(namespace.updatedAt.millisecondsSinceEpoch == 2)
        #expect(Namespace.AuthMode(rawValue: "disabled") == .disabled)
    }
}
