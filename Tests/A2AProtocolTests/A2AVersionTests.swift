//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import Testing

@Suite("A2AVersion", .timeLimit(.minutes(2)))
struct A2AVersionTests {
    @Test("1.0, 1.0.x and 1 all mean 1.0: only Major.Minor is negotiated", arguments: ["1.0", "1.0.1", "1.0.0", "1", " 1.0 ", "1.00"])
    func version1(header: String) {
        #expect(A2AVersion(headerValue: header) == .v1_0)
    }

    @Test("0.3 and 0.3.x mean 0.3", arguments: ["0.3", "0.3.0", "0.3.5"])
    func version03(header: String) {
        #expect(A2AVersion(headerValue: header) == .v0_3)
    }

    @Test(
        "unsupported versions and garbage are nil",
        arguments: ["99.0", "2.0", "1.1", "0.2", "0.5", "0", "0.4", "", " ", "abc", "1.", ".0", "v1.0", "1.x", "1.0-beta", "1,0", "one"]
    )
    func unsupported(header: String) {
        #expect(A2AVersion(headerValue: header) == nil)
    }

    @Test("raw values and the header name")
    func rawValues() {
        #expect(A2AVersion.v1_0.rawValue == "1.0")
        #expect(A2AVersion.v0_3.rawValue == "0.3")
        #expect(A2AVersion.headerName == "A2A-Version")
        #expect(A2AVersion.allCases.count == 2)
    }
}
