//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

@testable import CleverAgentsPostgres
import CleverAgentsRuntime
import CleverAgentsTestSupport
import Logging
import PostgresNIO
import Testing

/// PostgreSQL's own errors, raised by a real server, become the store errors the service maps to
/// JSON-RPC: a conflict is retried, an unavailable database is a 503, the rest stays as it is.
@Suite(.enabled(if: TestEnvironment.hasPostgres), .timeLimit(.minutes(5))) struct StoreErrorTranslationTests {
    /// The error a real server answers when a statement raises `sqlState`.
    static func serverError(_ sqlState: String) async throws -> any Error {
        try await PostgresTestDatabase.withStore { _, client in
            do {
                try await client.query(
                    PostgresQuery(unsafeSQL: "DO $$ BEGIN RAISE EXCEPTION 'raised by the test' USING ERRCODE = '\(sqlState)'; END $$"),
                    logger: Logger(label: "test")
                )
            } catch {
                return error
            }
            throw TestFailure("the statement did not fail")
        }
    }

    struct TestFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @Test(arguments: [
        ("23505", StoreError.alreadyExists),
        ("40001", .conflict),
        ("40P01", .conflict),
        ("57P01", .unavailable("the database is restarting")),
        ("57P02", .unavailable("the database is restarting")),
        ("57P03", .unavailable("the database is restarting")),
        ("08006", .unavailable("the database is restarting")),
        ("53300", .unavailable("the database has no connection to spare")),
    ])
    func serverErrorsBecomeStoreErrors(sqlState: String, expected: StoreError) async throws {
        let error = try await Self.serverError(sqlState)
        #expect(PostgresStore.translate(error) as? StoreError == expected)
    }

    @Test func otherServerErrorsStayAsTheyAre() async throws {
        let error = try await Self.serverError("22012")
        let translated = PostgresStore.translate(error)
        #expect(translated is PSQLError, "\(translated)")
        #expect((translated as? PSQLError)?.serverInfo?[.sqlState] == "22012")
    }

    @Test func anErrorInsideATransactionIsTranslatedToo() async throws {
        let error = try await PostgresTestDatabase.withStore { _, client in
            do {
                try await client.withTransaction(logger: Logger(label: "test")) { connection in
                    try await connection.query("DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '40P01'; END $$", logger: Logger(label: "test"))
                }
            } catch {
                return error
            }
            throw TestFailure("the transaction did not fail")
        }
        #expect(error is PostgresTransactionError)
        #expect(PostgresStore.translate(error) as? StoreError == .conflict)
    }

    @Test func aRefusedConnectionIsUnavailable() async throws {
        let url = try DatabaseURL("postgres://postgres@127.0.0.1:1/x?sslmode=disable")
        let error: any Error
        do {
            _ = try await PostgresConnection.connect(configuration: try url.connectionConfiguration(), id: 1, logger: Logger(label: "test"))
            throw TestFailure("connected to a closed port")
        } catch let failure as PSQLError {
            error = failure
        }
        #expect(PostgresStore.translate(error) as? StoreError == .unavailable("the database cannot be reached"))
    }
}
