//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

@testable import CleverAgentsServer
import Testing

@Suite(.timeLimit(.minutes(2))) struct ProcessorBudgetTests {
    @Test(arguments: [("0", 1), ("0-1", 2), (" 0-3,8,10-11 ", 7), ("5", 1)])
    func aCPUListCountsItsCPUs(_ list: String, _ count: Int) {
        #expect(ProcessorBudget.count(cpuList: Substring(list)) == count)
    }

    @Test(arguments: ["", "a", "3-1", "1-2-3", "-"])
    func whatIsNotACPUListCountsNothing(_ list: String) {
        #expect(ProcessorBudget.count(cpuList: Substring(list)) == nil)
    }

    @Test func theBudgetIsTheFewestOfAffinityAndCgroup() {
        #expect(ProcessorBudget(affinity: 1, cgroup: 64).processors == 1)
        #expect(ProcessorBudget(affinity: 64, cgroup: 2).processors == 2)
        #expect(ProcessorBudget(affinity: nil, cgroup: 4).processors == 4)
        #expect(ProcessorBudget(affinity: 2, cgroup: 4).description == "2 (affinity 2, cgroup 4)")
        #expect(ProcessorBudget.current.processors >= 1)
    }
}
