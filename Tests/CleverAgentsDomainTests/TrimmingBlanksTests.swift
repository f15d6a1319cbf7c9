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

@Suite(.timeLimit(.minutes(2))) struct TrimmingBlanksTests {
    @Test(arguments: ["", " ", "\t\t", "a", " a ", "\ta b\t ", "  https", "https , http", "\u{00A0}x\u{2003}", " é ", "\u{3000}日本\u{3000}"])
    func trimsAsFoundationDoes(text: String) {
        #expect(text.trimmingBlanks() == text.trimmingCharacters(in: .whitespaces))
        #expect(text[...].trimmingBlanks() == text.trimmingCharacters(in: .whitespaces))
    }
}
