//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

@testable import CleverAgentsPostgres
import Testing

@Suite(.timeLimit(.minutes(2))) struct WithDeadlineTests {
    @Test func aDeadlineResultThatComesBeforeTheCallerWaitsIsKept() async throws {
        // The work may finish before the caller starts waiting for it. The deadline is far off:
        // while the whole suite starts, the work's task may wait seconds for a thread (CI saw a
        // 5 s deadline pass), and what is tested is that an early result is kept; one lost would
        // hang the call until the suite's time limit.
        for value in 0..<200 {
            #expect(try await PostgresStore.withDeadline(.seconds(3600)) { value } == value)
        }
    }
}
