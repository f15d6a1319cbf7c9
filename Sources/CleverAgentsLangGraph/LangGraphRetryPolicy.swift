//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import AsyncHTTPClient
import CleverAgentsEgress
import CleverAgentsRuntime
import NIOCore
import NIOPosix

/// Which failed LangGraph calls are worth another attempt, and after how long.
///
/// Pure: the executor classifies what happened, asks for a decision, and acts on it.
struct LangGraphRetryPolicy: Sendable, Hashable {
    /// What went wrong with one call.
    enum Failure: Sendable, Hashable {
        /// No connection: the request never reached LangGraph (refused, connect timeout, DNS).
        case unreachable(String)
        /// The connection broke after the request was sent, before a complete answer: LangGraph
        /// may have acted on it.
        case interrupted(String)
        /// LangGraph answered with an HTTP status.
        case status(code: Int, detail: String, retryAfter: Duration?)
        /// The run's deadline passed.
        case deadline
        /// Nothing another attempt could fix (TLS, a malformed URL…).
        case fatal(String)
    }

    /// What to do about a failure.
    enum Decision: Sendable, Hashable {
        case retry(after: Duration)
        case giveUp
    }

    var maximumAttempts: Int
    var initialBackoff: Duration
    var maximumBackoff: Duration

    /// Decides after failed attempt number `attempt` (1-based).
    ///
    /// Retried: unreachable and interrupted calls, 408, 429 and 5xx (except 501 and 505), honouring
    /// `Retry-After` up to ``maximumBackoff``. Whether a call that LangGraph may have acted on is
    /// safe to repeat is the caller's business (see ``Failure/mayHaveBeenProcessed``).
    func decide(_ failure: Failure, attempt: Int) -> Decision {
        guard attempt < maximumAttempts, failure.isRetriable else { return .giveUp }
        var delay = backoff(attempt: attempt)
        if case .status(_, _, let retryAfter?) = failure {
            delay = min(max(delay, retryAfter), maximumBackoff)
        }
        return .retry(after: delay)
    }

    /// The delay before retry number `attempt` (1-based): doubling from ``initialBackoff`` up to
    /// ``maximumBackoff``, with ±20 % jitter.
    func backoff(attempt: Int) -> Duration {
        ExponentialBackoff(initial: initialBackoff, maximum: maximumBackoff).delay(afterAttempt: attempt) * Double.random(in: 0.8...1.2)
    }

    /// Sorts an error thrown by AsyncHTTPClient (or NIO beneath it) into a ``Failure``.
    static func classify(_ error: any Error) -> Failure {
        switch error {
        case let error as EgressRefusal:
            return .fatal("the egress policy refused the graph URL: \(error)")
        case let error as EgressResolutionFailure:
            return .unreachable("\(error)")
        case let error as GraphExecutionError:
            return .fatal(error.detail ?? error.message)
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout, .httpProxyHandshakeTimeout, .socksHandshakeTimeout:
                return .unreachable(Self.describe(error))
            case .deadlineExceeded:
                return .deadline
            case .readTimeout:
                return .interrupted("no answer within the read timeout")
            case .remoteConnectionClosed, .writeTimeout, .uncleanShutdown:
                return .interrupted(Self.describe(error))
            default:
                return .fatal(Self.describe(error))
            }
        case let error as NIOConnectionError:
            return .unreachable("\(error)")
        case ChannelError.connectTimeout:
            return .unreachable("connect timeout")
        case let error as IOError:
            switch error.errnoCode {
            case ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, EHOSTDOWN:
                return .unreachable("\(error)")
            default:
                return .interrupted("\(error)")
            }
        case ChannelError.eof, ChannelError.ioOnClosedChannel, ChannelError.outputClosed, ChannelError.inputClosed, ChannelError.alreadyClosed:
            return .interrupted("the connection closed")
        default:
            let text = "\(error)"
            if text.contains("connectionRefused") || text.contains("Connection refused") {
                return .unreachable(text)
            }
            return .fatal(text)
        }
    }

    static func describe(_ error: HTTPClientError) -> String {
        switch error {
        case .connectTimeout: "connect timeout"
        case .getConnectionFromPoolTimeout: "no connection available in time"
        case .tlsHandshakeTimeout: "TLS handshake timeout"
        case .remoteConnectionClosed: "the connection closed"
        case .writeTimeout: "write timeout"
        default: "\(error)"
        }
    }
}

extension LangGraphRetryPolicy.Failure {
    /// Whether another attempt could succeed.
    var isRetriable: Bool {
        switch self {
        case .unreachable, .interrupted: true
        case .status(let code, _, _): code == 408 || code == 429 || ((500...599).contains(code) && code != 501 && code != 505)
        case .deadline, .fatal: false
        }
    }

    /// Whether LangGraph may have acted on the request although the call failed: a `POST` that
    /// starts a run must then look for the run before it posts again.
    var mayHaveBeenProcessed: Bool {
        switch self {
        case .interrupted: true
        case .status(let code, _, _): code >= 500 && code != 503
        case .unreachable, .deadline, .fatal: false
        }
    }

    /// For the message of a task that fails because of it.
    var summary: String {
        switch self {
        case .unreachable(let reason): "LangGraph is unreachable: \(reason)"
        case .interrupted(let reason): "the connection to LangGraph broke: \(reason)"
        case .status(let code, let detail, _): "LangGraph answered \(code): \(detail)"
        case .deadline: "the run's time limit passed"
        case .fatal(let reason): "LangGraph could not be called: \(reason)"
        }
    }
}
