//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation

/// The services `scripts/services up` starts for the tests, read from `CLEVERAGENTS_TEST_*`.
///
/// Integration tests are skipped when a service is not configured, unless
/// `CLEVERAGENTS_TEST_REQUIRE_SERVICES=1` (set by `scripts/test`), in which case they fail:
/// the full suite never silently skips what it is meant to prove.
public enum TestEnvironment {
    static let environment = ProcessInfo.processInfo.environment

    /// The PostgreSQL database of the tests.
    public static var databaseURL: String? { environment["CLEVERAGENTS_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 } }

    /// The real LangGraph dev server running the project's test graphs.
    public static var langGraphURL: String? { environment["CLEVERAGENTS_TEST_LANGGRAPH_URL"].flatMap { $0.isEmpty ? nil : $0 } }

    /// A Python with `a2a-sdk` installed.
    public static var python: String? { environment["CLEVERAGENTS_TEST_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } }
    /// The venv with the official A2A 0.3 client (a2a-sdk 0.3.26).
    public static var pythonA2A03: String? { environment["CLEVERAGENTS_TEST_PYTHON_A2A03"].flatMap { $0.isEmpty ? nil : $0 } }

    /// Directory of PostgreSQL's binaries (`pg_ctl`).
    public static var postgresBinaries: String? { environment["CLEVERAGENTS_TEST_PG_BIN"] }

    /// Data directory of the test cluster.
    public static var postgresData: String? { environment["CLEVERAGENTS_TEST_PG_DATA"] }

    /// Whether missing services are a failure rather than a skip.
    public static var servicesRequired: Bool { environment["CLEVERAGENTS_TEST_REQUIRE_SERVICES"] == "1" }

    /// Whether PostgreSQL-backed tests can run (or must, and will fail).
    public static var hasPostgres: Bool { databaseURL != nil || servicesRequired }

    /// Whether tests that need PostgreSQL and LangGraph can run (or must, and will fail).
    public static var hasServices: Bool { (databaseURL != nil && langGraphURL != nil) || servicesRequired }

    /// Whether tests that drive the Python A2A SDK can run (or must, and will fail).
    public static var hasPython: Bool { (hasServices && python != nil) || servicesRequired }

    /// The repository root (for `testing/` scripts).
    public static var repositoryRoot: URL {
        if let root = environment["CLEVERAGENTS_TEST_REPO"] { return URL(fileURLWithPath: root) }
        // Tests/TestSupport/TestEnvironment.swift → repository root.
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The directory holding the built products (`cleveragents`), next to the test bundle.
    public static var productsDirectory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    /// A fresh name, unique across test runs, so tests share a database without interfering.
    public static func uniqueName(_ prefix: String) -> String {
        let suffix = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(10)
        return "\(prefix)-\(suffix)"
    }
}

/// A required test service is not configured.
public struct MissingTestService: Error, CustomStringConvertible {
    public var name: String

    public init(_ name: String) {
        self.name = name
    }

    public var description: String { "\(name) is not configured; run the suite with scripts/test" }
}
