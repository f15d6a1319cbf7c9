//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import CleverAgentsDomain
import Foundation
import Testing

@Suite("SealedSecret", .timeLimit(.minutes(2)))
struct SealedSecretTests {
    static let content = "v1:c2VjcmV0LW5vbmNlK2NpcGhlcnRleHQ="

    @Test("description, debugDescription and interpolation never show the content")
    func neverPrinted() {
        let secret = SealedSecret(sealed: Self.content)
        #expect(secret.description == "<sealed secret>")
        #expect(secret.debugDescription == "<sealed secret>")
        #expect("\(secret)" == "<sealed secret>")
        #expect(String(describing: secret) == "<sealed secret>")
        #expect(String(reflecting: secret) == "<sealed secret>")
        #expect(!"\([secret])".contains(Self.content))
        #expect(!"\(Optional(secret) as Any)".contains(Self.content))
    }

    @Test("an actor holding a secret does not show it when printed")
    func notPrintedThroughActor() {
        let actor = ActorDefinition(name: "echo", graphURL: "http://127.0.0.1:2024", assistantID: "agent", apiKey: SealedSecret(sealed: Self.content))
        #expect(!String(describing: actor).contains(Self.content))
        #expect(!String(reflecting: actor).contains(Self.content))
        #expect(String(describing: actor).contains("<sealed secret>"))
    }

    @Test("the sealed form is what gets stored, so it round-trips through Codable")
    func codable() throws {
        let secret = SealedSecret(sealed: Self.content)
        #expect(try JSONDecoder().decode(SealedSecret.self, from: JSONEncoder().encode(secret)) == secret)
    }
}
