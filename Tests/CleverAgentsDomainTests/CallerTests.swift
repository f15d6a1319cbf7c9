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

@Suite("Caller and NamespaceRole", .timeLimit(.minutes(2)))
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
        "viewers (auditors), admins and owners read all tasks; members and callers without a role do not",
        arguments: [(NamespaceRole?.none, false), (.viewer, true), (.member, false), (.admin, true), (.owner, true)]
    )
    func seesAllTasks(role: NamespaceRole?, sees: Bool) {
        #expect(Caller(principalID: "user:alice", role: role).seesAllTasks == sees)
    }

    @Test(
        "only admins and owners act on others' tasks",
        arguments: [(NamespaceRole?.none, false), (.viewer, false), (.member, false), (.admin, true), (.owner, true)]
    )
    func actsOnAllTasks(role: NamespaceRole?, acts: Bool) {
        #expect(Caller(principalID: "user:alice", role: role).actsOnAllTasks == acts)
        #expect(Caller(principalID: "user:root", role: role, isSuperadmin: true).actsOnAllTasks)
    }

    @Test("each role's permissions include the roles below it, and the table is as documented")
    func permissions() {
        #expect(NamespaceRole.viewer.permissions == [.readExtendedCard, .readTasks, .pullEntities])
        #expect(NamespaceRole.member.permissions.isSuperset(of: NamespaceRole.viewer.permissions))
        #expect(NamespaceRole.member.permissions.subtracting(NamespaceRole.viewer.permissions) == [.sendMessages, .cancelTasks, .managePushConfigs])
        #expect(NamespaceRole.admin.permissions.subtracting(NamespaceRole.member.permissions) == [.manageActors, .manageTokens, .manageAccess, .readAudit, .pushEntities])
        #expect(NamespaceRole.owner.permissions.subtracting(NamespaceRole.admin.permissions) == [.deleteNamespace])
        #expect(!NamespaceRole.owner.permissions.contains(.manageServer), "only superadmins manage the server")
        #expect(Caller(principalID: "root", role: nil, isSuperadmin: true).has(.manageServer))
        #expect(!Caller(principalID: "nobody", role: nil).has(.readTasks))
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

@Suite(.timeLimit(.minutes(2))) struct PresentedCredentialTests {
    @Test func bearerValuesOtherSchemesAndAPIKeys() {
        #expect(APITokenText.presented(authorization: "Bearer abc", apiKey: nil) == "abc")
        #expect(APITokenText.presented(authorization: "bearer  abc ", apiKey: "k") == "abc", "the scheme is case-insensitive; Authorization wins")
        #expect(APITokenText.presented(authorization: "Basic dXNlcg==", apiKey: nil) == "Basic dXNlcg==", "another scheme is presented as is")
        #expect(APITokenText.presented(authorization: "Bearer", apiKey: nil) == "Bearer")
        #expect(APITokenText.presented(authorization: nil, apiKey: " key ") == "key")
        #expect(APITokenText.presented(authorization: "  BEARER\tabc", apiKey: nil) == "  BEARER\tabc", "only a space ends the scheme")
        #expect(APITokenText.presented(authorization: "Bearer  ", apiKey: nil) == "", "blank credentials are empty")
        #expect(APITokenText.presented(authorization: "  BeArEr abc\t ", apiKey: nil) == "abc", "leading spaces, any case, tabs trimmed")
        #expect(APITokenText.presented(authorization: "Bearer ", apiKey: nil) == "Bearer ", "no credentials: presented as is")
        #expect(APITokenText.presented(authorization: "Bearers abc", apiKey: nil) == "Bearers abc")
        #expect(APITokenText.presented(authorization: "Bearer \u{00A0}abc\u{2003}", apiKey: nil) == "abc", "Unicode spaces are trimmed too")
        #expect(APITokenText.presented(authorization: nil, apiKey: "\u{00A0}key") == "key")
        #expect(APITokenText.presented(authorization: nil, apiKey: nil) == nil)
    }
}
