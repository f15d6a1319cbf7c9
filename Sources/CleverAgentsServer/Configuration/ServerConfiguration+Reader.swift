//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Configuration
import CleverAgentsDomain
import CleverAgentsHTTP
import CleverAgentsLangGraph
import CleverAgentsPostgres
import CleverAgentsRuntime
import Foundation
import Logging
import SystemPackage

extension ServerConfiguration {
    /// The development key that seals secrets when none is configured. Production refuses it.
    /// The development key, for tools that seal secrets outside the server (`admin actor put`).
    public static var developmentSecretsKeyForTools: String { developmentSecretsKey }

    /// The development token pepper, for tools that make tokens outside the server (`admin token create`).
    public static var developmentTokenPepperForTools: String { developmentTokenPepper }

    /// The development token pepper, used when none is configured. Production refuses it.
    static let developmentTokenPepper = "Y2xldmVyYWdlbnRzLWRldmVsb3BtZW50LXRva2VuLXBlcHBlciEhIQ=="

    static let developmentSecretsKey = "Y2xldmVyYWdlbnRzLWRldi1vbmx5LXNlY3JldC1rZXk="

    /// What the configuration is read for.
    public enum Use: Sendable, Hashable {
        /// `cleveragents serve`: every rule applies.
        case serving
        /// The admin commands: the same keys, secrets and database rules, but not the rules of
        /// serving HTTP (TLS, the public URL), since they serve nothing.
        case administering
    }

    /// Reads and validates the configuration; the error names the first bad key.
    public init(reader: ConfigReader, use: Use = .serving) throws(ConfigurationError) {
        let values = ConfigValues(reader: reader)
        let mode = try values.enumeration("mode", Mode.self) ?? .development
        let host = try values.string("http.host") ?? "127.0.0.1"
        let port = try values.integer("http.port", in: 0...65535) ?? 8080
        var publicBaseURL = try values.string("http.publicBaseUrl")
        if let url = publicBaseURL {
            guard let components = URLComponents(string: url), ["http", "https"].contains(components.scheme ?? ""), components.host != nil else {
                throw ConfigurationError(key: "http.publicBaseUrl", reason: "'\(url)' is not an http(s) URL")
            }
            while publicBaseURL?.hasSuffix("/") == true { publicBaseURL?.removeLast() }
        }
        let maximumBodySize = try values.integer("http.maxBodyBytes", in: 1024...(64 << 20)) ?? (1 << 20)
        let connectionBounds = HTTPConnectionBounds(
            idleTimeoutSeconds: try values.integer("http.idleTimeoutSeconds", in: 1...86_400) ?? 75,
            headerTimeoutSeconds: try values.integer("http.headerTimeoutSeconds", in: 1...300) ?? 10,
            maximumConnections: try values.integer("http.maxConnections", in: 1...1_000_000) ?? 10_000
        )
        guard let rawURL = try values.string("database.url") else {
            throw ConfigurationError(key: "database.url", reason: "is required (set DATABASE_URL, CLEVERAGENTS_DATABASE_URL or --database-url)")
        }
        let databaseURL: DatabaseURL
        do {
            databaseURL = try DatabaseURL(rawURL)
        } catch {
            throw ConfigurationError(key: "database.url", reason: error.reason)
        }
        let poolSize = try values.integer("database.poolSize", in: 1...500) ?? 20
        let migrateOnStart = try values.boolean("database.migrateOnStart") ?? true
        var defaultNamespace: NamespaceName?
        if let name = try values.string("namespaces.default") {
            guard let valid = NamespaceName(name) else {
                throw ConfigurationError(key: "namespaces.default", reason: "'\(name)' is not a namespace name (\(NamespaceName.rule))")
            }
            defaultNamespace = valid
        }
        let secretsKey = try values.string("secrets.key")
        if let secretsKey, Data(base64Encoded: secretsKey)?.count != 32 {
            throw ConfigurationError(key: "secrets.key", reason: "must be 32 random bytes in base64 (openssl rand -base64 32)")
        }
        if mode == .production, secretsKey == nil || secretsKey == Self.developmentSecretsKey {
            throw ConfigurationError(key: "secrets.key", reason: "is required in production mode")
        }
        let logLevel = try values.enumeration("log.level", Logger.Level.self) ?? .info
        let logFormat = try values.enumeration("log.format", LogFormat.self) ?? (mode == .production ? .json : .text)
        let executorName = try values.string("runtime.executor") ?? Executor.nio.rawValue
        guard let executor = Executor(rawValue: executorName) else {
            throw ConfigurationError(key: "runtime.executor", reason: "'\(executorName)' is not nio or system")
        }
        let tokenPepper = try values.string("auth.tokenPepper")
        if let tokenPepper, (Data(base64Encoded: tokenPepper)?.count ?? 0) < 32 {
            throw ConfigurationError(key: "auth.tokenPepper", reason: "must be at least 32 random bytes in base64 (openssl rand -base64 32)")
        }
        if mode == .production, tokenPepper == nil || tokenPepper == Self.developmentTokenPepper {
            throw ConfigurationError(key: "auth.tokenPepper", reason: "is required in production mode")
        }
        let certificate = try values.string("tls.certificatePath")
        let key = try values.string("tls.keyPath")
        if (certificate == nil) != (key == nil) {
            throw ConfigurationError(key: certificate == nil ? "tls.certificatePath" : "tls.keyPath", reason: "tls.certificatePath and tls.keyPath go together")
        }
        for (path, name) in [(certificate, "tls.certificatePath"), (key, "tls.keyPath")] {
            if let path, !FileManager.default.isReadableFile(atPath: path) {
                throw ConfigurationError(key: name, reason: "cannot read '\(path)'")
            }
        }
        let behindProxy = try values.boolean("http.behindTlsProxy") ?? false
        if certificate != nil && behindProxy {
            throw ConfigurationError(key: "http.behindTlsProxy", reason: "cannot be set when the server terminates TLS itself (tls.certificatePath)")
        }
        if mode == .production, use == .serving, certificate == nil, !behindProxy {
            throw ConfigurationError(
                key: "tls.certificatePath",
                reason: "production mode refuses plain HTTP: set tls.certificatePath and tls.keyPath, or http.behindTlsProxy when a TLS proxy is in front"
            )
        }
        if mode == .production, use == .serving {
            // Agent cards name the server's URL: without a configured one they would repeat
            // whatever Host a request claims, and caches would keep it.
            guard let publicBaseURL else {
                throw ConfigurationError(key: "http.publicBaseUrl", reason: "is required in production mode (the https URL clients reach the server at)")
            }
            guard publicBaseURL.lowercased().hasPrefix("https://") else {
                throw ConfigurationError(key: "http.publicBaseUrl", reason: "must be an https URL in production mode")
            }
        }
        let allowUnverifiedDatabaseTLS = try values.boolean("database.allowUnverifiedTls") ?? false
        if mode == .production, databaseURL.unixSocketDirectory == nil, databaseURL.tlsPolicy.verification != .full, !allowUnverifiedDatabaseTLS {
            throw ConfigurationError(
                key: "database.url",
                reason: "production mode needs a verified TLS connection to PostgreSQL: add sslmode=verify-full (and sslrootcert= for a private CA), "
                    + "or set database.allowUnverifiedTls where the network to the database is trusted"
            )
        }
        func rate(_ key: String) throws(ConfigurationError) -> Double? {
            guard let text = try values.string(key) else { return nil }
            guard let value = Double(text), value > 0 else { throw ConfigurationError(key: key, reason: "'\(text)' is not a positive number") }
            return value
        }
        let rateLimits = RateLimits(
            namespacePerSecond: try rate("limits.namespaceRequestsPerSecond"),
            namespaceBurst: try rate("limits.namespaceBurst") ?? 100,
            tokenPerSecond: try rate("limits.tokenRequestsPerSecond"),
            tokenBurst: try rate("limits.tokenBurst") ?? 20
        )
        let clientBurst = try rate("limits.clientBurst") ?? 50
        let clientRateLimit = try rate("limits.clientRequestsPerSecond").map { ClientRateLimit(requestsPerSecond: $0, burst: clientBurst) }
        let streamModes = try values.list("langgraph.streamModes")
        for mode in streamModes where !LangGraphConfiguration.knownStreamModes.contains(mode) {
            throw ConfigurationError(
                key: "langgraph.streamModes",
                reason: "'\(mode)' is not a LangGraph stream mode (\(LangGraphConfiguration.knownStreamModes.sorted().joined(separator: ", ")))"
            )
        }
        let egress = try Self.egressPolicy(values, production: mode == .production)
        self.init(
            mode: mode,
            host: host,
            port: port,
            publicBaseURL: publicBaseURL,
            maximumBodySize: maximumBodySize,
            connectionBounds: connectionBounds,
            databaseURL: databaseURL,
            databasePoolSize: poolSize,
            databaseMinimumConnections: try values.integer("database.minConnections", in: 0...500) ?? 2,
            databaseKeepAlive: .seconds(try values.integer("database.keepAliveSeconds", in: 0...3600) ?? 30),
            migrateOnStart: migrateOnStart,
            defaultNamespace: defaultNamespace,
            secretsKey: secretsKey,
            runTimeout: .seconds(try values.integer("langgraph.runTimeoutSeconds", in: 1...86_400) ?? 3600),
            langGraphRequestTimeout: .seconds(try values.integer("langgraph.requestTimeoutSeconds", in: 1...600) ?? 30),
            langGraphMaximumAttempts: try values.integer("langgraph.maxAttempts", in: 1...20) ?? 4,
            logLevel: logLevel,
            logFormat: logFormat,
            shutdownGracePeriod: .seconds(try values.integer("shutdown.gracePeriodSeconds", in: 0...3600) ?? 30),
            egress: egress,
            pushTimeout: .seconds(try values.integer("push.timeoutSeconds", in: 1...300) ?? 10),
            pushMaximumAttempts: try values.integer("push.maxAttempts", in: 1...100) ?? 12,
            pushMaximumConfigsPerTask: try values.integer("push.maxConfigsPerTask", in: 1...1000) ?? 10,
            tokenPepper: tokenPepper,
            tlsCertificatePath: certificate,
            tlsKeyPath: key,
            behindTLSProxy: behindProxy,
            maximumJSONDepth: try values.integer("limits.maxJsonDepth", in: 2...512) ?? 32,
            maximumParts: try values.integer("limits.maxParts", in: 1...10_000) ?? 64,
            maximumPageSize: try values.integer("limits.maxPageSize", in: 1...1000) ?? 100,
            rateLimits: rateLimits,
            streamLimits: StreamLimits(
                perPrincipal: try values.integer("limits.maxStreamsPerPrincipal", in: 1...1_000_000) ?? 100,
                perNamespace: try values.integer("limits.maxStreamsPerNamespace", in: 1...1_000_000) ?? 1000
            ),
            clientRateLimit: clientRateLimit,
            langGraphConnectTimeout: .seconds(try values.integer("langgraph.connectTimeoutSeconds", in: 1...120) ?? 5),
            langGraphReadTimeout: .seconds(try values.integer("langgraph.readTimeoutSeconds", in: 5...3600) ?? 60),
            langGraphMaximumRejoins: try values.integer("langgraph.maxRejoins", in: 0...100) ?? 5,
            langGraphMaximumProgressUpdates: try values.integer("langgraph.maxProgressUpdates", in: 0...10_000) ?? 100,
            langGraphStreamModes: streamModes.isEmpty ? LangGraphConfiguration.standardStreamModes : streamModes,
            langGraphMaximumEventBytes: try values.integer("langgraph.maxEventBytes", in: 4096...(1 << 30)) ?? (8 << 20),
            langGraphMaximumEventsPerRun: try values.integer("langgraph.maxEventsPerRun", in: 100...100_000_000) ?? 100_000,
            langGraphMaximumResponseBytes: try values.integer("langgraph.maxResponseBytes", in: 4096...(1 << 30)) ?? (16 << 20),
            taskLease: .seconds(try values.integer("tasks.leaseSeconds", in: 2...300) ?? 15),
            maximumConcurrentRuns: try values.integer("tasks.maxConcurrentRuns", in: 1...100_000) ?? 256,
            maximumRunningTasksPerNamespace: try values.integer("tasks.maxRunningPerNamespace", in: 1...100_000) ?? 32,
            queuePollInterval: .milliseconds(try values.integer("tasks.pollIntervalMs", in: 50...60_000) ?? 1000),
            eventGatherWindow: .milliseconds(try values.integer("tasks.eventGatherMs", in: 0...1000) ?? 5),
            taskQueueGroup: try values.string("tasks.queueGroup") ?? "",
            finishedTaskCacheMegabytes: try values.integer("tasks.finishedCacheMb", in: 0...65_536) ?? 32,
            taskLimits: TaskLimits(
                maximumArtifactBytes: try values.integer("tasks.maxArtifactBytes", in: 1024...(1 << 30)) ?? (16 << 20),
                maximumHistoryMessages: try values.integer("tasks.maxHistoryMessages", in: 10...100_000) ?? 1000,
                maximumHistoryBytes: try values.integer("tasks.maxHistoryBytes", in: 1024...(1 << 30)) ?? (16 << 20)
            ),
            replicaName: try values.string("replica.name"),
            observability: try ObservabilityConfiguration(values: values),
            executor: executor,
            threads: try values.integer("runtime.threads", in: 1...1024)
        )
    }

    /// `egress.*`, on the defaults of the mode (development also reaches loopback and plain HTTP).
    static func egressPolicy(_ values: ConfigValues, production: Bool) throws(ConfigurationError) -> EgressPolicy {
        var policy = EgressPolicy.defaults(production: production)
        policy.allowList = try values.list("egress.allowList")
        for entry in policy.allowList where !EgressPolicy.isValidAllowListEntry(entry) {
            throw ConfigurationError(key: "egress.allowList", reason: "'\(entry)' is not a host name, *.domain or CIDR range")
        }
        policy.allowLoopback = try values.boolean("egress.allowLoopback") ?? policy.allowLoopback
        policy.allowPlainHTTP = try values.boolean("egress.allowPlainHttp") ?? policy.allowPlainHTTP
        policy.allowListOnly = try values.boolean("egress.allowListOnly") ?? false
        for text in try values.list("egress.allowedPorts") {
            guard let port = Int(text), (1...65535).contains(port) else {
                throw ConfigurationError(key: "egress.allowedPorts", reason: "'\(text)' is not a port (1 … 65535)")
            }
            policy.allowedPorts.insert(port)
        }
        return policy
    }

    /// The configuration sources in precedence order: `overrides` (command-line flags), then the
    /// environment, then the YAML file.
    ///
    /// - Parameters:
    ///   - configFile: a YAML file; when `nil`, `config/cleveragents.yaml` is read if it exists.
    ///   - environment: the process environment.
    ///   - overrides: values from command-line flags, by configuration key.
    public static func reader(
        configFile: String?,
        environment: [String: String],
        overrides: [String: String]
    ) async throws -> ConfigReader {
        // (Secret values are redacted wherever the configuration is printed or logged.)
        var providers: [any ConfigProvider] = []
        providers.append(InMemoryProvider(name: "flags", values: Dictionary(uniqueKeysWithValues: overrides.map { (AbsoluteConfigKey(stringLiteral: $0.key), ConfigValue(stringLiteral: $0.value)) })))
        providers.append(
            EnvironmentVariablesProvider(environmentVariables: environment, secretsSpecifier: .dynamic { key, _ in Self.isSecretVariable(key) })
                .prefixKeys(with: "cleveragents")
        )
        providers.append(InMemoryProvider(name: "libpq environment", values: libpqValues(environment)))
        let path = configFile ?? "config/cleveragents.yaml"
        providers.append(try await FileProvider<YAMLSnapshot>(filePath: FilePath(path), allowMissing: configFile == nil))
        return ConfigReader(providers: providers)
    }

    /// `DATABASE_URL`, or a URL composed from libpq's variables, as a configuration value.
    static func libpqValues(_ environment: [String: String]) -> [AbsoluteConfigKey: ConfigValue] {
        let url = environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? libpqURL(environment)
        guard let url else { return [:] }
        return ["database.url": ConfigValue(.string(url), isSecret: true)]
    }

    /// A URL composed from libpq's `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE` and
    /// `PGSSLMODE`, or `nil` when none is set.
    public static func libpqURL(_ environment: [String: String]) -> String? {
        let names = ["PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSSLMODE"]
        guard names.contains(where: { environment[$0] != nil }) else { return nil }
        var components = URLComponents()
        components.scheme = "postgres"
        let host = environment["PGHOST"] ?? "localhost"
        var queryItems: [URLQueryItem] = []
        if host.hasPrefix("/") {
            queryItems.append(URLQueryItem(name: "host", value: host))
            components.host = "localhost"
        } else {
            components.host = host
        }
        components.port = environment["PGPORT"].flatMap(Int.init)
        components.user = environment["PGUSER"]
        components.password = environment["PGPASSWORD"]
        components.path = "/" + (environment["PGDATABASE"] ?? environment["PGUSER"] ?? "postgres")
        if let sslMode = environment["PGSSLMODE"] { queryItems.append(URLQueryItem(name: "sslmode", value: sslMode)) }
        components.queryItems = queryItems.isEmpty ? nil : queryItems
        return components.string
    }

    /// Environment variables whose values are secrets: keys, peppers, passwords, and URLs (which
    /// may carry a password).
    static func isSecretVariable(_ name: String) -> Bool {
        ["SECRET", "URL", "PEPPER", "PASSWORD", "KEY"].contains { name.uppercased().contains($0) }
    }
}

/// Typed reads that tell "missing" from "present but invalid".
struct ConfigValues {
    let reader: ConfigReader

    func string(_ key: String) throws(ConfigurationError) -> String? {
        guard let value = reader.string(forKey: ConfigKey(key)) else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }

    func integer(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        let value: Int
        if let number = reader.int(forKey: ConfigKey(key)) {
            value = number
        } else if let text = try string(key) {
            guard let number = Int(text) else { throw ConfigurationError(key: key, reason: "'\(text)' is not an integer") }
            value = number
        } else {
            return nil
        }
        guard range.contains(value) else {
            throw ConfigurationError(key: key, reason: "\(value) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// A list: a YAML sequence, or a comma-separated string (environment variables, flags).
    func list(_ key: String) throws(ConfigurationError) -> [String] {
        if let values = reader.stringArray(forKey: ConfigKey(key)) {
            return values.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        guard let text = try string(key) else { return [] }
        return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func boolean(_ key: String) throws(ConfigurationError) -> Bool? {
        if let value = reader.bool(forKey: ConfigKey(key)) { return value }
        guard let text = try string(key) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "1", "on": return true
        case "false", "no", "0", "off": return false
        default: throw ConfigurationError(key: key, reason: "'\(text)' is not true or false")
        }
    }

    func enumeration<Value: RawRepresentable & CaseIterable>(_ key: String, _ type: Value.Type) throws(ConfigurationError) -> Value?
    where Value.RawValue == String {
        guard let text = try string(key) else { return nil }
        guard let value = Value(rawValue: text) else {
            throw ConfigurationError(key: key, reason: "'\(text)' is not one of \(Value.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

}
