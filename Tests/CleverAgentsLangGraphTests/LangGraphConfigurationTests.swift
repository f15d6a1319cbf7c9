//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Testing

@testable import CleverAgentsLangGraph

/// Retry delays and defaults of the LangGraph adapter.
@Suite struct LangGraphConfigurationTests {
    @Test func defaultsRequestValuesUpdatesAndCustomEvents() {
        let configuration = LangGraphConfiguration()
        #expect(configuration.defaultStreamModes == ["values", "updates", "custom"])
        #expect(configuration.maximumAttempts > 1)
    }

    @Test(arguments: [(1, 100), (2, 200), (3, 400), (4, 800), (5, 1000), (12, 1000)])
    func backoffDoublesUpToTheMaximumWithTwentyPercentJitter(attempt: Int, milliseconds: Int) {
        let configuration = LangGraphConfiguration(initialBackoff: .milliseconds(100), maximumBackoff: .seconds(1))
        let nominal = Duration.milliseconds(milliseconds)
        for _ in 0..<50 {
            let delay = configuration.backoff(attempt: attempt)
            #expect(delay >= nominal * 0.8 && delay <= nominal * 1.2, "attempt \(attempt): \(delay)")
        }
    }

    @Test func backoffOfAttemptZeroIsTheInitialDelay() {
        let configuration = LangGraphConfiguration(initialBackoff: .milliseconds(100), maximumBackoff: .seconds(1))
        let delay = configuration.backoff(attempt: 0)
        #expect(delay >= .milliseconds(80) && delay <= .milliseconds(120))
    }
}
