//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import Benchmark
import CleverAgentsDomain
import CleverAgentsRuntime

/// The permission decision `A2AService.handle` makes before every call.
func accessBenchmarks() {
    let methods = A2AMethod.allCases
    let callers: [(name: String, caller: Caller)] = [
        ("member", Caller(principalID: "user:alice", role: .member, tokenID: "tok-1")),
        ("owner", Caller(principalID: "user:olga", role: .owner, tokenID: "tok-2")),
        ("superadmin", Caller(principalID: "user:root", role: nil, isSuperadmin: true, tokenID: "tok-3")),
    ]
    for (name, caller) in callers {
        // One decision per iteration, cycling over every A2A method.
        Benchmark("RBAC/permission check \(name)", configuration: .init(scalingFactor: .kilo)) { benchmark in
            var index = 0
            for _ in benchmark.scaledIterations {
                let permission = A2AService.permission(for: methods[index])
                blackHole(caller.has(permission))
                index = index == methods.count - 1 ? 0 : index + 1
            }
        }
    }
}
