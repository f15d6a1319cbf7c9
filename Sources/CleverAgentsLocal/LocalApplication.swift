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
public import CleverAgentsRuntime
public import CleverAgentsEgress
import CleverAgentsLangGraph
import CleverAgentsPush
public import CleverAgentsSQLite
public import CleverAgentsStdio
import Dispatch
import Foundation
public import Logging
import NIOCore
public import ServiceLifecycle
public import UnixSignals

/// Local mode, wired: the same application layer as the server, on an SQLite store, served over
/// stdin/stdout, running tasks on the configured LangGraph deployment.
public struct LocalApplication: Sendable {
    public let configuration: LocalConfiguration
    public let store: SQLiteStore
    /// The outbound client of graph runs and webhooks, under ``egressPolicy``.
    public let egressClient: EgressHTTPClient
    public let service: A2AService
    public let sync: SyncService
    /// Administration of the local namespace (actors, tokens, roles, teams, audit) for its owner.
    public let admin: AdminService
    public let worker: TaskWorker
    public let pushWorker: PushDeliveryWorker
    public let logger: Logger

    /// Where local mode's graph URLs and webhooks may lead: it serves one user on their own
    /// machine, so loopback, plain HTTP and private networks (a graph server on the LAN) are
    /// reachable; link-local and metadata addresses are not.
    public static let egressPolicy = EgressPolicy(
        allowList: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
        allowLoopback: true,
        allowPlainHTTP: true
    )

    /// The version reported in the local agent card.
    public static let version = "0.1.0"

    /// Opens the store, makes sure the local namespace exists, and applies the actor settings.
    public static func make(configuration: LocalConfiguration, logger: Logger) async throws -> LocalApplication {
        let secrets = try AESGCMSecretBox(base64Key: try await LocalSecrets.key(configuration: configuration))
        let store = try await SQLiteStore.open(path: configuration.storePath, logger: logger)
        try await bootstrap(store: store, configuration: configuration, secrets: secrets)
        return LocalApplication(configuration: configuration, store: store, secrets: secrets, logger: logger)
    }

    private init(configuration: LocalConfiguration, store: SQLiteStore, secrets: AESGCMSecretBox, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        self.egressClient = EgressHTTPClient(policy: Self.egressPolicy, resolver: SystemHostResolver(), configuration: httpConfiguration)
        let ids = UUIDv7Generator()
        let directory = NamespaceDirectory(ports: NamespacePorts(namespaces: store, identities: store))
        let executor = LangGraphExecutor(
            http: egressClient,
            ids: ids,
            configuration: LangGraphConfiguration(runTimeout: .seconds(configuration.runTimeoutSeconds)),
            logger: logger
        )
        self.pushWorker = PushDeliveryWorker(
            outbox: store,
            configs: store,
            sender: HTTPPushSender(http: egressClient),
            secrets: secrets,
            logger: logger
        )
        let bus = CompositeTaskEventBus([LocalTaskEventBus(directory: directory), pushWorker])
        self.worker = TaskWorker(runner: TaskRunner(store: store, executor: executor, bus: bus, ids: ids, clock: .system, logger: logger), directory: directory)
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
                publicBaseURL: "stdio://local",
                serverVersion: Self.version,
                capabilities: AgentCapabilities(streaming: true, pushNotifications: true, extendedAgentCard: false)
            ),
            egress: Self.egressPolicy,
            logger: logger
        )
        self.sync = SyncService(entities: store, namespaces: store, directory: directory, egress: Self.egressPolicy)
        self.admin = AdminService(
            namespaces: store,
            identities: store,
            authenticator: Authenticator(identities: store, pepper: secrets.derivedKey(for: Self.tokenPepperPurpose)),
            secrets: secrets,
            directory: directory,
            production: false,
            egress: Self.egressPolicy,
            logger: logger
        )
    }

    /// What the token pepper is derived for from the secrets key: local mode has one secret.
    static let tokenPepperPurpose = "cleveragents local token pepper"

    /// Opens a local store for direct use (`cleveragents sync`), creating its namespace if needed.
    public static func openStore(path: String, logger: Logger) async throws -> SQLiteStore {
        let configuration = LocalConfiguration(storePath: path)
        let secrets = try AESGCMSecretBox(base64Key: try await LocalSecrets.key(configuration: configuration))
        let store = try await SQLiteStore.open(path: path, logger: logger)
        try await bootstrap(store: store, configuration: configuration, secrets: secrets)
        return store
    }

    /// Creates the local namespace on first use and (re)configures the default actor when asked.
    static func bootstrap(store: SQLiteStore, configuration: LocalConfiguration, secrets: AESGCMSecretBox) async throws {
        let namespace = LocalConfiguration.namespace
        if try await store.namespace(named: namespace) == nil {
            do {
                try await store.createNamespace(
                    Namespace(name: namespace, displayName: "Local", description: "Local mode", authMode: .disabled, createdAt: .now)
                )
            } catch StoreError.alreadyExists {
                // Another process created it first.
            }
        }
        guard let graphURL = configuration.graphURL, let assistantID = configuration.assistantID else {
            if configuration.graphURL != nil || configuration.assistantID != nil {
                throw LocalConfigurationError("--graph-url/--assistant", "give both, or neither")
            }
            return
        }
        guard let url = URL(string: graphURL), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw LocalConfigurationError("--graph-url", "'\(graphURL)' is not an http(s) URL")
        }
        guard ActorDefinition.isValidName(configuration.actorName) else {
            throw LocalConfigurationError("--actor", "'\(configuration.actorName)' is not a valid name: \(NamespaceName.rule)")
        }
        let existing = try await store.actors(in: namespace).first { $0.name == configuration.actorName }
        var actor = existing ?? ActorDefinition(name: configuration.actorName, graphURL: graphURL, assistantID: assistantID)
        // A key stays with the URL it was given for.
        if actor.graphURL != graphURL { actor.apiKey = nil }
        actor.graphURL = graphURL
        actor.assistantID = assistantID
        actor.isDefault = true
        if let apiKey = configuration.apiKey {
            try actor.sealAPIKey(apiKey, in: namespace, with: secrets)
        }
        actor.updatedAt = nil
        var unchanged = existing
        unchanged?.updatedAt = nil
        if unchanged != actor {
            try await store.putActor(actor, in: namespace)
        }
    }

    /// The services to run, dependencies first: the HTTP client, the task and push workers, then
    /// the stdio server. When the server returns (end of input) the group shuts down gracefully,
    /// so tasks still running finish (within the grace period).
    public func serviceGroup(input: any StdioInput, output: any StdioOutput, signals: [UnixSignal] = [.sigterm, .sigint]) -> ServiceGroup {
        let server = StdioServer(
            service: service,
            sync: sync,
            admin: admin,
            namespace: LocalConfiguration.namespace,
            caller: LocalConfiguration.caller,
            input: input,
            output: output,
            maximumMessageBytes: configuration.maximumMessageBytes,
            logger: logger
        )
        var groupConfiguration = ServiceGroupConfiguration(
            services: [
                .init(service: EgressClientService(client: egressClient)),
                .init(service: worker),
                .init(service: pushWorker),
                .init(service: server, successTerminationBehavior: .gracefullyShutdownGroup),
            ],
            gracefulShutdownSignals: signals,
            logger: logger
        )
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(configuration.shutdownGracePeriodSeconds)
        return ServiceGroup(configuration: groupConfiguration)
    }
}

/// The key sealing secrets in a local store.
enum LocalSecrets {
    /// The configured key, else the key file next to the store (created on first use, mode 0600).
    /// The file is read on a Dispatch thread, off the cooperative ones.
    static func key(configuration: LocalConfiguration) async throws -> String {
        if let key = configuration.secretsKey, !key.isEmpty { return key }
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try keyFile(storePath: configuration.storePath) })
            }
        }
    }

    private static func keyFile(storePath: String) throws -> String {
        let path = storePath + ".key"
        let fileManager = FileManager.default
        if let data = fileManager.contents(atPath: path) {
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        try fileManager.createDirectory(
            at: URL(fileURLWithPath: path).deletingLastPathComponent(),
            withIntermediateDirectories: true
        )
        var generator = SystemRandomNumberGenerator()
        let key = Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
        guard fileManager.createFile(atPath: path, contents: Data((key + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw LocalConfigurationError("secrets key file", "cannot create \(path)")
        }
        return key
    }
}
