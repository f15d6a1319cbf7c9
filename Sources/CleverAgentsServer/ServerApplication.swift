//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import AsyncHTTPClient
import CleverAgentsDomain
public import CleverAgentsHTTP
import CleverAgentsLangGraph
import CleverAgentsPush
public import CleverAgentsEgress
import HummingbirdCore
import HummingbirdTLS
import NIOSSL
public import CleverAgentsPostgres
public import CleverAgentsRuntime
import Foundation
public import Hummingbird
public import Logging
import NIOCore
public import PostgresNIO
import ServiceLifecycle
import Synchronization

/// The server's parts, wired together: what `cleveragents serve` runs and what tests start.
public struct ServerApplication: Sendable {
    public let configuration: ServerConfiguration
    public let postgres: PostgresClient
    public let store: PostgresStore
    /// The outbound client of graph runs and webhooks, under the egress policy.
    public let egressClient: EgressHTTPClient
    public let service: A2AService
    /// The entity sync methods (`_cleveragents/sync/*`).
    public let sync: SyncService
    public let worker: TaskWorker
    public let pushWorker: PushDeliveryWorker
    public let admin: AdminService
    public let authenticator: Authenticator
    /// The replica's LISTEN connection (``ClusterNotifications``).
    public let clusterListener: PostgresNotificationListener
    public let migrator: PostgresMigrator
    public let logger: Logger
    /// The metrics registry behind `/metrics`, and the tracer when tracing is on.
    public let observability: ServerObservability
    private let state: ReadinessState
    /// Logs the database's loss and return; `/readyz` names why it is unusable.
    let databaseWatch: DatabaseWatch
    private let tlsConfiguration: TLSConfiguration?
    private let serverBuilder: HTTPServerBuilder
    /// The connections the HTTP server has open (at most `http.maxConnections`).
    public let openConnections: OpenConnections

    /// The version reported in agent cards.
    public static let version = "0.1.0"

    /// Builds the parts; nothing runs until ``application(onServerRunning:)`` is run.
    public init(configuration: ServerConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        // Everything that can throw comes before the HTTP client, which must be shut down once made.
        let secrets = try AESGCMSecretBox(base64Key: configuration.secretsKey ?? ServerConfiguration.developmentSecretsKey)
        guard let pepper = Data(base64Encoded: configuration.tokenPepper ?? ServerConfiguration.developmentTokenPepper) else {
            throw ConfigurationError(key: "auth.tokenPepper", reason: "is not base64")
        }
        let tlsConfiguration = try Self.makeTLSConfiguration(configuration)
        self.tlsConfiguration = tlsConfiguration
        // The idle timeout and the request head deadline sit in the HTTP/1.1 channel, which TLS wraps.
        let http1 = configuration.http.connectionBounds.http1Configuration
        self.serverBuilder = try tlsConfiguration.map { try .tls(.http1(configuration: http1), tlsConfiguration: $0) } ?? .http1(configuration: http1)
        self.openConnections = OpenConnections()
        var postgresConfiguration = try configuration.database.url.clientConfiguration()
        postgresConfiguration.options.maximumConnections = configuration.database.poolSize
        postgresConfiguration.options.minimumConnections = configuration.database.minimumConnections
        // The pool schedules a timer whenever a connection goes idle (after every query) for each
        // of keep-alive and, above the minimum, idle time-out: both cost CPU on every query.
        postgresConfiguration.options.keepAliveBehavior =
            configuration.database.keepAlive == .zero ? nil : .init(frequency: configuration.database.keepAlive)
        self.observability = try ServerObservability(configuration: configuration.observability, version: Self.version, logger: logger)
        let metrics = observability.metrics
        metrics.recordDatabasePoolMaximum(configuration.database.poolSize)
        // The pool logs every failed connection attempt, several a second while PostgreSQL is
        // away: below debug that is the DatabaseWatch's job, once and then a summary a minute.
        var poolLogger = logger
        if poolLogger.logLevel > .debug { poolLogger.logLevel = max(poolLogger.logLevel, .warning) }
        self.postgres = PostgresClient(configuration: postgresConfiguration, backgroundLogger: poolLogger)
        self.store = PostgresStore(
            client: postgres,
            logger: logger,
            metrics: metrics,
            instanceID: Self.instanceID(replicaName: configuration.replicaName),
            queueGroup: configuration.tasks.queueGroup
        )
        self.migrator = PostgresMigrator(client: postgres, logger: logger)
        self.databaseWatch = DatabaseWatch(url: configuration.database.url, logger: logger) { [store] in await store.ping() }

        // One client for every outbound call a tenant aims (graph runs, webhooks): the egress
        // policy, connections to checked addresses only, no redirects, TLS 1.2 at least.
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.timeout = .init(
            connect: TimeAmount(configuration.outbound.connectTimeout),
            read: TimeAmount(configuration.outbound.readTimeout)
        )
        httpConfiguration.connectionPool = .init(idleTimeout: .seconds(60))
        // A refused connection fails at once: the callers retry with their own bounded backoff,
        // rather than the pool retrying until its connect timeout on every attempt.
        httpConfiguration.connectionPool.retryConnectionEstablishment = false
        self.egressClient = EgressHTTPClient(policy: configuration.egress, resolver: SystemHostResolver(), configuration: httpConfiguration)

        let ids = UUIDv7Generator()
        let directory = NamespaceDirectory(
            ports: NamespacePorts(namespaces: store, identities: store),
            actorSettings: NamespaceActor.Settings(rateLimits: configuration.limits.rates, streamLimits: configuration.limits.streams),
            missingNames: RecentlyMissingNames(capacity: configuration.missingNamespaceCapacity, timeToLive: configuration.missingNamespaceTimeToLive)
        )
        let executor = LangGraphExecutor(http: egressClient, ids: ids, configuration: configuration.langGraph, logger: logger)
        self.pushWorker = PushDeliveryWorker(
            outbox: store,
            configs: store,
            sender: HTTPPushSender(http: egressClient, timeout: configuration.push.timeout),
            secrets: secrets,
            configuration: .init(maximumAttempts: configuration.push.maximumAttempts),
            logger: logger,
            metrics: metrics
        )
        let bus = CompositeTaskEventBus([LocalTaskEventBus(directory: directory), pushWorker, TaskMetricsEventBus(metrics: metrics)])
        let runner = TaskRunner(
            store: store,
            executor: executor,
            bus: bus,
            ids: ids,
            clock: .system,
            logger: logger,
            metrics: metrics,
            limits: configuration.tasks.limits,
            gatherWindow: configuration.tasks.eventGatherWindow
        )
        self.worker = TaskWorker(
            runner: runner,
            directory: directory,
            queue: TaskWorker.QueueSettings(
                queue: store,
                jobs: TaskJobFactory(directory: directory, secrets: secrets),
                owner: store.instanceID,
                lease: configuration.tasks.lease,
                maximumRuns: configuration.tasks.maximumConcurrentRuns,
                defaultNamespaceLimit: configuration.tasks.maximumRunningPerNamespace,
                pollInterval: configuration.tasks.pollInterval
            )
        )
        self.service = A2AService(
            directory: directory,
            namespaces: store,
            tasks: store,
            pushConfigs: store,
            bus: bus,
            executor: executor,
            worker: worker,
            ids: ids,
            clock: .system,
            secrets: secrets,
            cards: AgentCardBuilder(
                publicBaseURL: configuration.http.publicBaseURL,
                serverVersion: Self.version,
                capabilities: AgentCapabilities(streaming: true, pushNotifications: true, extendedAgentCard: false)
            ),
            egress: configuration.egress,
            limits: ServiceLimits(
                maximumPageSize: configuration.limits.maximumPageSize,
                maximumParts: configuration.limits.maximumParts,
                maximumPushConfigsPerTask: configuration.push.maximumConfigsPerTask
            ),
            finishedTasks: FinishedTaskCache(capacityBytes: configuration.tasks.finishedCacheMegabytes << 20),
            logger: logger
        )
        self.authenticator = Authenticator(identities: store, pepper: Array(pepper))
        self.admin = AdminService(
            namespaces: store,
            identities: store,
            authenticator: authenticator,
            secrets: secrets,
            directory: directory,
            production: configuration.mode == .production,
            egress: configuration.egress,
            queue: store,
            logger: logger
        )
        // One LISTEN connection: revocations and role changes reach every replica's caches at
        // once, task events reach subscribers on any replica, released tasks are claimed at once.
        let notifications = ClusterNotifications(directory: directory, store: store, worker: worker, logger: logger)
        self.clusterListener = PostgresNotificationListener(
            client: postgres,
            channels: ClusterNotifications.channels,
            logger: logger,
            onReconnect: { await notifications.catchUp() }
        ) { channel, payload in
            await notifications.handle(channel: channel, payload: payload)
        }
        self.sync = SyncService(entities: store, namespaces: store, directory: directory, egress: configuration.egress)
        self.state = ReadinessState()
    }

    /// The Hummingbird application: the HTTP server plus the database pool, the LangGraph
    /// client and the task worker as services, shut down in reverse order.
    public func application(onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router(context: A2ARequestContext.self)
        observability.addTracing(to: router)
        let frontEnd = HTTPFrontEnd(
            service: service,
            admin: admin,
            authenticator: authenticator,
            configuration: HTTPFrontEndConfiguration(
                maximumBodySize: configuration.http.maximumBodySize,
                defaultNamespace: configuration.defaultNamespace,
                maximumJSONDepth: configuration.limits.maximumJSONDepth,
                production: configuration.mode == .production,
                transport: tlsConfiguration != nil ? .tls : (configuration.http.behindTLSProxy ? .tlsProxy : .plain),
                logRequests: configuration.observability.logRequests,
                clientRateLimit: configuration.limits.client
            ),
            sync: sync,
            readiness: { [state, store, migrator, databaseWatch] in
                await Self.readiness(state: state, store: store, migrator: migrator, watch: databaseWatch)
            },
            metrics: observability.metrics
        )
        frontEnd.addRoutes(to: router)
        if configuration.observability.metricsEnabled {
            observability.addMetricsRoute(to: router)
        }
        var app = Application(
            router: router,
            server: serverBuilder,
            configuration: .init(
                address: .hostname(configuration.http.host, port: configuration.http.port),
                serverName: "cleveragents",
                availableConnectionsDelegate: ConnectionLimit(maximum: configuration.http.connectionBounds.maximumConnections, open: openConnections)
            ),
            onServerRunning: { channel in
                // One accept per read, so that the connection cap is asked before every accept.
                try? await channel.setOption(ChannelOptions.maxMessagesPerRead, value: 1)
                await onServerRunning(channel)
            },
            logger: logger
        )
        // The span exporter comes first, so it stops last and flushes the spans of the others.
        if let tracingService = observability.tracingService { app.addServices(tracingService) }
        app.addServices(
            postgres, databaseWatch, EgressClientService(client: egressClient), clusterListener, worker, pushWorker,
            NamespaceEvictionService(directory: service.directory), ShutdownFlagService(state: state)
        )
        app.beforeServerStarts { [configuration, migrator, logger] in
            if configuration.database.migrateOnStart {
                let applied = try await migrator.migrate()
                if !applied.isEmpty { logger.info("Database migrated", metadata: ["versions": "\(applied)"]) }
            }
        }
        return app
    }

    /// The server's TLS settings from the certificate and key files (TLS 1.2 at least).
    static func makeTLSConfiguration(_ configuration: ServerConfiguration) throws -> TLSConfiguration? {
        guard let certificatePath = configuration.http.tlsCertificatePath, let keyPath = configuration.http.tlsKeyPath else { return nil }
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw ConfigurationError(key: "tls.certificatePath", reason: "'\(certificatePath)' is not a PEM certificate chain: \(error)")
        }
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw ConfigurationError(key: "tls.keyPath", reason: "'\(keyPath)' is not a PEM private key: \(error)")
        }
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        return tls
    }

    static func readiness(state: ReadinessState, store: PostgresStore, migrator: PostgresMigrator, watch: DatabaseWatch) async -> Readiness {
        if state.isShuttingDown { return Readiness(problems: ["shutting down"]) }
        guard await store.ping() else {
            // The reason without the address: anyone may read /readyz.
            return Readiness(problems: ["database unreachable" + (watch.problem.map { ": \($0.reason)" } ?? "")])
        }
        if !state.schemaIsCurrent {
            guard (try? await migrator.isCurrent()) == true else { return Readiness(problems: ["database schema is not current"]) }
            state.schemaIsCurrent = true
        }
        return Readiness(problems: [])
    }
}

/// What `/readyz` remembers between calls.
final class ReadinessState: Sendable {
    private let flags = Mutex((shuttingDown: false, schemaCurrent: false))

    var isShuttingDown: Bool {
        get { flags.withLock { $0.shuttingDown } }
        set { flags.withLock { $0.shuttingDown = newValue } }
    }

    var schemaIsCurrent: Bool {
        get { flags.withLock { $0.schemaCurrent } }
        set { flags.withLock { $0.schemaCurrent = newValue } }
    }
}

/// Turns `/readyz` to 503 as soon as graceful shutdown begins, so load balancers stop routing.
struct ShutdownFlagService: Service {
    let state: ReadinessState

    func run() async throws {
        try? await gracefulShutdown()
        state.isShuttingDown = true
    }
}

extension ServerApplication {
    /// This process's name in task leases (`tasks.lease_owner`) and in its notifications: the
    /// replica's name and 8 random hex digits of this process.
    ///
    /// A replica's name outlives its process: the Helm chart names a replica after its pod, and a
    /// container killed in its pod starts again under the same name. Were the name the lease
    /// owner, the new process would renew its predecessor's leases with its own, and the tasks
    /// its predecessor was running would wait, run by nobody, for as long as the new process ran
    /// anything. With the suffix they are another owner's, and another replica (or this one)
    /// claims them once their leases expire.
    static func instanceID(replicaName: String?) -> String {
        let incarnation = UUID().uuidString.prefix(8).lowercased()
        return "\(replicaName ?? ProcessInfo.processInfo.hostName)-\(incarnation)"
    }
}
