//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import CleverAgentsPostgres
import Testing

@testable import CleverAgentsServer

/// What the database watch logs for each check: its loss once, a summary per interval, its return.
@Suite(.timeLimit(.minutes(2))) struct DatabaseWatchTests {
    static let refused = DatabaseProblem(.unreachable, "Cannot connect to PostgreSQL at db:5432: Connection refused.", reason: "Connection refused")
    static let missing = DatabaseProblem(.databaseMissing, "Database 'x' does not exist at db:5432.", reason: "database 'x' does not exist")

    @Test func theLossIsLoggedOnceThenSummarisedPerIntervalAndTheReturnOnce() {
        var state = DatabaseWatchState(summaryInterval: .seconds(60))
        let start = ContinuousClock.now
        func at(_ seconds: Int) -> ContinuousClock.Instant { start + .seconds(seconds) }

        #expect(state.record(nil, at: at(0)) == .none, "healthy: nothing to say")
        #expect(state.problem == nil)
        #expect(state.record(Self.refused, at: at(5)) == .lost(Self.refused))
        #expect(state.problem == Self.refused, "/readyz reads the reason")
        for second in stride(from: 10, to: 65, by: 5) {
            #expect(state.record(Self.refused, at: at(second)) == .none, "quiet within the summary interval (\(second) s)")
        }
        // 13 failed checks from 5 s to 65 s; the reason may change while it lasts.
        #expect(state.record(Self.missing, at: at(65)) == .stillLost(Self.missing, downFor: .seconds(60), failedChecks: 13))
        #expect(state.record(Self.missing, at: at(70)) == .none)
        #expect(state.record(nil, at: at(75)) == .recovered(downFor: .seconds(70)))
        #expect(state.problem == nil)
        #expect(state.record(nil, at: at(80)) == .none)
        // A new loss is a new story.
        #expect(state.record(Self.refused, at: at(85)) == .lost(Self.refused))
        #expect(state.record(Self.refused, at: at(145)) == .stillLost(Self.refused, downFor: .seconds(60), failedChecks: 2))
    }

    @Test func aDatabaseDownAtStartIsALoss() {
        var state = DatabaseWatchState(summaryInterval: .seconds(60))
        #expect(state.record(Self.refused, at: .now) == .lost(Self.refused))
    }
}
