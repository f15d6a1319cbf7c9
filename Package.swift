// swift-tools-version:6.2
// The swift-tools-version declares the minimum version of Swift required to build this package.

import PackageDescription

let swiftSettings: [SwiftSetting] = [
    // https://github.com/apple/swift-evolution/blob/main/proposals/0335-existential-any.md
    .enableUpcomingFeature("ExistentialAny"),
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0444-member-import-visibility.md
    .enableUpcomingFeature("MemberImportVisibility"),
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0409-access-level-on-imports.md
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// Test support is not API: plain imports are public there, so test code stays short.
let testSupportSwiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "cleveragents-server",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cleveragents", targets: ["CleverAgentsCommand"]),
        .executable(name: "langgraph-emulator", targets: ["LangGraphEmulatorCommand"]),
        .library(name: "A2AProtocol", targets: ["A2AProtocol"]),
        .library(name: "CleverAgentsDomain", targets: ["CleverAgentsDomain"]),
        .library(name: "CleverAgentsRuntime", targets: ["CleverAgentsRuntime"]),
        .library(name: "CleverAgentsPostgres", targets: ["CleverAgentsPostgres"]),
        .library(name: "CleverAgentsLangGraph", targets: ["CleverAgentsLangGraph"]),
        .library(name: "CleverAgentsPush", targets: ["CleverAgentsPush"]),
        .library(name: "CleverAgentsHTTP", targets: ["CleverAgentsHTTP"]),
        .library(name: "CleverAgentsServer", targets: ["CleverAgentsServer"]),
        .library(name: "CleverAgentsSQLite", targets: ["CleverAgentsSQLite"]),
        .library(name: "CleverAgentsStdio", targets: ["CleverAgentsStdio"]),
        .library(name: "CleverAgentsLocal", targets: ["CleverAgentsLocal"]),
        .library(name: "CleverAgentsClient", targets: ["CleverAgentsClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-async-algorithms.git", from: "1.1.4"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: ["YAML"]),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.2.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // Only the OTLP/HTTP exporter: the gRPC one would build grpc-swift as well.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // MARK: Protocol: A2A wire types, JSON-RPC envelope, SSE framing. Foundation only.
        .target(
            name: "A2AProtocol",
            swiftSettings: swiftSettings
        ),
        // MARK: Domain: pure values and rules.
        .target(
            name: "CleverAgentsDomain",
            dependencies: ["A2AProtocol"],
            swiftSettings: swiftSettings
        ),
        // MARK: Application: namespace actors, task runtime, ports.
        .target(
            name: "CleverAgentsRuntime",
            dependencies: [
                "A2AProtocol",
                "CleverAgentsDomain",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // MARK: Adapters
        .target(
            name: "CleverAgentsPostgres",
            dependencies: [
                "A2AProtocol",
                "CleverAgentsDomain",
                "CleverAgentsRuntime",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CleverAgentsLangGraph",
            dependencies: [
                "A2AProtocol",
                "CleverAgentsDomain",
                "CleverAgentsRuntime",
                "CleverAgentsEgress",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // MARK: Outbound HTTP to destinations tenants choose, under the egress policy.
        .target(
            name: "CleverAgentsEgress",
            dependencies: [
                "CleverAgentsRuntime",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CleverAgentsPush",
            dependencies: [
                "CleverAgentsRuntime",
                "CleverAgentsEgress",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // MARK: SQLite adapter (local mode): the same ports on an embedded database.
        .target(
            name: "CleverAgentsSQLite",
            dependencies: [
                "A2AProtocol",
                "CleverAgentsDomain",
                "CleverAgentsRuntime",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // MARK: Front ends
        .target(
            name: "CleverAgentsStdio",
            dependencies: [
                "A2AProtocol",
                "CleverAgentsDomain",
                "CleverAgentsRuntime",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CleverAgentsHTTP",
            dependencies: [
                "A2AProtocol",
                "CleverAgentsDomain",
                "CleverAgentsRuntime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // MARK: Composition root: configuration and application builder.
        .target(
            name: "CleverAgentsServer",
            dependencies: [
                "A2AProtocol",
                "CleverAgentsDomain",
                "CleverAgentsRuntime",
                "CleverAgentsPostgres",
                "CleverAgentsLangGraph",
                "CleverAgentsEgress",
                "CleverAgentsPush",
                "CleverAgentsHTTP",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: swiftSettings
        ),
        // MARK: Composition root of local mode: SQLite, stdio, LangGraph.
        .target(
            name: "CleverAgentsLocal",
            dependencies: [
                "A2AProtocol",
                "CleverAgentsDomain",
                "CleverAgentsRuntime",
                "CleverAgentsSQLite",
                "CleverAgentsStdio",
                "CleverAgentsLangGraph",
                "CleverAgentsEgress",
                "CleverAgentsPush",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // MARK: Client library: typed A2A client over HTTP(S) or stdio. No server code.
        .target(
            name: "CleverAgentsClient",
            dependencies: [
                "A2AProtocol",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // MARK: Executable
        .executableTarget(
            name: "CleverAgentsCommand",
            dependencies: [
                "A2AProtocol",
                "CleverAgentsDomain",
                "CleverAgentsRuntime",
                "CleverAgentsPostgres",
                "CleverAgentsServer",
                "CleverAgentsSQLite",
                "CleverAgentsLocal",
                "CleverAgentsClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Sources/cleveragents",
            swiftSettings: swiftSettings
        ),

        // MARK: LangGraph API emulator: load tests and contract tests; not part of the product.
        .target(
            name: "LangGraphEmulator",
            dependencies: [
                "A2AProtocol",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "LangGraphEmulatorCommand",
            dependencies: [
                "LangGraphEmulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Sources/langgraph-emulator",
            swiftSettings: swiftSettings
        ),

        // MARK: Tests
        .target(
            name: "CleverAgentsTestSupport",
            dependencies: [
                "A2AProtocol",
                "CleverAgentsDomain",
                "CleverAgentsRuntime",
                "CleverAgentsPostgres",
                "CleverAgentsServer",
                "CleverAgentsEgress",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: testSupportSwiftSettings
        ),
        .testTarget(
            name: "A2AProtocolTests",
            dependencies: ["A2AProtocol", "CleverAgentsTestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CleverAgentsDomainTests",
            dependencies: ["A2AProtocol", "CleverAgentsDomain"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CleverAgentsRuntimeTests",
            dependencies: [
                "A2AProtocol",
                "CleverAgentsDomain",
                "CleverAgentsRuntime",
                "CleverAgentsTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CleverAgentsLangGraphTests",
            dependencies: [
                "A2AProtocol",
                "CleverAgentsDomain",
                "CleverAgentsRuntime",
                "CleverAgentsLangGraph",
                "CleverAgentsEgress",
                "CleverAgentsTestSupport",
                "LangGraphEmulator",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            resources: [.copy("Transcripts")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CleverAgentsEgressTests",
            dependencies: [
                "CleverAgentsRuntime",
                "CleverAgentsEgress",
                "CleverAgentsTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CleverAgentsPushTests",
            dependencies: [
                "CleverAgentsRuntime",
                "CleverAgentsEgress",
                "CleverAgentsPush",
                "CleverAgentsTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CleverAgentsSQLiteTests",
            dependencies: [
                "A2AProtocol",
                "CleverAgentsDomain",
                "CleverAgentsRuntime",
                "CleverAgentsSQLite",
                "CleverAgentsTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CleverAgentsStdioTests",
            dependencies: [
                "A2AProtocol",
                "CleverAgentsDomain",
                "CleverAgentsRuntime",
                "CleverAgentsStdio",
                "CleverAgentsTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LangGraphEmulatorTests",
            dependencies: [
                "A2AProtocol",
                "LangGraphEmulator",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CleverAgentsPostgresTests",
            dependencies: [
                "A2AProtocol",
                "CleverAgentsDomain",
                "CleverAgentsRuntime",
                "CleverAgentsPostgres",
                "CleverAgentsSQLite",
                "CleverAgentsTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CleverAgentsServerTests",
            dependencies: [
                "A2AProtocol",
                "CleverAgentsDomain",
                "CleverAgentsRuntime",
                "CleverAgentsPostgres",
                "CleverAgentsHTTP",
                "CleverAgentsServer",
                "CleverAgentsTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CleverAgentsClientTests",
            dependencies: [
                "A2AProtocol",
                "CleverAgentsDomain",
                "CleverAgentsRuntime",
                "CleverAgentsPostgres",
                "CleverAgentsSQLite",
                "CleverAgentsClient",
                "CleverAgentsTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
