//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

@testable import CleverAgentsLangGraph

/// Which LangGraph failures are retried, after how long, and which may have started a run.
@Suite struct LangGraphRetryPolicyTests {
    static let policy = LangGraphRetryPolicy(maximumAttempts: 4, initialBackoff: .milliseconds(100), maximumBackoff: .seconds(1))

    @Test(arguments: [408, 429, 500, 502, 503, 504, 599])
    func busyAndFailingServersAreRetried(code: Int) {
        let failure = LangGraphRetryPolicy.Failure.status(code: code, detail: "", retryAfter: nil)
        #expect(failure.isRetriable)
        guard case .retry = Self.policy.decide(failure, attempt: 1) else {
            Issue.record("\(code) is not retried")
            return
        }
    }

    @Test(arguments: [400, 401, 403, 404, 409, 422, 501, 505])
    func refusalsAreFinal(code: Int) {
        #expect(Self.policy.decide(.status(code: code, detail: "", retryAfter: nil), attempt: 1) == .giveUp)
    }

    @Test func attemptsAreBounded() {
        let failure = LangGraphRetryPolicy.Failure.unreachable("refused")
        #expect(Self.policy.decide(failure, attempt: 3) != .giveUp)
        #expect(Self.policy.decide(failure, attempt: 4) == .giveUp)
        #expect(Self.policy.decide(.deadline, attempt: 1) == .giveUp)
        #expect(Self.policy.decide(.fatal("tls"), attempt: 1) == .giveUp)
        #expect(Self.policy.decide(.interrupted("reset"), attempt: 1) != .giveUp)
    }

    @Test(arguments: [(1, 100), (2, 200), (3, 400), (4, 800), (5, 1000), (12, 1000), (0, 100)])
    func backoffDoublesUpToTheMaximumWithTwentyPercentJitter(attempt: Int, milliseconds: Int) {
        let nominal = Duration.milliseconds(milliseconds)
        for _ in 0..<50 {
            let delay = Self.policy.backoff(attempt: attempt)
            #expect(delay >= nominal * 0.8 && delay <= nominal * 1.2, "attempt \(attempt): \(delay)")
        }
    }

    @Test func retryAfterIsHonouredUpToTheMaximumBackoff() {
        let soon = Self.policy.decide(.status(code: 429, detail: "", retryAfter: .milliseconds(700)), attempt: 1)
        #expect(soon == .retry(after: .milliseconds(700)))
        let late = Self.policy.decide(.status(code: 503, detail: "", retryAfter: .seconds(30)), attempt: 1)
        #expect(late == .retry(after: .seconds(1)))
    }

    @Test func onlyAnswersLangGraphMayHaveActedOnNeedALookBeforeARepeatedStart() {
        #expect(LangGraphRetryPolicy.Failure.interrupted("closed").mayHaveBeenProcessed)
        #expect(LangGraphRetryPolicy.Failure.status(code: 500, detail: "", retryAfter: nil).mayHaveBeenProcessed)
        #expect(LangGraphRetryPolicy.Failure.status(code: 504, detail: "", retryAfter: nil).mayHaveBeenProcessed)
        #expect(!LangGraphRetryPolicy.Failure.status(code: 503, detail: "", retryAfter: nil).mayHaveBeenProcessed)
        #expect(!LangGraphRetryPolicy.Failure.status(code: 429, detail: "", retryAfter: nil).mayHaveBeenProcessed)
        #expect(!LangGraphRetryPolicy.Failure.unreachable("refused").mayHaveBeenProcessed)
    }

    @Test func clientErrorsAreSortedByWhetherTheRequestWentOut() {
        #expect(LangGraphRetryPolicy.classify(HTTPClientError.connectTimeout) == .unreachable("connect timeout"))
        #expect(LangGraphRetryPolicy.classify(HTTPClientError.remoteConnectionClosed) == .interrupted("the connection closed"))
        #expect(LangGraphRetryPolicy.classify(HTTPClientError.readTimeout) == .interrupted("no answer within the read timeout"))
        #expect(LangGraphRetryPolicy.classify(HTTPClientError.deadlineExceeded) == .deadline)
        #expect(LangGraphRetryPolicy.classify(ChannelError.connectTimeout(.seconds(1))) == .unreachable("connect timeout"))
        #expect(LangGraphRetryPolicy.classify(ChannelError.eof) == .interrupted("the connection closed"))
        #expect(LangGraphRetryPolicy.classify(IOError(errnoCode: ECONNREFUSED, reason: "connect")).isRetriable)
        #expect(!LangGraphRetryPolicy.classify(IOError(errnoCode: ECONNREFUSED, reason: "connect")).mayHaveBeenProcessed)
        #expect(LangGraphRetryPolicy.classify(IOError(errnoCode: ECONNRESET, reason: "read")).mayHaveBeenProcessed)
        if case .fatal = LangGraphRetryPolicy.classify(HTTPClientError.invalidURL) {} else { Issue.record("an invalid URL is fatal") }
        struct Odd: Error {}
        if case .fatal = LangGraphRetryPolicy.classify(Odd()) {} else { Issue.record("an unknown error is fatal") }
    }

    @Test func failuresSummarizeForTheTaskMessage() {
        #expect(LangGraphRetryPolicy.Failure.status(code: 503, detail: "busy", retryAfter: nil).summary == "LangGraph answered 503: busy")
        #expect(LangGraphClient.message(for: .unreachable("refused"), call: "start run") == "LangGraph is unreachable (start run): refused")
        #expect(LangGraphClient.message(for: .interrupted("closed"), call: "get run") == "LangGraph did not answer (get run): closed")
        #expect(LangGraphClient.message(for: .deadline, call: "join run") == "The run's time limit passed (join run)")
        #expect(LangGraphClient.message(for: .fatal("tls"), call: "cancel run") == "LangGraph could not be called (cancel run): tls")
        #expect(LangGraphClient.message(for: .status(code: 500, detail: "oops", retryAfter: nil), call: "list runs") == "LangGraph answered 500 (list runs): oops")
    }

    @Test func runIDsComeFromTheContentLocation() {
        #expect(LangGraphClient.runID(fromLocation: "/threads/t-1/runs/r-1") == "r-1")
        #expect(LangGraphClient.runID(fromLocation: "/threads/t-1/runs/r-1/stream?x=1") == "r-1")
        #expect(LangGraphClient.runID(fromLocation: "/threads/t-1") == nil)
        #expect(LangGraphClient.runID(fromLocation: nil) == nil)
    }
}
