//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
public import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// Why a database cannot be used, in an operator's terms: what went wrong and what to do.
public struct DatabaseProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Nothing answers at the address (refused, no route, unknown host, connect time-out).
        case unreachable
        /// Connected, but no answer in time.
        case timedOut
        /// The role or its password was refused.
        case authentication
        /// The database named in the URL does not exist.
        case databaseMissing
        /// TLS was required but not offered, or its handshake failed.
        case tls
        /// The CleverAgents schema is missing or older than this binary.
        case notMigrated
        /// A newer binary migrated the schema.
        case schemaNewer
        /// Anything else PostgreSQL refused.
        case other
    }

    public var kind: Kind
    /// The whole message: the failure, then what to do.
    public var message: String
    /// The failure alone, without the address or advice (for `/readyz`, which anyone may read).
    public var reason: String

    public init(_ kind: Kind, _ message: String, reason: String) {
        self.kind = kind
        self.message = message
        self.reason = reason
    }

    public var description: String { message }

    /// The process exit code of a command that stops on this problem (`sysexits.h`):
    /// 69 (`EX_UNAVAILABLE`) when PostgreSQL cannot be reached or does not answer, 77
    /// (`EX_NOPERM`) when it refuses the login, 78 (`EX_CONFIG`) when the URL, its TLS mode or
    /// the schema does not fit, 1 otherwise.
    public var exitCode: Int32 {
        switch kind {
        case .unreachable, .timedOut: 69
        case .authentication: 77
        case .databaseMissing, .tls, .notMigrated, .schemaNewer: 78
        case .other: 1
        }
    }
}

/// What a check expects of the schema.
public enum SchemaExpectation: Sendable, Hashable {
    /// Only that the database answers (for `migrate`).
    case any
    /// Every migration this binary knows is applied, and nothing newer.
    case current
}

extension DatabaseURL {
    /// Connects once, outside any pool (whose retries hide the cause), and checks the schema.
    ///
    /// Throws a ``DatabaseProblem`` that says what is wrong and what to do; returns when the
    /// database can be used.
    public func check(schema: SchemaExpectation, migrations: [Migration] = Migration.all, timeout: Duration = .seconds(30), logger: Logger) async throws(DatabaseProblem) {
        let connection: PostgresConnection
        do {
            connection = try await Self.withTimeout(timeout) { [self] in
                try await PostgresConnection.connect(configuration: try connectionConfiguration(), id: 0, logger: logger)
            }
        } catch {
            throw diagnose(error, timeout: timeout)
        }
        guard schema == .current else {
            try? await connection.close()
            return
        }
        let applied: [Int]
        do {
            applied = try await Self.withTimeout(timeout) { try await PostgresMigrator.appliedVersions(on: connection, logger: logger) }
            try? await connection.close()
        } catch {
            try? await connection.close()
            throw diagnose(error, timeout: timeout)
        }
        let latest = migrations.map(\.version).max() ?? 0
        if let newest = applied.max(), newest > latest {
            throw DatabaseProblem(
                .schemaNewer,
                "The schema of database '\(database)' at \(location) is version \(newest), newer than this binary knows (\(latest)): a newer CleverAgents release migrated it. Use a release at least as new.",
                reason: "the schema (version \(newest)) is newer than this binary (\(latest))"
            )
        }
        guard Set(migrations.map(\.version)).isSubset(of: applied) else {
            let state = applied.isEmpty ? "has no CleverAgents schema" : "has schema version \(applied.max() ?? 0), older than this binary needs (\(latest))"
            throw DatabaseProblem(
                .notMigrated,
                "Database '\(database)' at \(location) \(state). Run `cleveragents migrate` with the same --database-url first.",
                reason: "the schema is not migrated"
            )
        }
    }

    /// The problem behind a failure to connect to or query this database.
    public func diagnose(_ error: any Error, timeout: Duration? = nil) -> DatabaseProblem {
        let advice = "Check --database-url (or DATABASE_URL)."
        switch error {
        case let problem as DatabaseProblem:
            return problem
        case is CheckTimedOut:
            let within = timeout.map { " within \($0)" } ?? ""
            return DatabaseProblem(
                .timedOut,
                "PostgreSQL at \(location) did not answer\(within). Is it overloaded, or is something else listening there? \(advice)",
                reason: "no answer\(within)"
            )
        case let error as PSQLError:
            return diagnose(error, advice: advice)
        case let error as NIOSSLError:
            return tlsFailure("\(error)", advice: advice)
        default:
            return DatabaseProblem(.other, "PostgreSQL at \(location) failed: \(error). \(advice)", reason: "\(error)")
        }
    }

    private func diagnose(_ error: PSQLError, advice: String) -> DatabaseProblem {
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            let said = error.serverInfo?[.message] ?? "no message"
            switch state {
            case "28P01", "28000":
                return DatabaseProblem(
                    .authentication,
                    "PostgreSQL at \(location) refused role '\(username)': \(said). Check the user and password in --database-url (or DATABASE_URL).",
                    reason: "authentication failed: \(said)"
                )
            case "3D000":
                return DatabaseProblem(
                    .databaseMissing,
                    "Database '\(database)' does not exist at \(location). Create it (createdb -h \(host) -p \(port) -U \(username) \(database)) or name an existing one in --database-url.",
                    reason: "database '\(database)' does not exist"
                )
            case "53300":
                return DatabaseProblem(
                    .unreachable,
                    "PostgreSQL at \(location) refused the connection: \(said). Retry in a moment; if it lasts, raise max_connections or lower database.poolSize × replicas.",
                    reason: said
                )
            case "57P03":
                return DatabaseProblem(.unreachable, "PostgreSQL at \(location) is starting up or shutting down: \(said). Retry in a moment.", reason: said)
            case "42P01":
                return DatabaseProblem(
                    .notMigrated,
                    "Database '\(database)' at \(location) has no CleverAgents schema (\(said)). Run `cleveragents migrate` with the same --database-url first.",
                    reason: "the schema is not migrated"
                )
            default:
                return DatabaseProblem(.other, "PostgreSQL at \(location) refused the command: \(said) (SQLSTATE \(state)).", reason: "\(said) (SQLSTATE \(state))")
            }
        case .sslUnsupported:
            return DatabaseProblem(
                .tls,
                "PostgreSQL at \(location) does not offer TLS, but the URL asks for sslmode=\(sslMode.rawValue). Enable ssl on the server, or use sslmode=disable on a trusted network (never in production).",
                reason: "TLS required but not offered"
            )
        case .failedToAddSSLHandler, .receivedUnencryptedDataAfterSSLRequest:
            return tlsFailure("\(error.code)", advice: advice)
        case .connectionError:
            if let tls = error.underlying as? NIOSSLError { return tlsFailure("\(tls)", advice: advice) }
            let why = error.underlying.map(Self.connectFailure) ?? "the connection failed"
            return DatabaseProblem(.unreachable, "Cannot connect to PostgreSQL at \(location): \(why). Is PostgreSQL running there? \(advice)", reason: why)
        case .serverClosedConnection, .uncleanShutdown:
            return DatabaseProblem(.unreachable, "PostgreSQL at \(location) closed the connection. Is it shutting down? \(advice)", reason: "the server closed the connection")
        case .authMechanismRequiresPassword, .unsupportedAuthMechanism, .saslError:
            return DatabaseProblem(
                .authentication,
                "PostgreSQL at \(location) asks role '\(username)' for a password this URL does not give (or in a way it cannot answer: \(error.code)). Put the password in --database-url (or DATABASE_URL).",
                reason: "authentication failed (\(error.code))"
            )
        default:
            return DatabaseProblem(.other, "PostgreSQL at \(location) failed: \(error.code). \(advice)", reason: "\(error.code)")
        }
    }

    private func tlsFailure(_ detail: String, advice: String) -> DatabaseProblem {
        DatabaseProblem(
            .tls,
            "TLS with PostgreSQL at \(location) failed (sslmode=\(sslMode.rawValue)): \(detail). Check the server's certificate and sslrootcert. \(advice)",
            reason: "TLS failed: \(detail)"
        )
    }

    /// Where the database is, for messages (no credentials).
    public var location: String {
        unixSocketDirectory.map { "\($0)/.s.PGSQL.\(port)" } ?? "\(host):\(port)"
    }

    /// A failure in a few words for a log line: PostgreSQL's own message and SQLSTATE, or the
    /// reason a connection failed. (`PSQLError` describes itself only as "Generic description
    /// to prevent accidental leakage of sensitive data".)
    public static func summary(of error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] {
            return "\(message) (SQLSTATE \(error.serverInfo?[.sqlState] ?? "?"))"
        }
        if let underlying = error.underlying { return "\(error.code): \(connectFailure(underlying))" }
        return "\(error.code)"
    }

    /// The operating system's reason for a failed connect ("Connection refused").
    static func connectFailure(_ error: any Error) -> String {
        switch error {
        case let error as NIOConnectionError:
            if let dns = error.dnsAError ?? error.dnsAAAAError { return "the host name did not resolve (\(dns))" }
            if let first = error.connectionErrors.first { return connectFailure(first.error) }
            return "no address to connect to"
        case let error as IOError:
            return String(cString: strerror(error.errnoCode))
        case ChannelError.connectTimeout(let limit):
            return "no answer to the connection attempt within \(Duration.nanoseconds(limit.nanoseconds))"
        default:
            return "\(error)"
        }
    }

    /// The configuration of one connection (for ``check(schema:migrations:timeout:logger:)``;
    /// the server's pool uses ``clientConfiguration()``).
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if let directory = unixSocketDirectory {
            configuration = .init(unixSocketPath: "\(directory)/.s.PGSQL.\(port)", username: username, password: password, database: database)
        } else {
            let tls: PostgresConnection.Configuration.TLS
            switch tlsPolicy.use {
            case .disabled: tls = .disable
            case .preferred: tls = .prefer(try NIOSSLContext(configuration: tlsConfiguration()))
            case .required: tls = .require(try NIOSSLContext(configuration: tlsConfiguration()))
            }
            configuration = .init(host: host, port: port, username: username, password: password, database: database, tls: tls)
        }
        if let connectTimeoutSeconds {
            configuration.options.connectTimeout = .seconds(Int64(connectTimeoutSeconds))
        }
        if sslMode == .verifyFull {
            configuration.options.tlsServerName = host
        }
        return configuration
    }

    private struct CheckTimedOut: Error {}

    private static func withTimeout<Result: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
        try await withThrowingTaskGroup(of: Result.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                throw CheckTimedOut()
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}
