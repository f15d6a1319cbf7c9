//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Testing

@testable import CleverAgentsLangGraph

/// Defaults and stream modes of the LangGraph adapter.
@Suite(.timeLimit(.minutes(2))) struct LangGraphConfigurationTests {
    @Test func defaultsRequestValuesUpdatesCustomEventsAndMessageTokens() {
        let configuration = LangGraphConfiguration()
        #expect(configuration.defaultStreamModes == ["values", "updates", "custom", "messages-tuple"])
        #expect(configuration.maximumAttempts > 1)
        #expect(Set(configuration.defaultStreamModes).isSubset(of: LangGraphConfiguration.knownStreamModes))
    }

    @Test func runsAlwaysStreamValuesFirst() {
        let configuration = LangGraphConfiguration(defaultStreamModes: ["custom", "values"])
        #expect(configuration.streamModes(for: nil) == ["values", "custom"])
        #expect(configuration.streamModes(for: ["messages"]) == ["values", "messages"])
        #expect(configuration.streamModes(for: []) == ["values"])
    }

    @Test func retryPolicyTakesTheConfiguredAttemptsAndDelays() {
        let configuration = LangGraphConfiguration(maximumAttempts: 7, initialBackoff: .milliseconds(10), maximumBackoff: .seconds(2))
        #expect(configuration.retryPolicy == LangGraphRetryPolicy(maximumAttempts: 7, initialBackoff: .milliseconds(10), maximumBackoff: .seconds(2)))
    }
}
