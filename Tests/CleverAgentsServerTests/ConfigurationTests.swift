//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import CleverAgentsDomain
import CleverAgentsLangGraph
import CleverAgentsHTTP
import CleverAgentsPostgres
import CleverAgentsRuntime
@testable import CleverAgentsServer
import Configuration
import Foundation
import Logging
import Testing

@Suite(.timeLimit(.minutes(2))) struct ConfigurationTests {
    static let database = "postgres://u:secret@db:5432/agents?sslmode=disable"

    func load(yaml: String? = nil, environment: [String: String] = [:], flags: [String: String] = [:]) async throws -> ServerConfiguration {
        // Always name a file, so the repository's config/cleveragents.yaml never leaks in.
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cleveragents-\(UUID().uuidString).yaml")
        try (yaml ?? "{}").write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let reader = try await ServerConfiguration.reader(configFile: url.path, environment: environment, overrides: flags)
        return try ServerConfiguration(reader: reader)
    }

    @Test func defaultsNeedOnlyADatabase() async throws {
        let configuration = try await load(environment: ["DATABASE_URL": Self.database])
        #expect(configuration.mode == .development)
        #expect(configuration.http.host == "127.0.0.1")
        #expect(configuration.http.port == 8080)
        #expect(configuration.http.maximumBodySize == 1 << 20)
        #expect(configuration.database.url.host == "db")
        #expect(configuration.database.migrateOnStart)
        #expect(configuration.log.format == .text)
        #expect(configuration.executor == .nio)
        #expect(configuration.tasks.finishedCacheMegabytes == 32)
        #expect(configuration.database.minimumConnections == 2)
        #expect(configuration.database.keepAlive == .seconds(30))
    }

    @Test func thePoolCanKeepEveryConnectionWithoutKeepAlive() async throws {
        let configuration = try await load(environment: [
            "DATABASE_URL": Self.database, "CLEVERAGENTS_DATABASE_POOL_SIZE": "8", "CLEVERAGENTS_DATABASE_MIN_CONNECTIONS": "50",
            "CLEVERAGENTS_DATABASE_KEEP_ALIVE_SECONDS": "0",
        ])
        #expect(configuration.database.minimumConnections == 8, "never more than the pool")
        #expect(configuration.database.keepAlive == .zero)
    }

    @Test func theExecutorCanBeSwiftsDefaultPool() async throws {
        let configuration = try await load(environment: ["DATABASE_URL": Self.database, "CLEVERAGENTS_RUNTIME_EXECUTOR": "system"])
        #expect(configuration.executor == .system)
    }

    @Test func flagsBeatTheEnvironmentWhichBeatsTheFile() async throws {
        let yaml = """
            http:
              port: 7000
              host: 0.0.0.0
              maxBodyBytes: 4096
            database:
              url: postgres://file/db
            namespaces:
              default: from-file
            """
        let fileOnly = try await load(yaml: yaml)
        #expect(fileOnly.http.port == 7000)
        #expect(fileOnly.http.host == "0.0.0.0")
        #expect(fileOnly.http.maximumBodySize == 4096)
        #expect(fileOnly.database.url.host == "file")
        #expect(fileOnly.defaultNamespace?.rawValue == "from-file")

        let environment = try await load(yaml: yaml, environment: ["CLEVERAGENTS_HTTP_PORT": "7001", "DATABASE_URL": Self.database])
        #expect(environment.http.port == 7001)
        #expect(environment.http.host == "0.0.0.0")
        #expect(environment.database.url.host == "db")

        let flags = try await load(yaml: yaml, environment: ["CLEVERAGENTS_HTTP_PORT": "7001"], flags: ["http.port": "7002"])
        #expect(flags.http.port == 7002)
    }

    @Test func libpqVariablesMakeADatabaseURL() async throws {
        let configuration = try await load(environment: ["PGHOST": "pg.internal", "PGPORT": "6000", "PGUSER": "svc", "PGDATABASE": "agents", "PGSSLMODE": "require"])
        #expect(configuration.database.url.host == "pg.internal")
        #expect(configuration.database.url.port == 6000)
        #expect(configuration.database.url.username == "svc")
        #expect(configuration.database.url.database == "agents")
        #expect(configuration.database.url.sslMode == .require)
        #expect(ServerConfiguration.libpqURL([:]) == nil)
    }

    @Test(arguments: [
        (["CLEVERAGENTS_HTTP_PORT": "eighty"], "http.port"),
        (["CLEVERAGENTS_HTTP_PORT": "70000"], "http.port"),
        (["CLEVERAGENTS_MODE": "staging"], "mode"),
        (["CLEVERAGENTS_LOG_LEVEL": "loud"], "log.level"),
        (["CLEVERAGENTS_LOG_FORMAT": "xml"], "log.format"),
        (["CLEVERAGENTS_RUNTIME_EXECUTOR": "dispatch"], "runtime.executor"),
        (["CLEVERAGENTS_TASKS_FINISHED_CACHE_MB": "-1"], "tasks.finishedCacheMb"),
        (["CLEVERAGENTS_DATABASE_KEEP_ALIVE_SECONDS": "-5"], "database.keepAliveSeconds"),
        (["CLEVERAGENTS_DATABASE_MIN_CONNECTIONS": "many"], "database.minConnections"),
        (["CLEVERAGENTS_DATABASE_MIGRATE_ON_START": "perhaps"], "database.migrateOnStart"),
        (["CLEVERAGENTS_NAMESPACES_DEFAULT": "Bad_Name"], "namespaces.default"),
        (["CLEVERAGENTS_HTTP_PUBLIC_BASE_URL": "ftp://x"], "http.publicBaseUrl"),
        (["CLEVERAGENTS_SECRETS_KEY": "c2hvcnQ="], "secrets.key"),
        (["CLEVERAGENTS_MODE": "production"], "secrets.key"),
        (["CLEVERAGENTS_DATABASE_POOL_SIZE": "0"], "database.poolSize"),
        (["CLEVERAGENTS_LANGGRAPH_STREAM_MODES": "values,tokens"], "langgraph.streamModes"),
        (["CLEVERAGENTS_LANGGRAPH_CONNECT_TIMEOUT_SECONDS": "0"], "langgraph.connectTimeoutSeconds"),
        (["CLEVERAGENTS_LANGGRAPH_READ_TIMEOUT_SECONDS": "1"], "langgraph.readTimeoutSeconds"),
        (["CLEVERAGENTS_LANGGRAPH_MAX_REJOINS": "-1"], "langgraph.maxRejoins"),
        (["CLEVERAGENTS_LANGGRAPH_MAX_PROGRESS_UPDATES": "many"], "langgraph.maxProgressUpdates"),
        (["CLEVERAGENTS_HTTP_IDLE_TIMEOUT_SECONDS": "0"], "http.idleTimeoutSeconds"),
        (["CLEVERAGENTS_HTTP_HEADER_TIMEOUT_SECONDS": "301"], "http.headerTimeoutSeconds"),
        (["CLEVERAGENTS_HTTP_MAX_CONNECTIONS": "none"], "http.maxConnections"),
        (["CLEVERAGENTS_LIMITS_MAX_STREAMS_PER_PRINCIPAL": "0"], "limits.maxStreamsPerPrincipal"),
        (["CLEVERAGENTS_LIMITS_MAX_STREAMS_PER_NAMESPACE": "-3"], "limits.maxStreamsPerNamespace"),
        (["CLEVERAGENTS_LIMITS_CLIENT_REQUESTS_PER_SECOND": "0"], "limits.clientRequestsPerSecond"),
        (["CLEVERAGENTS_LIMITS_CLIENT_BURST": "lots"], "limits.clientBurst"),
        (["CLEVERAGENTS_PUSH_MAX_CONFIGS_PER_TASK": "0"], "push.maxConfigsPerTask"),
    ])
    func invalidValuesStopStartUpNamingTheKey(environment: [String: String], key: String) async throws {
        await #expect {
            _ = try await load(environment: environment.merging(["DATABASE_URL": Self.database]) { current, _ in current })
        } throws: { error in
            (error as? ConfigurationError)?.key == key
        }
    }

    @Test func langGraphSettingsHaveDefaultsAndCanBeSet() async throws {
        let defaults = try await load(environment: ["DATABASE_URL": Self.database])
        #expect(defaults.langGraph.defaultStreamModes == ["values", "updates", "custom", "messages-tuple"])
        #expect(defaults.outbound.connectTimeout == .seconds(5))
        #expect(defaults.outbound.readTimeout == .seconds(60))
        #expect(defaults.langGraph.maximumRejoins == 5)
        #expect(defaults.langGraph.maximumProgressUpdates == 100)
        let yaml = """
            database:
              url: postgres://file/db
            langgraph:
              streamModes: [values, messages]
              connectTimeoutSeconds: 2
              readTimeoutSeconds: 300
              maxRejoins: 10
              maxProgressUpdates: 0
            """
        let set = try await load(yaml: yaml)
        #expect(set.langGraph.defaultStreamModes == ["values", "messages"])
        #expect(set.outbound.connectTimeout == .seconds(2))
        #expect(set.outbound.readTimeout == .seconds(300))
        #expect(set.langGraph.maximumRejoins == 10)
        #expect(set.langGraph.maximumProgressUpdates == 0)
        let environment = try await load(environment: ["DATABASE_URL": Self.database, "CLEVERAGENTS_LANGGRAPH_STREAM_MODES": "custom, updates"])
        #expect(environment.langGraph.defaultStreamModes == ["custom", "updates"])
    }

    @Test func boundsOfWhatGraphsSendHaveDefaultsAndCanBeSet() async throws {
        let defaults = try await load(environment: ["DATABASE_URL": Self.database])
        #expect(defaults.langGraph.maximumEventBytes == 8 << 20)
        #expect(defaults.langGraph.maximumEventsPerRun == 100_000)
        #expect(defaults.langGraph.maximumResponseBytes == 16 << 20)
        #expect(defaults.tasks.limits == TaskLimits(maximumArtifactBytes: 16 << 20, maximumHistoryMessages: 1000, maximumHistoryBytes: 16 << 20))
        let yaml = """
            database:
              url: postgres://file/db
            langgraph:
              maxEventBytes: 1048576
              maxEventsPerRun: 500
              maxResponseBytes: 2097152
            tasks:
              maxArtifactBytes: 4096
              maxHistoryMessages: 20
              maxHistoryBytes: 8192
            """
        let set = try await load(yaml: yaml)
        #expect(set.langGraph.maximumEventBytes == 1 << 20)
        #expect(set.langGraph.maximumEventsPerRun == 500)
        #expect(set.langGraph.maximumResponseBytes == 2 << 20)
        #expect(set.tasks.limits == TaskLimits(maximumArtifactBytes: 4096, maximumHistoryMessages: 20, maximumHistoryBytes: 8192))
        let environment = try await load(environment: ["DATABASE_URL": Self.database, "CLEVERAGENTS_LANGGRAPH_MAX_EVENT_BYTES": "65536"])
        #expect(environment.langGraph.maximumEventBytes == 65536)
    }

    @Test(arguments: [
        (["CLEVERAGENTS_LANGGRAPH_MAX_EVENT_BYTES": "1000"], "langgraph.maxEventBytes"),
        (["CLEVERAGENTS_LANGGRAPH_MAX_EVENT_BYTES": "8MiB"], "langgraph.maxEventBytes"),
        (["CLEVERAGENTS_LANGGRAPH_MAX_EVENTS_PER_RUN": "0"], "langgraph.maxEventsPerRun"),
        (["CLEVERAGENTS_LANGGRAPH_MAX_RESPONSE_BYTES": "2147483648"], "langgraph.maxResponseBytes"),
        (["CLEVERAGENTS_TASKS_MAX_ARTIFACT_BYTES": "-1"], "tasks.maxArtifactBytes"),
        (["CLEVERAGENTS_TASKS_MAX_HISTORY_MESSAGES": "1"], "tasks.maxHistoryMessages"),
        (["CLEVERAGENTS_TASKS_MAX_HISTORY_BYTES": "lots"], "tasks.maxHistoryBytes"),
    ])
    func invalidBoundsStopStartUpNamingTheKey(environment: [String: String], key: String) async throws {
        await #expect {
            _ = try await load(environment: environment.merging(["DATABASE_URL": Self.database]) { current, _ in current })
        } throws: { error in
            (error as? ConfigurationError)?.key == key
        }
    }

    @Test func connectionBoundsHaveDefaultsAndCanBeSet() async throws {
        let defaults = try await load(environment: ["DATABASE_URL": Self.database])
        #expect(defaults.http.connectionBounds == HTTPConnectionBounds(idleTimeoutSeconds: 75, headerTimeoutSeconds: 10, maximumConnections: 10_000))
        let yaml = """
            database:
              url: postgres://file/db
            http:
              idleTimeoutSeconds: 30
              headerTimeoutSeconds: 5
              maxConnections: 2000
            """
        let set = try await load(yaml: yaml)
        #expect(set.http.connectionBounds == HTTPConnectionBounds(idleTimeoutSeconds: 30, headerTimeoutSeconds: 5, maximumConnections: 2000))
    }

    @Test func streamCapsHaveDefaultsAndCanBeSet() async throws {
        let defaults = try await load(environment: ["DATABASE_URL": Self.database])
        #expect(defaults.limits.streams == StreamLimits(perPrincipal: 100, perNamespace: 1000))
        let set = try await load(environment: [
            "DATABASE_URL": Self.database, "CLEVERAGENTS_LIMITS_MAX_STREAMS_PER_PRINCIPAL": "5", "CLEVERAGENTS_LIMITS_MAX_STREAMS_PER_NAMESPACE": "50",
        ])
        #expect(set.limits.streams == StreamLimits(perPrincipal: 5, perNamespace: 50))
    }

    @Test func theRateLimitPerClientIsOffUnlessSet() async throws {
        let defaults = try await load(environment: ["DATABASE_URL": Self.database])
        #expect(defaults.limits.client == nil)
        #expect(defaults.push.maximumConfigsPerTask == 10)
        let set = try await load(environment: ["DATABASE_URL": Self.database, "CLEVERAGENTS_LIMITS_CLIENT_REQUESTS_PER_SECOND": "20"])
        #expect(set.limits.client == ClientRateLimit(requestsPerSecond: 20, burst: 50))
    }

    @Test func aMissingOrInvalidDatabaseURLIsNamed() async throws {
        await #expect(throws: ConfigurationError.self) { _ = try await load() }
        await #expect {
            _ = try await load(environment: ["DATABASE_URL": "mysql://nope"])
        } throws: { error in
            (error as? ConfigurationError)?.key == "database.url" && "\(error)".contains("scheme")
        }
    }

    @Test func productionWithAKeyIsAccepted() async throws {
        let key = Data((0..<32).map { UInt8($0) }).base64EncodedString()
        let configuration = try await load(environment: [
            "DATABASE_URL": "postgres://u:secret@db:5432/agents?sslmode=verify-full", "CLEVERAGENTS_MODE": "production", "CLEVERAGENTS_SECRETS_KEY": key,
            "CLEVERAGENTS_AUTH_TOKEN_PEPPER": key, "CLEVERAGENTS_HTTP_BEHIND_TLS_PROXY": "true",
            "CLEVERAGENTS_HTTP_PUBLIC_BASE_URL": "https://agents.example.com",
        ])
        #expect(configuration.mode == .production)
        #expect(configuration.log.format == .json, "production logs are JSON unless told otherwise")
        #expect(configuration.egress == .defaults(production: true), "production reaches no special-purpose address")
    }

    @Test(arguments: [
        ([:], "http.publicBaseUrl"),
        (["CLEVERAGENTS_HTTP_PUBLIC_BASE_URL": "http://agents.example.com"], "http.publicBaseUrl"),
        (["CLEVERAGENTS_HTTP_PUBLIC_BASE_URL": "https://agents.example.com", "DATABASE_URL": "postgres://u:p@db/x?sslmode=require"], "database.url"),
        (["CLEVERAGENTS_HTTP_PUBLIC_BASE_URL": "https://agents.example.com", "DATABASE_URL": "postgres://u:p@db/x?sslmode=verify-ca"], "database.url"),
    ])
    func productionRefusesAHostDerivedCardURLAndAnUnverifiedDatabase(extra: [String: String], key: String) async throws {
        let secret = Data((0..<32).map { UInt8($0) }).base64EncodedString()
        let base = [
            "DATABASE_URL": "postgres://u:p@db/x?sslmode=verify-full", "CLEVERAGENTS_MODE": "production", "CLEVERAGENTS_SECRETS_KEY": secret,
            "CLEVERAGENTS_AUTH_TOKEN_PEPPER": secret, "CLEVERAGENTS_HTTP_BEHIND_TLS_PROXY": "true",
        ]
        await #expect {
            _ = try await load(environment: base.merging(extra) { _, new in new })
        } throws: { error in
            (error as? ConfigurationError)?.key == key
        }
        // The waiver, and a Unix socket, are accepted.
        if key == "database.url" {
            let waived = try await load(environment: base.merging(extra) { _, new in new }.merging(["CLEVERAGENTS_DATABASE_ALLOW_UNVERIFIED_TLS": "true"]) { _, new in new })
            #expect(waived.mode == .production)
        }
        let socket = try await load(environment: base.merging([
            "CLEVERAGENTS_HTTP_PUBLIC_BASE_URL": "https://agents.example.com", "DATABASE_URL": "postgres://u@localhost/x?host=/run/postgresql",
        ]) { _, new in new })
        #expect(socket.mode == .production)
    }

    @Test func aLibpqSocketDirectoryIsAUnixSocketURL() async throws {
        let configuration = try await load(environment: ["PGHOST": "/run/postgresql", "PGUSER": "svc", "PGDATABASE": "agents"])
        #expect(configuration.database.url.unixSocketDirectory == "/run/postgresql")
        #expect(configuration.database.url.location == "/run/postgresql/.s.PGSQL.5432")
    }

    @Test(arguments: [
        (["CLEVERAGENTS_AUTH_TOKEN_PEPPER": Data("too short".utf8).base64EncodedString()], "auth.tokenPepper", "must be at least 32 random bytes"),
        (["CLEVERAGENTS_MODE": "production"], "auth.tokenPepper", "is required in production mode"),
        (["CLEVERAGENTS_TLS_CERTIFICATE_PATH": #filePath], "tls.keyPath", "tls.certificatePath and tls.keyPath go together"),
        (["CLEVERAGENTS_TLS_KEY_PATH": #filePath], "tls.certificatePath", "tls.certificatePath and tls.keyPath go together"),
        (["CLEVERAGENTS_TLS_CERTIFICATE_PATH": "/nonexistent/cert.pem", "CLEVERAGENTS_TLS_KEY_PATH": #filePath], "tls.certificatePath", "cannot read '/nonexistent/cert.pem'"),
        (["CLEVERAGENTS_TLS_CERTIFICATE_PATH": #filePath, "CLEVERAGENTS_TLS_KEY_PATH": #filePath, "CLEVERAGENTS_HTTP_BEHIND_TLS_PROXY": "true"], "http.behindTlsProxy", "cannot be set when the server terminates TLS itself"),
    ])
    func credentialAndTLSSettingsThatCannotWorkAreRefusedByName(settings: [String: String], key: String, reason: String) async throws {
        let secret = Data((0..<32).map { UInt8($0) }).base64EncodedString()
        await #expect {
            _ = try await load(environment: ["DATABASE_URL": Self.database, "CLEVERAGENTS_SECRETS_KEY": secret].merging(settings) { _, new in new })
        } throws: { error in
            (error as? ConfigurationError)?.key == key && (error as? ConfigurationError)?.reason.contains(reason) == true
        }
    }

    @Test func egressSettingsAreReadAndChecked() async throws {
        let development = try await load(environment: ["DATABASE_URL": Self.database])
        #expect(development.egress.allowLoopback && development.egress.allowPlainHTTP)
        let set = try await load(environment: [
            "DATABASE_URL": Self.database, "CLEVERAGENTS_EGRESS_ALLOW_LIST": "langgraph.svc, *.corp.example, 10.1.0.0/16",
            "CLEVERAGENTS_EGRESS_ALLOW_LOOPBACK": "false", "CLEVERAGENTS_EGRESS_ALLOWED_PORTS": "443,8123", "CLEVERAGENTS_EGRESS_ALLOW_LIST_ONLY": "true",
            "CLEVERAGENTS_EGRESS_ALLOW_PLAIN_HTTP": "false",
        ])
        #expect(set.egress.allowList == ["langgraph.svc", "*.corp.example", "10.1.0.0/16"])
        #expect(!set.egress.allowLoopback && !set.egress.allowPlainHTTP && set.egress.allowListOnly)
        #expect(set.egress.allowedPorts == [443, 8123])
        for (name, value) in [("CLEVERAGENTS_EGRESS_ALLOW_LIST", "bad host"), ("CLEVERAGENTS_EGRESS_ALLOWED_PORTS", "99999")] {
            await #expect(throws: ConfigurationError.self) { _ = try await load(environment: ["DATABASE_URL": Self.database, name: value]) }
        }
    }

    @Test func aConfigFileThatWasNamedMustExist() async throws {
        await #expect(throws: (any Error).self) {
            _ = try await ServerConfiguration.reader(configFile: "/nonexistent/cleveragents.yaml", environment: [:], overrides: [:])
        }
    }

    @Test func jsonLogLinesAreValidJSONWithTheirMetadata() throws {
        let sink = OutputSink.memory()
        var handler = JSONLogHandler(label: "test", level: .info, output: sink)
        handler[metadataKey: "request_id"] = "r1"
        handler.log(event: .init(level: .warning, message: "quote \" and newline \n done", metadata: ["n": .array(["a", .dictionary(["k": "v"])])], source: "s", file: "a/b.swift", function: "f", line: 3))
        let line = try #require(sink.captured.first)
        #expect(line.hasSuffix("\n"))
        let json = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(json?["msg"] as? String == "quote \" and newline \n done")
        #expect(json?["level"] as? String == "warning")
        #expect(json?["request_id"] as? String == "r1")
        #expect(json?["source"] as? String == "b.swift:3")
        #expect((json?["ts"] as? String)?.hasSuffix("Z") == true)
    }

    @Test func textLogLinesCarryTheirMetadataSortedAfterTheLabel() throws {
        let sink = OutputSink.memory()
        var handler = TextLogHandler(label: "cleveragents", level: .info, output: sink)
        handler[metadataKey: "request_id"] = "r1"
        handler[metadataKey: "namespace"] = "acme"
        #expect(handler[metadataKey: "namespace"] == "acme")
        handler.metadataProvider = Logger.MetadataProvider { ["trace": "t9"] }
        handler.log(event: .init(level: .warning, message: "Store unavailable", metadata: ["error": "gone"], source: "CleverAgentsHTTP", file: "a/b.swift", function: "f", line: 3))
        let line = try #require(sink.captured.first)
        #expect(line.hasSuffix(" warning cleveragents: error=gone namespace=acme request_id=r1 trace=t9 [CleverAgentsHTTP] Store unavailable\n"))
        #expect(line.hasPrefix("20"))

        let bare = OutputSink.memory()
        TextLogHandler(label: "cleveragents", level: .info, output: bare)
            .log(event: .init(level: .info, message: "hello", metadata: nil, source: "", file: "a/b.swift", function: "f", line: 3))
        let bareLine = try #require(bare.captured.first)
        #expect(bareLine.hasSuffix("Z info cleveragents: hello\n"), "without metadata or source: \(bareLine)")

        // The same key from the handler, its provider and the record: the record wins, then the provider.
        let layered = OutputSink.memory()
        var layeredHandler = TextLogHandler(label: "cleveragents", level: .info, output: layered)
        layeredHandler[metadataKey: "k"] = "handler"
        layeredHandler[metadataKey: "only"] = "handler"
        layeredHandler[metadataKey: "p"] = "handler"
        layeredHandler.metadataProvider = Logger.MetadataProvider { ["k": "provider", "p": "provider"] }
        layeredHandler.log(event: .init(level: .error, message: "m", metadata: ["k": "record"], source: "", file: "a/b.swift", function: "f", line: 3))
        let layeredLine = try #require(layered.captured.first)
        #expect(layeredLine.hasSuffix(" error cleveragents: k=record only=handler p=provider m\n"), "\(layeredLine)")
    }
}

@Suite(.timeLimit(.minutes(2))) struct SecretVariableTests {
    @Test(arguments: ["CLEVERAGENTS_AUTH_TOKEN_PEPPER", "CLEVERAGENTS_SECRETS_KEY", "DATABASE_URL", "PGPASSWORD"])
    func secretsAreRedacted(name: String) {
        #expect(ServerConfiguration.isSecretVariable(name))
    }

    @Test(arguments: ["CLEVERAGENTS_HTTP_PORT", "CLEVERAGENTS_MODE", "PGHOST"])
    func otherSettingsAreNot(name: String) {
        #expect(!ServerConfiguration.isSecretVariable(name))
    }
}
