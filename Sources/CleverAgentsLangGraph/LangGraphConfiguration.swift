//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// How the server talks to LangGraph deployments.
public struct LangGraphConfiguration: Sendable, Hashable {
    /// The stream modes LangGraph knows (`stream_mode`); anything else is refused with 422.
    public static let knownStreamModes: Set<String> = Set(LangGraphStreamMode.allCases.map(\.rawValue))

    /// The stream modes requested when neither the configuration nor an actor names any: state,
    /// node progress, the graph's own progress and token text.
    public static let standardStreamModes: [String] = [LangGraphStreamMode.values, .updates, .custom, .messagesTuple].map(\.rawValue)

    /// Stream modes requested when an actor names none. `values` is always added: the final
    /// state is the run's output.
    public var defaultStreamModes: [String]
    /// Longest time one run may take, unless the actor sets its own.
    public var runTimeout: Duration
    /// Timeout of each short call (get run, get thread, cancel, list runs).
    public var requestTimeout: Duration
    /// Attempts for a call that failed in a way that is safe to retry (connection refused, 429, 5xx).
    public var maximumAttempts: Int
    /// First retry delay; doubled on every attempt, with jitter, up to ``maximumBackoff``.
    public var initialBackoff: Duration
    /// Longest delay between two attempts (also caps a server's `Retry-After`).
    public var maximumBackoff: Duration
    /// How many times in a row a run stream may break (or close while the run goes on) and be
    /// re-joined; a re-join that brings new events resets the count.
    public var maximumRejoins: Int
    /// Progress status updates sent per run at most (see `docs/graph-convention.md`).
    public var maximumProgressUpdates: Int
    /// The largest server-sent event of a run stream (its data, with the line being read), and
    /// the longest line, in bytes. A larger one stops the run.
    public var maximumEventBytes: Int
    /// Events one run may send, over all its connections. More stop the run.
    public var maximumEventsPerRun: Int
    /// The largest JSON answer read from a graph server (a run, a thread, a thread's state, a
    /// list of runs), in bytes. A larger one fails the call, and the run.
    public var maximumResponseBytes: Int

    public init(
        defaultStreamModes: [String] = LangGraphConfiguration.standardStreamModes,
        runTimeout: Duration = .seconds(3600),
        requestTimeout: Duration = .seconds(30),
        maximumAttempts: Int = 4,
        initialBackoff: Duration = .milliseconds(250),
        maximumBackoff: Duration = .seconds(5),
        maximumRejoins: Int = 5,
        maximumProgressUpdates: Int = 100,
        maximumEventBytes: Int = 8 << 20,
        maximumEventsPerRun: Int = 100_000,
        maximumResponseBytes: Int = 16 << 20
    ) {
        self.defaultStreamModes = defaultStreamModes
        self.runTimeout = runTimeout
        self.requestTimeout = requestTimeout
        self.maximumAttempts = maximumAttempts
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.maximumRejoins = maximumRejoins
        self.maximumProgressUpdates = maximumProgressUpdates
        self.maximumEventBytes = maximumEventBytes
        self.maximumEventsPerRun = maximumEventsPerRun
        self.maximumResponseBytes = maximumResponseBytes
    }

    /// The retry policy these settings describe.
    var retryPolicy: LangGraphRetryPolicy {
        LangGraphRetryPolicy(maximumAttempts: maximumAttempts, initialBackoff: initialBackoff, maximumBackoff: maximumBackoff)
    }

    /// The stream modes of a run: the actor's (or the default), with `values` first.
    func streamModes(for actorModes: [String]?) -> [String] {
        let modes = actorModes ?? defaultStreamModes
        let values = LangGraphStreamMode.values.rawValue
        return [values] + modes.filter { $0 != values }
    }
}
