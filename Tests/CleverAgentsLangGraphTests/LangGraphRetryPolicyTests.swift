//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import AsyncHTTPClient
import CleverAgentsEgress
import CleverAgentsRuntime
import Foundation
import NIOCore
import Testing

@testable import CleverAgentsLangGraph

/// Which LangGraph failures are retried, after how long, and which may have started a run.
@Suite(.timeLimit(.minutes(2))) struct LangGraphRetryPolicyTests {
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

    @Test func upstreamFailuresGoToTheLogOnlyAndTheTaskGetsAGenericMessage() {
        #expect(LangGraphRetryPolicy.Failure.status(code: 503, detail: "busy", retryAfter: nil).summary == "LangGraph answered 503: busy")
        let cases: [(LangGraphRetryPolicy.Failure, String, String)] = [
            (.unreachable("refused"), "start run", "LangGraph is unreachable (start run): refused"),
            (.interrupted("closed"), "get run", "LangGraph did not answer (get run): closed"),
            (.fatal("tls"), "cancel run", "LangGraph could not be called (cancel run): tls"),
            (.status(code: 500, detail: "<html>internal secret</html>", retryAfter: nil), "list runs", "LangGraph answered 500 (list runs): <html>internal secret</html>"),
        ]
        for (failure, call, detail) in cases {
            let error = LangGraphClient.error(for: failure, call: call)
            #expect(error.detail == detail)
            #expect(error.message == "The graph server could not run the task", "refused and timed out look the same to the caller")
        }
        // Our own words stay as they are.
        let deadline = LangGraphClient.error(for: .deadline, call: "join run")
        #expect(deadline.message == "The run's time limit passed (join run)")
        #expect(deadline.detail == nil)
        // An egress refusal is not retried; a name that does not resolve may be.
        if case .fatal = LangGraphRetryPolicy.classify(EgressRefusal.notAllowed("x")) {} else { Issue.record("a refusal is final") }
        if case .unreachable = LangGraphRetryPolicy.classify(EgressResolutionFailure(host: "h", reason: "r")) {} else { Issue.record("resolution") }
    }

    @Test func runIDsComeFromTheContentLocation() {
        #expect(LangGraphClient.runID(fromLocation: "/threads/t-1/runs/r-1") == "r-1")
        #expect(LangGraphClient.runID(fromLocation: "/threads/t-1/runs/r-1/stream?x=1") == "r-1")
        #expect(LangGraphClient.runID(fromLocation: "/threads/t-1") == nil)
        #expect(LangGraphClient.runID(fromLocation: nil) == nil)
    }
}
