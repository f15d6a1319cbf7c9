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
        // The work may finish before the caller starts waiting for it.
        for value in 0..<200 {
            #expect(try await PostgresStore.withDeadline(.seconds(5)) { value } == value)
        }
    }
}
