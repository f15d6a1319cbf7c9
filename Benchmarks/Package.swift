// swift-tools-version:6.1
// Micro-benchmarks of CleverAgents Server, run with `swift package --disable-sandbox benchmark`.
// A separate package, so that the server's own dependency graph stays free of ordo-one/benchmark.

import PackageDescription

let package = Package(
    name: "cleveragents-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "cleveragents-server", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        // The interposer trait counts mallocs without jemalloc.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "CleverAgentsBenchmarks",
            dependencies: [
                .product(name: "A2AProtocol", package: "cleveragents-server"),
                .product(name: "CleverAgentsDomain", package: "cleveragents-server"),
                .product(name: "CleverAgentsRuntime", package: "cleveragents-server"),
                .product(name: "CleverAgentsHTTP", package: "cleveragents-server"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/CleverAgentsBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
