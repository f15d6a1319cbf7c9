//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Logging
public import PostgresNIO
import Foundation
import Synchronization
public import CleverAgentsRuntime
import CleverAgentsDomain

/// The server's stores on PostgreSQL, sharing one `PostgresClient` pool.
///
/// Every query is scoped by namespace. The client is a Service run by the server's service
/// group; the store only borrows connections from it.
public struct PostgresStore: Sendable {
    public let client: PostgresClient
    public let logger: Logger
    public let metrics: ServerMetrics
    /// This process among the replicas: it names the origin of task event notifications, so a
    /// replica does not read back the events it announced itself.
    public let instanceID: String
    /// The replicas that share a task queue (`tasks.queueGroup`): tasks accepted here are run by
    /// replicas of the same group only.
    public let queueGroup: String
    /// Signalled after this process committed a write that queued push deliveries.
    public let pushWake = PushWakeSignal()
    /// Concurrent task creations share transactions (``GroupCommit``); `nil` when turned off.
    private(set) var taskCreations: GroupCommit<NewTask, Bool>?
    /// Concurrent task updates share statements (``GroupCommit``); `nil` when turned off.
    private(set) var taskUpdates: GroupCommit<TaskUpdateWrite, Bool>?

    public init(
        client: PostgresClient,
        logger: Logger,
        metrics: ServerMetrics = ServerMetrics(),
        instanceID: String? = nil,
        queueGroup: String = "",
        groupCommit: Bool = true
    ) {
        self.client = client
        self.logger = logger
        self.metrics = metrics
        self.instanceID = instanceID ?? UUID().uuidString
        self.queueGroup = queueGroup
        self.taskCreations = nil
        self.taskUpdates = nil
        if groupCommit {
            let plain = self
            let mayHaveCommitted: @Sendable (any Error) -> Bool = { error in
                if case .unavailable = error as? StoreError { return true }
                return false
            }
            // A few writers at once keep the pool's parallelism; what arrives meanwhile shares them.
            self.taskCreations = GroupCommit(
                maximumWriters: 4,
                mayHaveCommitted: mayHaveCommitted,
                isWritten: { new in await plain.storedLease(of: new) },
                write: { tasks in try await plain.createTasks(tasks) }
            )
            self.taskUpdates = GroupCommit(
                maximumWriters: 4,
                mayHaveCommitted: mayHaveCommitted,
                isWritten: { update in await plain.isStored(update) },
                write: { updates in try await plain.updateTasks(updates) }
            )
        }
    }

    /// Whether the database answers within two seconds; used by `/readyz`.
    public func ping() async -> Bool {
        do {
            _ = try await Self.withDeadline(.seconds(2)) { [client, logger] in
                try await client.query("SELECT 1", logger: logger).collect().count
            }
            return true
        } catch {
            return false
        }
    }

    /// The longest a store operation waits, connection included: the pool queues requests while
    /// it cannot connect, and a request must fail (clearly) rather than hang while PostgreSQL is away.
    static let operationTimeout: Duration = .seconds(5)

    /// Runs `body` within ``operationTimeout``, translating database failures into
    /// ``StoreError``s, and measures it.
    @discardableResult
    func translatingErrors<Result: Sendable>(_ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
        do {
            return try await metrics.measureDatabaseOperation {
                try await Self.withDeadline(Self.operationTimeout, body)
            }
        } catch {
            throw Self.translate(error)
        }
    }

    /// Runs `body`, or throws ``StoreError/unavailable(_:)`` when it takes longer than `limit`.
    ///
    /// On time-out the caller returns at once and `body` is cancelled in the background: a
    /// request queued in the pool for a connection does not always end when cancelled, and the
    /// caller must not wait for it. The time-out comes from the shared ``DeadlineWatch``, up to
    /// one tick (100 ms) late.
    static func withDeadline<Result: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
        let race = DeadlineRace<Result>()
        let work = Task {
            do {
                race.finish(.success(try await body()))
            } catch {
                race.finish(.failure(error))
            }
        }
        let ticket = DeadlineWatch.shared.watch(until: .now + limit) {
            if race.finish(.failure(StoreError.unavailable("the database did not answer within \(limit)"))) { work.cancel() }
        }
        defer { DeadlineWatch.shared.unwatch(ticket) }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                race.start(continuation)
            }
        } onCancel: {
            work.cancel()
        }
    }

    /// Unwraps transaction errors and maps PostgreSQL failures to ``StoreError``s.
    static func translate(_ error: any Error) -> any Error {
        switch error {
        case let error as PostgresTransactionError:
            if let failure = error.closureError ?? error.beginError ?? error.commitError {
                return translate(failure)
            }
            return error
        case let error as PSQLError:
            return translate(error)
        default:
            return error
        }
    }

    static func translate(_ error: PSQLError) -> any Error {
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState]
            switch state {
            case "23505": return StoreError.alreadyExists
            case "40001", "40P01": return StoreError.conflict
            case "57P01", "57P02", "57P03", "08000", "08003", "08006": return StoreError.unavailable("the database is restarting")
            case "53300": return StoreError.unavailable("the database has no connection to spare")
            default: return error
            }
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed, .uncleanShutdown,
            .sslUnsupported, .failedToAddSSLHandler:
            return StoreError.unavailable("the database cannot be reached")
        default:
            return error
        }
    }
}

/// The first of a result and a time-out resumes the waiting caller; the other is dropped. Either
/// can come before the caller waits.
private final class DeadlineRace<Result: Sendable>: Sendable {
    private enum State {
        case pending
        case waiting(CheckedContinuation<Result, any Error>)
        case finishedEarly(Swift.Result<Result, any Error>)
        case done
    }

    private let state = Mutex<State>(.pending)

    func start(_ continuation: CheckedContinuation<Result, any Error>) {
        let early = state.withLock { state -> Swift.Result<Result, any Error>? in
            guard case .finishedEarly(let result) = state else {
                state = .waiting(continuation)
                return nil
            }
            state = .done
            return result
        }
        if let early { continuation.resume(with: early) }
    }

    /// Settles the race with `result` unless it was settled already; returns whether it did.
    @discardableResult
    func finish(_ result: Swift.Result<Result, any Error>) -> Bool {
        let (won, continuation) = state.withLock { state -> (Bool, CheckedContinuation<Result, any Error>?) in
            switch state {
            case .pending:
                state = .finishedEarly(result)
                return (true, nil)
            case .waiting(let continuation):
                state = .done
                return (true, continuation)
            case .finishedEarly, .done:
                return (false, nil)
            }
        }
        continuation?.resume(with: result)
        return won
    }
}
