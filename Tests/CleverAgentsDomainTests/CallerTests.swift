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

@Suite("Caller and NamespaceRole")
struct CallerTests {
    @Test("roles are ordered viewer < member < admin < owner")
    func ordering() {
        #expect(NamespaceRole.viewer < .member)
        #expect(NamespaceRole.member < .admin)
        #expect(NamespaceRole.admin < .owner)
        #expect(!(NamespaceRole.owner < .owner))
        #expect(NamespaceRole.allCases.sorted() == [.viewer, .member, .admin, .owner])
        #expect(NamespaceRole.allCases.shuffled().sorted() == [.viewer, .member, .admin, .owner])
        #expect(NamespaceRole.owner >= .admin)
        #expect(NamespaceRole.member <= .member)
    }

    @Test(
        "admins and owners see all tasks; viewers, members and callers without a role do not",
        arguments: [(NamespaceRole?.none, false), (.viewer, false), (.member, false), (.admin, true), (.owner, true)]
    )
    func seesAllTasks(role: NamespaceRole?, sees: Bool) {
        #expect(Caller(principalID: "user:alice", role: role).seesAllTasks == sees)
    }

    @Test("a superadmin sees all tasks whatever its namespace role", arguments: [NamespaceRole?.none, .viewer, .member])
    func superadminSeesAll(role: NamespaceRole?) {
        #expect(Caller(principalID: "user:root", role: role, isSuperadmin: true).seesAllTasks)
    }

    @Test("the anonymous caller of an auth-disabled namespace is its shared owner, not a superadmin")
    func anonymous() {
        #expect(Caller.anonymous.principalID == "anonymous")
        #expect(Caller.anonymous.role == .owner)
        #expect(!Caller.anonymous.isSuperadmin)
        #expect(Caller.anonymous.seesAllTasks)
    }

    @Test("roles are stored by their lowercase names")
    func codable() throws {
        let encoded = String(decoding: try JSONEncoder().encode(NamespaceRole.allCases), as: UTF8.self)
        #expect(encoded == #"["viewer","member","admin","owner"]"#)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([NamespaceRole].self, from: Data(#"["superadmin"]"#.utf8)) }
    }
}
