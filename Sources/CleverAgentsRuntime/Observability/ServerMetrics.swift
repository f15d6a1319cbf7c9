//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
public import CleverAgentsDomain
public import CoreMetrics
import Synchronization

/// The server's metrics, recorded through swift-metrics where the events happen.
///
/// Every label has a bounded set of values: A2A method names, result names derived from JSON-RPC
/// error codes, task states, route templates. The namespace is a label only when
/// `namespaceLabel` is on (`metrics.namespaceLabel`), because namespaces grow with tenants.
/// The series are listed in `docs/operations.md`.
public struct ServerMetrics: Sendable {
    /// The metric names, as scraped from `/metrics`.
    public enum Name {
        public static let rpcRequests = "cleveragents_rpc_requests_total"
        public static let rpcDuration = "cleveragents_rpc_request_duration_seconds"
        public static let httpRequests = "cleveragents_http_requests_total"
        public static let httpDuration = "cleveragents_http_request_duration_seconds"
        public static let taskTransitions = "cleveragents_task_transitions_total"
        public static let taskQueueDepth = "cleveragents_task_queue_depth"
        public static let taskRunsActive = "cleveragents_task_runs_active"
        public static let executorFirstEvent = "cleveragents_executor_first_event_seconds"
        public static let streamFirstEvent = "cleveragents_stream_first_event_seconds"
        public static let executorRunDuration = "cleveragents_executor_run_duration_seconds"
        public static let pushDeliveries = "cleveragents_push_deliveries_total"
        public static let pushDeliveryDuration = "cleveragents_push_delivery_duration_seconds"
        public static let databaseOperationsInFlight = "cleveragents_db_operations_in_flight"
        public static let databaseOperationDuration = "cleveragents_db_operation_duration_seconds"
        public static let databasePoolMaximum = "cleveragents_db_pool_connections_max"
        public static let buildInfo = "cleveragents_build_info"
    }

    public let factory: any MetricsFactory
    /// Whether RPC series carry a `namespace` label.
    public let namespaceLabel: Bool
    /// The series with fixed labels, made once: a factory's `make…` takes a lock and hashes the
    /// label and dimensions, several times per task if made on each use.
    private let series: Series
    /// The series whose labels vary by request (route, method, status, result), each made once.
    private let requestSeries = RequestSeries()

    private struct Series: Sendable {
        let taskTransitions: [TaskState: Counter]
        let taskQueueDepth: Meter
        let taskRunsActive: Meter
        let executorFirstEvent: Timer
        let streamFirstEvent: Timer
        let databaseOperationsInFlight: Meter
        let databaseOperationOK: Timer
        let databaseOperationError: Timer

        init(factory: any MetricsFactory) {
            taskTransitions = Dictionary(
                uniqueKeysWithValues: TaskState.allCases.filter { $0 != .unspecified }.map { state in
                    (state, Counter(label: Name.taskTransitions, dimensions: [("state", ServerMetrics.stateName(state))], factory: factory))
                }
            )
            taskQueueDepth = Meter(label: Name.taskQueueDepth, factory: factory)
            taskRunsActive = Meter(label: Name.taskRunsActive, factory: factory)
            executorFirstEvent = Timer(label: Name.executorFirstEvent, factory: factory)
            streamFirstEvent = Timer(label: Name.streamFirstEvent, factory: factory)
            databaseOperationsInFlight = Meter(label: Name.databaseOperationsInFlight, factory: factory)
            databaseOperationOK = Timer(label: Name.databaseOperationDuration, dimensions: [("result", "ok")], factory: factory)
            databaseOperationError = Timer(label: Name.databaseOperationDuration, dimensions: [("result", "error")], factory: factory)
        }
    }

    /// Metrics recorded with `factory`; by default the process-wide `MetricsSystem.factory`,
    /// which drops everything unless the process bootstrapped a backend.
    public init(factory: any MetricsFactory = MetricsSystem.factory, namespaceLabel: Bool = false) {
        self.factory = factory
        self.namespaceLabel = namespaceLabel
        self.series = Series(factory: factory)
    }

    /// `cleveragents_build_info{version}` = 1, to tell versions apart during a rollout.
    public func recordBuildInfo(version: String) {
        Gauge(label: Name.buildInfo, dimensions: [("version", version)], factory: factory).record(1)
    }

    // MARK: Requests

    /// One JSON-RPC call answered: `method` is the A2A or `_cleveragents/*` method (or `unknown`
    /// when the request did not name a known one), `errorCode` the JSON-RPC error code or `nil`
    /// on success.
    public func recordRPC(method: String?, errorCode: Int?, namespace: NamespaceName?, duration: Duration) {
        let method = method.flatMap { Self.isKnownMethod($0) ? $0 : nil } ?? "unknown"
        var dimensions = [("method", method), ("result", Self.resultName(errorCode: errorCode))]
        if namespaceLabel {
            // An unknown namespace must not create a series: only names that resolved count.
            let known = errorCode != JSONRPCError.namespaceNotFoundCode
            dimensions.append(("namespace", known ? namespace?.rawValue ?? "none" : "unknown"))
        }
        requestSeries.counter(Name.rpcRequests, dimensions, factory: factory).increment()
        requestSeries.timer(Name.rpcDuration, [("method", method)], factory: factory).record(duration: duration)
    }

    /// Whether `name` is a method the server serves: only those become label values, so that
    /// clients cannot grow the series with made-up names.
    static func isKnownMethod(_ name: String) -> Bool {
        if A2AMethod(rawValue: name) != nil || SyncMethod(rawValue: name) != nil { return true }
        guard name.hasPrefix(AdminCall.prefix) else { return false }
        return AdminCall.names[String(name.dropFirst(AdminCall.prefix.count))] != nil
    }

    /// One HTTP request answered (time to the response head; streams go on after it).
    public func recordHTTP(route: String, method: String, status: Int, duration: Duration) {
        requestSeries.counter(Name.httpRequests, [("route", route), ("method", method), ("status", String(status))], factory: factory).increment()
        requestSeries.timer(Name.httpDuration, [("route", route), ("method", method)], factory: factory).record(duration: duration)
    }

    /// The `result` label of a JSON-RPC call: `ok`, or the name of its error.
    public static func resultName(errorCode: Int?) -> String {
        guard let errorCode else { return "ok" }
        return resultNames[errorCode] ?? "error"
    }

    static let resultNames: [Int: String] = [
        JSONRPCError.parseErrorCode: "parse_error",
        JSONRPCError.invalidRequestCode: "invalid_request",
        JSONRPCError.methodNotFoundCode: "method_not_found",
        JSONRPCError.invalidParamsCode: "invalid_params",
        JSONRPCError.internalErrorCode: "internal_error",
        JSONRPCError.taskNotFoundCode: "task_not_found",
        JSONRPCError.taskNotCancelableCode: "task_not_cancelable",
        JSONRPCError.pushNotificationNotSupportedCode: "push_notification_not_supported",
        JSONRPCError.unsupportedOperationCode: "unsupported_operation",
        JSONRPCError.contentTypeNotSupportedCode: "content_type_not_supported",
        JSONRPCError.invalidAgentResponseCode: "invalid_agent_response",
        JSONRPCError.extendedAgentCardNotConfiguredCode: "extended_agent_card_not_configured",
        JSONRPCError.extensionSupportRequiredCode: "extension_support_required",
        JSONRPCError.versionNotSupportedCode: "version_not_supported",
        JSONRPCError.namespaceNotFoundCode: "namespace_not_found",
        JSONRPCError.unauthenticatedCode: "unauthenticated",
        JSONRPCError.permissionDeniedCode: "permission_denied",
        JSONRPCError.rateLimitedCode: "rate_limited",
        JSONRPCError.serviceUnavailableCode: "service_unavailable",
        JSONRPCError.payloadTooLargeCode: "payload_too_large",
        JSONRPCError.conflictCode: "conflict",
    ]

    // MARK: Tasks

    /// A task entered `state` (counted once per committed status change, on the replica that
    /// committed it).
    public func recordTaskTransition(to state: TaskState) {
        let counter = series.taskTransitions[state] ?? requestSeries.counter(Name.taskTransitions, [("state", Self.stateName(state))], factory: factory)
        counter.increment()
    }

    /// `completed`, `input_required`, …: the state's name without the `TASK_STATE_` prefix.
    public static func stateName(_ state: TaskState) -> String {
        let raw = state.rawValue
        let prefix = "TASK_STATE_"
        return (raw.hasPrefix(prefix) ? String(raw.dropFirst(prefix.count)) : raw).lowercased()
    }

    /// A task turn was queued on this replica (`up`), or taken off the queue to run.
    func recordTaskQueued(_ up: Bool) {
        if up { series.taskQueueDepth.increment() } else { series.taskQueueDepth.decrement() }
    }

    /// Tasks waiting in the shared queue, as the last claim of this replica saw them.
    func recordQueueWaiting(_ count: Int) {
        series.taskQueueDepth.set(count)
    }

    /// A graph run started (`up`) or ended on this replica.
    func recordRunActive(_ up: Bool) {
        if up { series.taskRunsActive.increment() } else { series.taskRunsActive.decrement() }
    }

    /// Time from the start of a graph run until its first event arrived.
    func recordExecutorFirstEvent(after duration: Duration) {
        series.executorFirstEvent.record(duration: duration)
    }

    /// Time from a streaming request's handling to its first event handed to the connection
    /// (for `SendStreamingMessage`, the task's creation committed first).
    public func recordStreamFirstEvent(after duration: Duration) {
        series.streamFirstEvent.record(duration: duration)
    }

    /// A graph run ended, leaving its task in `state` (or `interrupted` by shutdown).
    func recordExecutorRun(outcome: String, duration: Duration) {
        Timer(label: Name.executorRunDuration, dimensions: [("outcome", outcome)], factory: factory).record(duration: duration)
    }

    // MARK: Push notifications

    /// The result of one delivery attempt: `delivered`, `retrying`, `abandoned` or `error`.
    func recordPushDelivery(result: String, duration: Duration) {
        Counter(label: Name.pushDeliveries, dimensions: [("result", result)], factory: factory).increment()
        Timer(label: Name.pushDeliveryDuration, factory: factory).record(duration: duration)
    }

    // MARK: Database

    /// The size of the connection pool, for comparison with the operations in flight.
    public func recordDatabasePoolMaximum(_ connections: Int) {
        Gauge(label: Name.databasePoolMaximum, factory: factory).record(connections)
    }

    /// Runs one store operation, counting it in flight (waiting for or holding a pooled
    /// connection) and timing it.
    public func measureDatabaseOperation<Result>(_ body: () async throws -> Result) async throws -> Result {
        let inFlight = series.databaseOperationsInFlight
        inFlight.increment()
        let start = ContinuousClock.now
        defer { inFlight.decrement() }
        do {
            let result = try await body()
            series.databaseOperationOK.record(duration: ContinuousClock.now - start)
            return result
        } catch {
            series.databaseOperationError.record(duration: ContinuousClock.now - start)
            throw error
        }
    }
}

extension Timer {
    fileprivate func record(duration: Duration) {
        let (seconds, attoseconds) = duration.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

/// Request series by label and dimensions, made by the factory the first time they are used.
///
/// Their label values come from bounded sets (known methods, route templates, statuses, resolved
/// namespaces), so this holds what the metrics backend holds anyway; a lookup here costs a hash
/// of a few short strings, a factory's `make…` the validation and registration of the series.
private final class RequestSeries: Sendable {
    /// A label and up to three dimensions (the request series have no more), without an array.
    private struct Key: Hashable {
        var label: String
        var first: (name: String, value: String)? = nil
        var second: (name: String, value: String)? = nil
        var third: (name: String, value: String)? = nil
        var more: [String] = []

        init(_ label: String, _ dimensions: [(String, String)]) {
            self.label = label
            for (index, dimension) in dimensions.enumerated() {
                switch index {
                case 0: first = dimension
                case 1: second = dimension
                case 2: third = dimension
                default: more += [dimension.0, dimension.1]
                }
            }
        }

        static func == (left: Key, right: Key) -> Bool {
            left.label == right.label && left.first?.name == right.first?.name && left.first?.value == right.first?.value
                && left.second?.name == right.second?.name && left.second?.value == right.second?.value
                && left.third?.name == right.third?.name && left.third?.value == right.third?.value && left.more == right.more
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(label)
            hasher.combine(first?.name)
            hasher.combine(first?.value)
            hasher.combine(second?.name)
            hasher.combine(second?.value)
            hasher.combine(third?.name)
            hasher.combine(third?.value)
            hasher.combine(more)
        }
    }

    private let counters = Mutex<[Key: Counter]>([:])
    private let timers = Mutex<[Key: Timer]>([:])

    func counter(_ label: String, _ dimensions: [(String, String)], factory: any MetricsFactory) -> Counter {
        Self.series(in: counters, Key(label, dimensions)) { Counter(label: label, dimensions: dimensions, factory: factory) }
    }

    func timer(_ label: String, _ dimensions: [(String, String)], factory: any MetricsFactory) -> Timer {
        Self.series(in: timers, Key(label, dimensions)) { Timer(label: label, dimensions: dimensions, factory: factory) }
    }

    /// The series under `key`, made outside the lock the first time (the factory takes its own).
    private static func series<Series: Sendable>(in made: borrowing Mutex<[Key: Series]>, _ key: Key, make: () -> Series) -> Series {
        if let existing = made.withLock({ $0[key] }) { return existing }
        let new = make()
        return made.withLock { made in
            if let existing = made[key] { return existing }
            made[key] = new
            return new
        }
    }
}
