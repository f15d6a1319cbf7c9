//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsDomain
public import CleverAgentsHTTP
public import CleverAgentsLangGraph
public import CleverAgentsPostgres
public import CleverAgentsRuntime
public import Logging

/// Everything the server is configured with, validated.
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

    public var mode: Mode
    /// `http.host`: the address to bind.
    public var host: String
    /// `http.port`: the port to bind; 0 picks a free one.
    public var port: Int
    /// `http.publicBaseUrl`: the URL clients reach the server at, used in agent cards.
    public var publicBaseURL: String?
    /// `http.maxBodyBytes`: the largest accepted request body.
    public var maximumBodySize: Int
    /// `http.idleTimeoutSeconds`, `http.headerTimeoutSeconds`, `http.maxConnections`: what one
    /// client may hold of the server's connections.
    public var connectionBounds: HTTPConnectionBounds
    /// `database.url`: where PostgreSQL is.
    public var databaseURL: DatabaseURL
    /// `database.poolSize`: connections in the pool.
    public var databasePoolSize: Int
    /// `database.minConnections`: connections kept open while idle (at most the pool size).
    public var databaseMinimumConnections: Int
    /// `database.keepAliveSeconds`: how often an idle pooled connection is checked; 0 never.
    public var databaseKeepAlive: Duration
    /// `database.migrateOnStart`: apply pending migrations before serving.
    public var migrateOnStart: Bool
    /// `namespaces.default`: the namespace whose card the server root serves.
    public var defaultNamespace: NamespaceName?
    /// `secrets.key`: base64 of 32 bytes that seal stored secrets (actor API keys).
    public var secretsKey: String?
    /// `langgraph.runTimeoutSeconds`: longest run, unless an actor sets its own.
    public var runTimeout: Duration
    /// `langgraph.requestTimeoutSeconds`: timeout of short LangGraph calls.
    public var langGraphRequestTimeout: Duration
    /// `langgraph.maxAttempts`: attempts of a retriable LangGraph call.
    public var langGraphMaximumAttempts: Int
    /// `log.level`: trace, debug, info, notice, warning, error or critical.
    public var logLevel: Logger.Level
    /// `log.format`: `json` (one object per line) or `text`.
    public var logFormat: LogFormat
    /// `shutdown.gracePeriodSeconds`: how long in-flight work may take after SIGTERM.
    public var shutdownGracePeriod: Duration
    /// `egress.*`: where graph URLs and webhooks may lead (allow-list, loopback, plain HTTP, ports).
    public var egress: EgressPolicy
    /// `push.timeoutSeconds`: timeout of one webhook delivery attempt.
    public var pushTimeout: Duration
    /// `push.maxAttempts`: attempts before a notification is given up.
    public var pushMaximumAttempts: Int
    /// `push.maxConfigsPerTask`: push notification configs one task may have.
    public var pushMaximumConfigsPerTask: Int
    /// `auth.tokenPepper`: base64 of at least 32 bytes, the key of the stored token hashes.
    public var tokenPepper: String?
    /// `tls.certificatePath`: PEM certificate chain; with `tls.keyPath`, the server speaks HTTPS.
    public var tlsCertificatePath: String?
    /// `tls.keyPath`: PEM private key.
    public var tlsKeyPath: String?
    /// `http.behindTlsProxy`: a TLS-terminating proxy is in front; requests must say `X-Forwarded-Proto: https`.
    public var behindTLSProxy: Bool
    /// `limits.maxJsonDepth`: deepest nesting of objects and arrays in a request.
    public var maximumJSONDepth: Int
    /// `limits.maxParts`: parts in one message.
    public var maximumParts: Int
    /// `limits.maxPageSize`: the largest page of `ListTasks` and config lists.
    public var maximumPageSize: Int
    /// `limits.namespaceRequestsPerSecond` / `limits.namespaceBurst`, `limits.tokenRequestsPerSecond` /
    /// `limits.tokenBurst`: rate limits per replica.
    public var rateLimits: RateLimits
    /// `limits.maxStreamsPerPrincipal`, `limits.maxStreamsPerNamespace`: open streams on one replica.
    public var streamLimits: StreamLimits
    /// `limits.clientRequestsPerSecond`, `limits.clientBurst`: requests per client address before
    /// any namespace lookup or authentication; `nil` for none.
    public var clientRateLimit: ClientRateLimit?
    /// `langgraph.connectTimeoutSeconds`: connect timeout of the outbound HTTP client (LangGraph
    /// and webhooks share its pool).
    public var langGraphConnectTimeout: Duration
    /// `langgraph.readTimeoutSeconds`: longest silence on an outbound connection.
    public var langGraphReadTimeout: Duration
    /// `langgraph.maxRejoins`: re-joins in a row of a run stream that breaks.
    public var langGraphMaximumRejoins: Int
    /// `langgraph.maxProgressUpdates`: progress status updates sent per run at most.
    public var langGraphMaximumProgressUpdates: Int
    /// `langgraph.streamModes`: stream modes of actors that name none.
    public var langGraphStreamModes: [String]
    /// `langgraph.maxEventBytes`: the largest event (and line) of a run stream; a larger one stops the run.
    public var langGraphMaximumEventBytes: Int
    /// `langgraph.maxEventsPerRun`: events one run may send; more stop the run.
    public var langGraphMaximumEventsPerRun: Int
    /// `langgraph.maxResponseBytes`: the largest JSON answer of a graph server (run, thread, state).
    public var langGraphMaximumResponseBytes: Int
    /// `tasks.leaseSeconds`: how long a replica holds a task without renewing its lease; after a
    /// replica dies, its tasks move on after at most this long.
    public var taskLease: Duration
    /// `tasks.maxConcurrentRuns`: graph runs at once on one replica.
    public var maximumConcurrentRuns: Int
    /// `tasks.maxRunningPerNamespace`: running tasks of one namespace across all replicas, unless
    /// the namespace sets its own cap.
    public var maximumRunningTasksPerNamespace: Int
    /// `tasks.pollIntervalMs`: how often a replica looks at the queue without being told to.
    public var queuePollInterval: Duration
    /// `tasks.eventGatherMs`: how long a run's events wait for more before they are written,
    /// while other runs are active on the replica; 0 writes each batch at once.
    public var eventGatherWindow: Duration
    /// `tasks.queueGroup`: replicas that share a task queue; tasks accepted by a replica are run
    /// by replicas of its group only.
    public var taskQueueGroup: String
    /// `tasks.finishedCacheMb`: memory for finished tasks kept for `GetTask`; 0 keeps none.
    public var finishedTaskCacheMegabytes: Int
    /// `tasks.maxArtifactBytes`, `tasks.maxHistoryMessages`, `tasks.maxHistoryBytes`: how large a
    /// task may grow from what its graph sends.
    public var taskLimits: TaskLimits
    /// `replica.name`: this replica's name in task leases and logs; unique per replica (the pod
    /// name, say). Default: the host name and a random suffix.
    public var replicaName: String?
    /// `metrics.*`, `tracing.*` and `log.requests`.
    public var observability: ObservabilityConfiguration
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

    /// How log records are written.
    public enum LogFormat: String, Sendable, Hashable, CaseIterable {
        /// One JSON object per line, for log pipelines.
        case json
        /// One line of text per record, for people.
        case text
    }

    /// Which threads run Swift Concurrency's tasks in `cleveragents serve`.
    public enum Executor: String, Sendable, Hashable, CaseIterable {
        /// SwiftNIO's event loops run the tasks too, so a task resumed by I/O continues on the
        /// thread that did the I/O instead of waking another thread (fewer context switches).
        case nio
        /// Swift's default cooperative pool; NIO's event loops only do I/O.
        case system
    }

    public init(
        mode: Mode = .development,
        host: String = "127.0.0.1",
        port: Int = 8080,
        publicBaseURL: String? = nil,
        maximumBodySize: Int = 1 << 20,
        connectionBounds: HTTPConnectionBounds = HTTPConnectionBounds(),
        databaseURL: DatabaseURL,
        databasePoolSize: Int = 20,
        databaseMinimumConnections: Int = 2,
        databaseKeepAlive: Duration = .seconds(30),
        migrateOnStart: Bool = true,
        defaultNamespace: NamespaceName? = nil,
        secretsKey: String? = nil,
        runTimeout: Duration = .seconds(3600),
        langGraphRequestTimeout: Duration = .seconds(30),
        langGraphMaximumAttempts: Int = 4,
        logLevel: Logger.Level = .info,
        logFormat: LogFormat = .text,
        shutdownGracePeriod: Duration = .seconds(30),
        egress: EgressPolicy? = nil,
        pushTimeout: Duration = .seconds(10),
        pushMaximumAttempts: Int = 12,
        pushMaximumConfigsPerTask: Int = 10,
        tokenPepper: String? = nil,
        tlsCertificatePath: String? = nil,
        tlsKeyPath: String? = nil,
        behindTLSProxy: Bool = false,
        maximumJSONDepth: Int = 32,
        maximumParts: Int = 64,
        maximumPageSize: Int = 100,
        rateLimits: RateLimits = RateLimits(),
        streamLimits: StreamLimits = StreamLimits(),
        clientRateLimit: ClientRateLimit? = nil,
        langGraphConnectTimeout: Duration = .seconds(5),
        langGraphReadTimeout: Duration = .seconds(60),
        langGraphMaximumRejoins: Int = 5,
        langGraphMaximumProgressUpdates: Int = 100,
        langGraphStreamModes: [String] = LangGraphConfiguration.standardStreamModes,
        langGraphMaximumEventBytes: Int = 8 << 20,
        langGraphMaximumEventsPerRun: Int = 100_000,
        langGraphMaximumResponseBytes: Int = 16 << 20,
        taskLease: Duration = .seconds(15),
        maximumConcurrentRuns: Int = 256,
        maximumRunningTasksPerNamespace: Int = 32,
        queuePollInterval: Duration = .milliseconds(1000),
        eventGatherWindow: Duration = .milliseconds(5),
        taskQueueGroup: String = "",
        finishedTaskCacheMegabytes: Int = 32,
        taskLimits: TaskLimits = TaskLimits(),
        replicaName: String? = nil,
        observability: ObservabilityConfiguration = ObservabilityConfiguration(),
        executor: Executor = .nio,
        threads: Int? = nil,
        missingNamespaceCapacity: Int = 10_000,
        missingNamespaceTimeToLive: Duration = .seconds(1)
    ) {
        self.mode = mode
        self.host = host
        self.port = port
        self.publicBaseURL = publicBaseURL
        self.maximumBodySize = maximumBodySize
        self.connectionBounds = connectionBounds
        self.databaseURL = databaseURL
        self.databasePoolSize = databasePoolSize
        self.databaseMinimumConnections = min(databaseMinimumConnections, databasePoolSize)
        self.databaseKeepAlive = databaseKeepAlive
        self.migrateOnStart = migrateOnStart
        self.defaultNamespace = defaultNamespace
        self.secretsKey = secretsKey
        self.runTimeout = runTimeout
        self.langGraphRequestTimeout = langGraphRequestTimeout
        self.langGraphMaximumAttempts = langGraphMaximumAttempts
        self.logLevel = logLevel
        self.logFormat = logFormat
        self.shutdownGracePeriod = shutdownGracePeriod
        self.egress = egress ?? .defaults(production: mode == .production)
        self.pushTimeout = pushTimeout
        self.pushMaximumAttempts = pushMaximumAttempts
        self.pushMaximumConfigsPerTask = pushMaximumConfigsPerTask
        self.tokenPepper = tokenPepper
        self.tlsCertificatePath = tlsCertificatePath
        self.tlsKeyPath = tlsKeyPath
        self.behindTLSProxy = behindTLSProxy
        self.maximumJSONDepth = maximumJSONDepth
        self.maximumParts = maximumParts
        self.maximumPageSize = maximumPageSize
        self.rateLimits = rateLimits
        self.streamLimits = streamLimits
        self.clientRateLimit = clientRateLimit
        self.langGraphConnectTimeout = langGraphConnectTimeout
        self.langGraphReadTimeout = langGraphReadTimeout
        self.langGraphMaximumRejoins = langGraphMaximumRejoins
        self.langGraphMaximumProgressUpdates = langGraphMaximumProgressUpdates
        self.langGraphStreamModes = langGraphStreamModes
        self.langGraphMaximumEventBytes = langGraphMaximumEventBytes
        self.langGraphMaximumEventsPerRun = langGraphMaximumEventsPerRun
        self.langGraphMaximumResponseBytes = langGraphMaximumResponseBytes
        self.taskLease = taskLease
        self.maximumConcurrentRuns = maximumConcurrentRuns
        self.maximumRunningTasksPerNamespace = maximumRunningTasksPerNamespace
        self.queuePollInterval = queuePollInterval
        self.eventGatherWindow = eventGatherWindow
        self.taskQueueGroup = taskQueueGroup
        self.finishedTaskCacheMegabytes = finishedTaskCacheMegabytes
        self.taskLimits = taskLimits
        self.replicaName = replicaName
        self.observability = observability
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
