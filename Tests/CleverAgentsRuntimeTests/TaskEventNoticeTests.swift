//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import CleverAgentsDomain
import CleverAgentsRuntime
import Testing

@Suite(.timeLimit(.minutes(2))) struct TaskEventNoticeTests {
    @Test func aNoticeIsReadFromThePayloadItWrites() throws {
        let namespace = try #require(NamespaceName("acme"))
        let notice = TaskEventNotice(task: TaskKey(namespace: namespace, id: "01a2-task"), sequence: 42, origin: "replica-7")
        #expect(notice.payload == "acme 01a2-task 42 replica-7")
        #expect(TaskEventNotice(payload: notice.payload) == notice)
        #expect(TaskEventNotice(payload: "acme t 1 ")?.origin == "", "an empty origin is nobody's, still a notice")
    }

    @Test(arguments: ["", "acme", "acme t 1", "acme t 1 o x", "acme  1 o", "acme t 0 o", "acme t -1 o", "acme t x o", "Not-A-Name t 1 o"])
    func aMalformedPayloadIsNoNotice(payload: String) {
        #expect(TaskEventNotice(payload: payload) == nil)
    }
}
