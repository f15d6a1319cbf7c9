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

@Suite("NamespaceName", .timeLimit(.minutes(2)))
struct NamespaceNameTests {
    @Test(
        "valid names: 1 to 63 of a-z, 0-9 and '-', starting with a letter or digit",
        arguments: ["a", "0", "acme", "team-1", "9lives", "a--b", String(repeating: "a", count: 63)]
    )
    func valid(name: String) throws {
        #expect(NamespaceName.isValid(name))
        let namespace = try #require(NamespaceName(name))
        #expect(namespace.rawValue == name)
        #expect(namespace.description == name)
    }

    @Test(
        "invalid names",
        arguments: [
            "", String(repeating: "a", count: 64), "-acme", "Acme", "acMe", "a_b", "a.b", "a b", " a", "a/b", "a:b", "ü", "café", "a😀", "ns\n",
            "A", "_", "-",
        ]
    )
    func invalid(name: String) {
        #expect(!NamespaceName.isValid(name))
        #expect(NamespaceName(name) == nil)
    }

    @Test("only the first character is restricted: a trailing hyphen is allowed")
    func trailingHyphen() {
        #expect(NamespaceName.isValid("x-"))
        #expect(NamespaceName.isValid("a" + String(repeating: "-", count: 62)))
    }

    @Test("length counts UTF-8 bytes, so a name of 63 characters with a non-ASCII one cannot sneak through")
    func lengthInBytes() {
        #expect(!NamespaceName.isValid(String(repeating: "a", count: 62) + "é"))
    }

    @Test("Codable writes the bare string and rejects invalid names with the rule in the message")
    func codable() throws {
        let name = try #require(NamespaceName("acme"))
        #expect(String(decoding: try JSONEncoder().encode([name]), as: UTF8.self) == #"["acme"]"#)
        #expect(try JSONDecoder().decode([NamespaceName].self, from: Data(#"["acme"]"#.utf8)) == [name])
        let error = try #require(throws: DecodingError.self) { try JSONDecoder().decode([NamespaceName].self, from: Data(#"["Acme"]"#.utf8)) }
        guard case .dataCorrupted(let context) = error else {
            Issue.record("expected dataCorrupted, got \(error)")
            return
        }
        #expect(context.debugDescription.contains("'Acme'"))
        #expect(context.debugDescription.contains(NamespaceName.rule))
    }

    @Test("names order by their raw value")
    func ordering() throws {
        let names = try ["b", "a-1", "a", "10", "1"].map { try #require(NamespaceName($0)) }
        #expect(names.sorted().map(\.rawValue) == ["1", "10", "a", "a-1", "b"])
    }
}
