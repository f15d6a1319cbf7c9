//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsDomain
public import CleverAgentsRuntime
public import CleverAgentsLangGraph

/// Everything the server is configured with, validated: one part per component, each with its
/// defaults and its scope of keys.
///
/// Read from (lowest to highest precedence) built-in defaults, a YAML file, environment
/// variables (`CLEVERAGENTS_…`, `DATABASE_URL`, libpq's `PG…`) and command-line flags. Every key
/// is listed in `docs/configuration.md`.
public struct ServerConfiguration: Sendable, Hashable {
    /// `development` allows conveniences that production refuses.
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        case development
        case production
    }

    /// `mode`.
    public var mode: Mode
    /// `http.*`, `tls.*`: the listener.
    public var http: HTTPConfiguration
    /// `database.*`: the connection pool.
    public var database: DatabaseConfiguration
    /// `langgraph.*`: how graph runs are called.
    public var langGraph: LangGraphConfiguration
    /// The outbound client's timeouts (graph servers and webhooks).
    public var outbound: OutboundConfiguration
    /// `tasks.*`: the task queue and this replica's runs.
    public var tasks: TaskQueueConfiguration
    /// `push.*`: webhook deliveries.
    public var push: PushConfiguration
    /// `log.level`, `log.format`.
    public var log: LogConfiguration
    /// `limits.*`: sizes and rates.
    public var limits: RequestLimits
    /// `metrics.*`, `tracing.*` and `log.requests`.
    public var observability: ObservabilityConfiguration
    /// `egress.*`: where graph URLs and webhooks may lead (allow-list, loopback, plain HTTP, ports).
    public var egress: EgressPolicy
    /// `secrets.key`: base64 of 32 bytes that seal stored secrets (actor API keys).
    public var secretsKey: String?
    /// `auth.tokenPepper`: base64 of at least 32 bytes, the key of the stored token hashes.
    public var tokenPepper: String?
    /// `namespaces.default`: the namespace whose card the server root serves.
    public var defaultNamespace: NamespaceName?
    /// `shutdown.gracePeriodSeconds`: how long in-flight work may take after SIGTERM.
    public var shutdownGracePeriod: Duration
    /// `replica.name`: this replica's name in task leases and logs; unique per replica (the pod
    /// name, say). Default: the host name and a random suffix.
    public var replicaName: String?
    /// `runtime.executor`: which threads run the server's Swift tasks.
    public var executor: Executor
    /// `runtime.threads`: SwiftNIO's event loops (which also run the Swift tasks under the `nio`
    /// executor). `nil`: one per CPU this process may use (``ProcessorBudget``).
    public var threads: Int?
    /// How many namespace names found missing each replica remembers (``RecentlyMissingNames``),
    /// and for how long. Not configuration keys: the defaults bound the memory of a flood of
    /// made-up names; tests change them.
    public var missingNamespaceCapacity: Int
    public var missingNamespaceTimeToLive: Duration

    /// Which threads run Swift Concurrency's tasks in `cleveragents serve`.
    public enum Executor: String, Sendable, Hashable, CaseIterable {
        /// SwiftNIO's event loops run the tasks too, so a task resumed by I/O continues on the
        /// thread that did the I/O instead of waking another thread (fewer context switches).
        case nio
        /// Swift's default cooperative pool; NIO's event loops only do I/O.
        case system
    }

    /// - Parameter egress: `nil` for the defaults of `mode` (development also reaches loopback
    ///   and plain HTTP).
    public init(
        mode: Mode = .development,
        http: HTTPConfiguration = HTTPConfiguration(),
        database: DatabaseConfiguration,
        langGraph: LangGraphConfiguration = LangGraphConfiguration(),
        outbound: OutboundConfiguration = OutboundConfiguration(),
        tasks: TaskQueueConfiguration = TaskQueueConfiguration(),
        push: PushConfiguration = PushConfiguration(),
        log: LogConfiguration = LogConfiguration(),
        limits: RequestLimits = RequestLimits(),
        observability: ObservabilityConfiguration = ObservabilityConfiguration(),
        egress: EgressPolicy? = nil,
        secretsKey: String? = nil,
        tokenPepper: String? = nil,
        defaultNamespace: NamespaceName? = nil,
        shutdownGracePeriod: Duration = .seconds(30),
        replicaName: String? = nil,
        executor: Executor = .nio,
        threads: Int? = nil,
        missingNamespaceCapacity: Int = 10_000,
        missingNamespaceTimeToLive: Duration = .seconds(1)
    ) {
        self.mode = mode
        self.http = http
        self.database = database
        self.langGraph = langGraph
        self.outbound = outbound
        self.tasks = tasks
        self.push = push
        self.log = log
        self.limits = limits
        self.observability = observability
        self.egress = egress ?? .defaults(production: mode == .production)
        self.secretsKey = secretsKey
        self.tokenPepper = tokenPepper
        self.defaultNamespace = defaultNamespace
        self.shutdownGracePeriod = shutdownGracePeriod
        self.replicaName = replicaName
        self.executor = executor
        self.threads = threads
        self.missingNamespaceCapacity = missingNamespaceCapacity
        self.missingNamespaceTimeToLive = missingNamespaceTimeToLive
    }
}

/// A configuration value that cannot be used, naming its key.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var key: String
    public var reason: String

    public init(key: String, reason: String) {
        self.key = key
        self.reason = reason
    }

    public var description: String { "invalid configuration '\(key)': \(reason)" }
}
