//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

@testable import CleverAgentsPostgres
import CleverAgentsTestSupport
import Foundation
import Logging
import PostgresNIO
import Testing

/// What an operator is told when a real PostgreSQL refuses, or a URL asks for what it does not offer.
@Suite(.enabled(if: TestEnvironment.hasPostgres), .timeLimit(.minutes(5))) struct DatabaseProblemPostgresTests {
    private static let logger = Logger(label: "test")

    private static func url(_ change: (inout URLComponents) -> Void = { _ in }) throws -> DatabaseURL {
        let base = try #require(TestEnvironment.databaseURL)
        var components = try #require(URLComponents(string: base))
        change(&components)
        let text = try #require(components.string)
        return try DatabaseURL(text)
    }

    /// Runs `body` on one connection to the test database and returns what it threw.
    private static func failure(of sql: PostgresQuery) async throws -> any Error {
        let url = try url()
        let connection = try await PostgresConnection.connect(configuration: try url.connectionConfiguration(), id: 1, logger: logger)
        do {
            _ = try await connection.query(sql, logger: logger).collect()
        } catch {
            try await connection.close()
            return error
        }
        try await connection.close()
        Issue.record("\(sql.sql) did not fail")
        return CancellationError()
    }

    @Test func aRoleAtItsConnectionLimitIsToldToRetryOrRaiseTheLimit() async throws {
        let database = try #require(TestEnvironment.databaseURL)
        let role = "limited_" + TestEnvironment.uniqueName("r").replacingOccurrences(of: "-", with: "_")
        _ = try await PostgresTestDatabase.withClient(url: database) { client in
            try await client.query(PostgresQuery(unsafeSQL: "CREATE ROLE \(role) LOGIN CONNECTION LIMIT 0"), logger: Self.logger)
        }
        let limited = try Self.url { $0.user = role }
        let problem = await #expect(throws: DatabaseProblem.self) { try await limited.check(schema: .any, logger: Self.logger) }
        #expect(problem?.kind == .unreachable && problem?.exitCode == 69, "SQLSTATE 53300 is a full server, not a broken URL")
        #expect(problem?.message.contains("raise max_connections or lower database.poolSize × replicas") == true, "\(String(describing: problem))")
        #expect(problem?.reason.contains("too many connections for role") == true, "PostgreSQL's own words: \(String(describing: problem?.reason))")
        _ = try await PostgresTestDatabase.withClient(url: database) { client in
            try await client.query(PostgresQuery(unsafeSQL: "DROP ROLE \(role)"), logger: Self.logger)
        }
    }

    @Test func aMissingTableIsAnUnmigratedSchemaAndOtherRefusalsKeepTheirSQLSTATE() async throws {
        let url = try Self.url()
        let missing = url.diagnose(try await Self.failure(of: "SELECT * FROM cleveragents_no_such_table"))
        #expect(missing.kind == .notMigrated, "\(missing)")
        #expect(missing.message.contains("has no CleverAgents schema") && missing.message.contains("Run `cleveragents migrate`"), "\(missing)")

        let division = try await Self.failure(of: "SELECT 1 / 0")
        let problem = url.diagnose(division)
        #expect(problem.kind == .other && problem.exitCode == 1)
        #expect(problem.message.hasSuffix("refused the command: division by zero (SQLSTATE 22012)."), "\(problem)")
        #expect(DatabaseURL.summary(of: division) == "division by zero (SQLSTATE 22012)")
    }

    @Test func aURLThatRequiresTLSOfAServerWithoutItSaysSo() async throws {
        // The test server runs without ssl (scripts/services).
        let url = try Self.url { components in
            components.queryItems = (components.queryItems ?? []).filter { $0.name != "sslmode" } + [URLQueryItem(name: "sslmode", value: "require")]
        }
        let problem = await #expect(throws: DatabaseProblem.self) { try await url.check(schema: .any, logger: Self.logger) }
        #expect(problem?.kind == .tls && problem?.exitCode == 78)
        #expect(problem?.message.contains("does not offer TLS, but the URL asks for sslmode=require") == true, "\(String(describing: problem))")
    }

    @Test func aRefusedConnectionIsSummarisedWithTheOperatingSystemsReason() async throws {
        // A port nobody listens on: bind one, note it, close it.
        let port = try DatabaseProblemTests.SilentListener().port
        let url = try DatabaseURL("postgres://postgres@127.0.0.1:\(port)/x?sslmode=disable")
        do {
            _ = try await PostgresConnection.connect(configuration: try url.connectionConfiguration(), id: 1, logger: Self.logger)
            Issue.record("connected to a closed port")
        } catch {
            #expect(DatabaseURL.summary(of: error).hasSuffix("Connection refused"), "\(DatabaseURL.summary(of: error))")
            let problem = url.diagnose(error)
            #expect(problem.kind == .unreachable)
            #expect(problem.message == "Cannot connect to PostgreSQL at 127.0.0.1:\(port): Connection refused. Is PostgreSQL running there? Check --database-url (or DATABASE_URL).")
        }
    }

    @Test func theURLsConnectTimeoutAndServerNameReachTheConnection() throws {
        let url = try DatabaseURL("postgres://app@db.internal:5433/agents?sslmode=verify-full&connect_timeout=7")
        let configuration = try url.connectionConfiguration()
        #expect(configuration.options.connectTimeout == .seconds(7))
        #expect(configuration.options.tlsServerName == "db.internal", "verify-full checks the certificate against the URL's host")
        #expect(try DatabaseURL("postgres://app@db.internal/agents?sslmode=require").connectionConfiguration().options.tlsServerName == nil)
    }

    @Test(.enabled(if: Self.socketDirectory != nil)) func aUnixSocketURLConnectsThroughTheSocket() async throws {
        let directory = try #require(Self.socketDirectory)
        let port = try Self.url().port
        let url = try DatabaseURL("postgres://postgres@/postgres?host=\(directory)&port=\(port)")
        #expect(url.location == "\(directory)/.s.PGSQL.\(port)")
        try await url.check(schema: .any, logger: Self.logger)
    }

    /// The directory of the test server's socket (scripts/services leaves it out when the path
    /// would be too long for a socket).
    static var socketDirectory: String? {
        guard let data = ProcessInfo.processInfo.environment["CLEVERAGENTS_TEST_PG_DATA"],
            let port = ProcessInfo.processInfo.environment["CLEVERAGENTS_TEST_PG_PORT"]
        else { return nil }
        let directory = (data as NSString).deletingLastPathComponent
        return FileManager.default.fileExists(atPath: "\(directory)/.s.PGSQL.\(port)") ? directory : nil
    }
}
