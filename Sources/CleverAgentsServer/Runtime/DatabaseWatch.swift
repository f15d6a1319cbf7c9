//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import CleverAgentsPostgres
import Logging
import ServiceLifecycle
import Synchronization

/// Watches the database for the operator: its loss is logged once, at `warning`, with the
/// reason; while it lasts, one summary per ``summaryInterval``; its return at `info`. `/readyz`
/// names the reason. The pool's own log of every failed connection attempt stays at `debug`.
final class DatabaseWatch: Service, Sendable {
    let url: DatabaseURL
    let ping: @Sendable () async -> Bool
    let logger: Logger
    let interval: Duration
    private let state: Mutex<DatabaseWatchState>

    init(
        url: DatabaseURL,
        logger: Logger,
        interval: Duration = .seconds(5),
        summaryInterval: Duration = .seconds(60),
        ping: @escaping @Sendable () async -> Bool
    ) {
        self.url = url
        self.ping = ping
        self.logger = logger
        self.interval = interval
        self.state = Mutex(DatabaseWatchState(summaryInterval: summaryInterval))
    }

    /// Why the database is not usable, as of the last check; `nil` while it is.
    var problem: DatabaseProblem? { state.withLock { $0.problem } }

    func run() async throws {
        // Ends quietly at graceful shutdown: a service that throws would fail the whole group.
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.check()
                try? await Task.sleep(for: self.interval)
            }
        }
    }

    /// Pings through the pool; on failure, connects once on its own to learn why.
    func check() async {
        var problem: DatabaseProblem?
        if !(await ping()) {
            do {
                try await url.check(schema: .any, timeout: .seconds(5), logger: Logger(label: "cleveragents.database-watch") { _ in SwiftLogNoOpLogHandler() })
                problem = DatabaseProblem(
                    .timedOut, "PostgreSQL at \(url.location) accepts connections, but the pool's did not answer within 2 s (overloaded, or the pool is exhausted)",
                    reason: "the database did not answer within 2 s"
                )
            } catch {
                problem = error
            }
        }
        let action = state.withLock { $0.record(problem, at: .now) }
        switch action {
        case .none:
            break
        case .lost(let problem):
            logger.warning("Lost the database; retrying", metadata: ["reason": "\(problem.message)", "kind": "\(problem.kind.rawValue)"])
        case .stillLost(let problem, let downFor, let failedChecks):
            logger.warning(
                "The database is still unusable",
                metadata: ["reason": "\(problem.message)", "kind": "\(problem.kind.rawValue)", "down_for": "\(downFor)", "failed_checks": "\(failedChecks)"]
            )
        case .recovered(let downFor):
            logger.info("The database is back", metadata: ["down_for": "\(downFor)"])
        }
    }
}

/// The watch's memory, as a pure state machine: what each check's outcome should log.
struct DatabaseWatchState: Sendable {
    enum Action: Sendable, Equatable {
        case none
        /// The first failed check after good ones (or at start).
        case lost(DatabaseProblem)
        /// A failed check a ``summaryInterval`` after the last log: how long, how many checks.
        case stillLost(DatabaseProblem, downFor: Duration, failedChecks: Int)
        /// The first good check after failed ones.
        case recovered(downFor: Duration)
    }

    let summaryInterval: Duration
    private(set) var problem: DatabaseProblem?
    private var downSince: ContinuousClock.Instant?
    private var lastLogged: ContinuousClock.Instant?
    private var failedChecks = 0

    init(summaryInterval: Duration) {
        self.summaryInterval = summaryInterval
    }

    mutating func record(_ outcome: DatabaseProblem?, at now: ContinuousClock.Instant) -> Action {
        problem = outcome
        guard let outcome else {
            defer { (downSince, lastLogged, failedChecks) = (nil, nil, 0) }
            return downSince.map { .recovered(downFor: now - $0) } ?? .none
        }
        failedChecks += 1
        guard let since = downSince, let logged = lastLogged else {
            (downSince, lastLogged) = (now, now)
            return .lost(outcome)
        }
        guard now - logged >= summaryInterval else { return .none }
        lastLogged = now
        return .stillLost(outcome, downFor: now - since, failedChecks: failedChecks)
    }
}
