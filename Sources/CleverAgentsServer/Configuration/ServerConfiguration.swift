//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsDomain
public import CleverAgentsPostgres

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
    /// `database.url`: where PostgreSQL is.
    public var databaseURL: DatabaseURL
    /// `database.poolSize`: connections in the pool.
    public var databasePoolSize: Int
    /// `database.migrateOnStart`: apply pending migrations before serving.
    public var migrateOnStart: Bool
    /// `namespaces.default`: the namespace whose card the server root serves.
    public var defaultNamespace: NamespaceName?
    /// `secrets.key`: base64 of 32 bytes that seal stored secrets (actor API keys).
    public var secretsKey: String?
    /// `langgraph.runTimeoutSeconds`: longest run, unless an actor sets its own.
    public var runTimeoutSeconds: Int
    /// `langgraph.requestTimeoutSeconds`: timeout of short LangGraph calls.
    public var langGraphRequestTimeoutSeconds: Int
    /// `langgraph.maxAttempts`: attempts of a retriable LangGraph call.
    public var langGraphMaximumAttempts: Int
    /// `log.level`: trace, debug, info, notice, warning, error or critical.
    public var logLevel: String
    /// `log.format`: `json` (one object per line) or `text`.
    public var logFormat: String
    /// `shutdown.gracePeriodSeconds`: how long in-flight work may take after SIGTERM.
    public var shutdownGracePeriodSeconds: Int
    /// `push.allowList`: webhook hosts and CIDR ranges allowed although private or loopback.
    public var pushAllowList: [String]
    /// `push.allowPlainHttp`: accept `http://` webhooks (default: only in development mode).
    public var pushAllowPlainHTTP: Bool
    /// `push.timeoutSeconds`: timeout of one webhook delivery attempt.
    public var pushTimeoutSeconds: Int
    /// `push.maxAttempts`: attempts before a notification is given up.
    public var pushMaximumAttempts: Int
    /// `metrics.*`, `tracing.*` and `log.requests`.
    public var observability: ObservabilityConfiguration

    public init(
        mode: Mode = .development,
        host: String = "127.0.0.1",
        port: Int = 8080,
        publicBaseURL: String? = nil,
        maximumBodySize: Int = 1 << 20,
        databaseURL: DatabaseURL,
        databasePoolSize: Int = 20,
        migrateOnStart: Bool = true,
        defaultNamespace: NamespaceName? = nil,
        secretsKey: String? = nil,
        runTimeoutSeconds: Int = 3600,
        langGraphRequestTimeoutSeconds: Int = 30,
        langGraphMaximumAttempts: Int = 4,
        logLevel: String = "info",
        logFormat: String = "text",
        shutdownGracePeriodSeconds: Int = 30,
        pushAllowList: [String] = [],
        pushAllowPlainHTTP: Bool? = nil,
        pushTimeoutSeconds: Int = 10,
        pushMaximumAttempts: Int = 12,
        observability: ObservabilityConfiguration = ObservabilityConfiguration()
    ) {
        self.mode = mode
        self.host = host
        self.port = port
        self.publicBaseURL = publicBaseURL
        self.maximumBodySize = maximumBodySize
        self.databaseURL = databaseURL
        self.databasePoolSize = databasePoolSize
        self.migrateOnStart = migrateOnStart
        self.defaultNamespace = defaultNamespace
        self.secretsKey = secretsKey
        self.runTimeoutSeconds = runTimeoutSeconds
        self.langGraphRequestTimeoutSeconds = langGraphRequestTimeoutSeconds
        self.langGraphMaximumAttempts = langGraphMaximumAttempts
        self.logLevel = logLevel
        self.logFormat = logFormat
        self.shutdownGracePeriodSeconds = shutdownGracePeriodSeconds
        self.pushAllowList = pushAllowList
        self.pushAllowPlainHTTP = pushAllowPlainHTTP ?? (mode == .development)
        self.pushTimeoutSeconds = pushTimeoutSeconds
        self.pushMaximumAttempts = pushMaximumAttempts
        self.observability = observability
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
