// swift-tools-version:5.4
// Tools version 5.4 on purpose: from 5.5 on, SwiftPM links an executable on Linux with
// `--defsym main=<module>_main`, which a libFuzzer target (`-parse-as-library`, no `main`;
// libFuzzer brings its own) does not define. Linux only: the root package needs macOS 15.
//
// Fuzz targets (libFuzzer) for the request decoding of the server: the JSON-RPC request
// decoder and the credential header parser. Build and run them with `scripts/fuzz`:
//
//     swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
//
// A separate package so that the main build, its tests and its CI are not affected by the
// sanitizer flags; it builds only the two light modules of the server (A2AProtocol and
// CleverAgentsDomain, Foundation only).

import PackageDescription

let package = Package(
    name: "cleveragents-fuzz",
    dependencies: [
        // Named, so that the products below resolve whatever the clone's directory is called.
        .package(name: "cleveragents-server", path: "..")
    ],
    targets: [
        .executableTarget(
            name: "FuzzJSONRPC",
            dependencies: [
                .product(name: "A2AProtocol", package: "cleveragents-server")
            ]
        ),
        .executableTarget(
            name: "FuzzJSONCodec",
            dependencies: [
                .product(name: "A2AProtocol", package: "cleveragents-server")
            ]
        ),
        .executableTarget(
            name: "FuzzAuthHeader",
            dependencies: [
                .product(name: "CleverAgentsDomain", package: "cleveragents-server")
            ]
        ),
    ]
)
