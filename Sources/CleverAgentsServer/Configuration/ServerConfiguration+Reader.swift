//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Configuration
import CleverAgentsDomain
import CleverAgentsLangGraph
import CleverAgentsPostgres
import CleverAgentsRuntime
import Foundation
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

    /// Reads and validates the configuration, component by component over their defaults; the
    /// error names the first bad key. The rules that join components (what production mode
    /// requires) are checked here.
    public init(reader: ConfigReader, use: Use = .serving) throws(ConfigurationError) {
        let values = ConfigValues(reader: reader)
        let mode = try Self.mode(values)
        let production = mode == .production
        let http = try HTTPConfiguration(reading: values)
        let database = try DatabaseConfiguration(reading: values)
        var defaultNamespace: NamespaceName?
        if let name = try values.string("namespaces.default") {
            guard let valid = NamespaceName(name) else {
                throw ConfigurationError(key: "namespaces.default", reason: "'\(name)' is not a namespace name (\(NamespaceName.rule))")
            }
            defaultNamespace = valid
        }
        let secretsKey = try Self.secretsKey(values)
        if production, secretsKey == nil || secretsKey == Self.developmentSecretsKey {
            throw ConfigurationError(key: "secrets.key", reason: "is required in production mode")
        }
        let tokenPepper = try values.string("auth.tokenPepper")
        if let tokenPepper, (Data(base64Encoded: tokenPepper)?.count ?? 0) < 32 {
            throw ConfigurationError(key: "auth.tokenPepper", reason: "must be at least 32 random bytes in base64 (openssl rand -base64 32)")
        }
        if production, tokenPepper == nil || tokenPepper == Self.developmentTokenPepper {
            throw ConfigurationError(key: "auth.tokenPepper", reason: "is required in production mode")
        }
        if production, use == .serving, http.tlsCertificatePath == nil, !http.behindTLSProxy {
            throw ConfigurationError(
                key: "tls.certificatePath",
                reason: "production mode refuses plain HTTP: set tls.certificatePath and tls.keyPath, or http.behindTlsProxy when a TLS proxy is in front"
            )
        }
        if production, use == .serving {
            // Agent cards name the server's URL: without a configured one they would repeat
            // whatever Host a request claims, and caches would keep it.
            guard let publicBaseURL = http.publicBaseURL else {
                throw ConfigurationError(key: "http.publicBaseUrl", reason: "is required in production mode (the https URL clients reach the server at)")
            }
            guard publicBaseURL.lowercased().hasPrefix("https://") else {
                throw ConfigurationError(key: "http.publicBaseUrl", reason: "must be an https URL in production mode")
            }
        }
        if production, database.url.unixSocketDirectory == nil, database.url.tlsPolicy.verification != .full, !database.allowUnverifiedTLS {
            throw ConfigurationError(
                key: "database.url",
                reason: "production mode needs a verified TLS connection to PostgreSQL: add sslmode=verify-full (and sslrootcert= for a private CA), "
                    + "or set database.allowUnverifiedTls where the network to the database is trusted"
            )
        }
        let defaults = ServerConfiguration(database: database)
        self.init(
            mode: mode,
            http: http,
            database: database,
            langGraph: try LangGraphConfiguration(reading: values),
            outbound: try OutboundConfiguration(reading: values),
            tasks: try TaskQueueConfiguration(reading: values),
            push: try PushConfiguration(reading: values),
            log: try LogConfiguration(reading: values, mode: mode),
            limits: try RequestLimits(reading: values),
            observability: try ObservabilityConfiguration(values: values),
            egress: try Self.egressPolicy(values, production: production),
            secretsKey: secretsKey,
            tokenPepper: tokenPepper,
            defaultNamespace: defaultNamespace,
            shutdownGracePeriod: try values.seconds("shutdown.gracePeriodSeconds", in: 0...3600) ?? defaults.shutdownGracePeriod,
            replicaName: try values.string("replica.name"),
            executor: try values.enumeration("runtime.executor", Executor.self) ?? defaults.executor,
            threads: try values.integer("runtime.threads", in: 1...1024)
        )
    }

    /// `mode` alone, as the commands that check nothing else of the server's read it
    /// (`admin namespace create`).
    public static func mode(reader: ConfigReader) throws(ConfigurationError) -> Mode {
        try mode(ConfigValues(reader: reader))
    }

    static func mode(_ values: ConfigValues) throws(ConfigurationError) -> Mode {
        try values.enumeration("mode", Mode.self) ?? .development
    }

    /// `secrets.key` alone, validated, as local mode reads it (the same file, environment and
    /// precedence as `serve`); `nil` when unset.
    public static func secretsKey(reader: ConfigReader) throws(ConfigurationError) -> String? {
        try secretsKey(ConfigValues(reader: reader))
    }

    static func secretsKey(_ values: ConfigValues) throws(ConfigurationError) -> String? {
        let key = try values.string("secrets.key")
        if let key, Data(base64Encoded: key)?.count != 32 {
            throw ConfigurationError(key: "secrets.key", reason: "must be 32 random bytes in base64 (openssl rand -base64 32)")
        }
        return key
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
    static func libpqURL(_ environment: [String: String]) -> String? {
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
