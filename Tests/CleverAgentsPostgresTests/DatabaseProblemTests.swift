//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import CleverAgentsPostgres
import Foundation
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What an operator is told about a database that does not behave like one.
@Suite(.timeLimit(.minutes(2))) struct DatabaseProblemTests {
    /// A loopback port that accepts connections (the kernel completes them) and never answers.
    final class SilentListener {
        let descriptor: Int32
        let port: Int

        init() throws {
            #if canImport(Glibc)
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            #else
            let descriptor = socket(AF_INET, SOCK_STREAM, 0)
            #endif
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = 0
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0, listen(descriptor, 16) == 0 else {
                close(descriptor)
                throw POSIXError(.EADDRINUSE)
            }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
            }
            self.descriptor = descriptor
            self.port = Int(UInt16(bigEndian: address.sin_port))
        }

        deinit { close(descriptor) }
    }

    @Test func aServerThatNeverAnswersIsReportedAsNotAnsweringInTime() async throws {
        let silent = try SilentListener()
        let url = try DatabaseURL("postgres://postgres@127.0.0.1:\(silent.port)/x?sslmode=disable")
        // The suite's time limit bounds a check that waited for ever; `.timedOut` says it gave up.
        let problem = await #expect(throws: DatabaseProblem.self) {
            try await url.check(schema: .any, timeout: .milliseconds(300), logger: Logger(label: "test"))
        }
        #expect(problem?.kind == .timedOut)
        #expect(problem?.exitCode == 69)
        #expect(problem?.message.contains("PostgreSQL at 127.0.0.1:\(silent.port) did not answer within 0.3 seconds") == true, "\(String(describing: problem))")
        #expect(problem?.reason.contains("127.0.0.1") == false, "the reason names no address")
    }

    @Test func eachKindHasTheExitCodeOfItsClass() {
        let codes = Dictionary(uniqueKeysWithValues: DatabaseProblem.Kind.allCases.map { ($0, DatabaseProblem($0, "m", reason: "r").exitCode) })
        #expect(codes == [
            .unreachable: 69, .timedOut: 69, .authentication: 77, .databaseMissing: 78, .tls: 78, .notMigrated: 78, .schemaNewer: 78, .other: 1,
        ])
        #expect("\(DatabaseProblem(.other, "the message", reason: "r"))" == "the message")
    }

    @Test func aFailureOtherThanPostgreSQLsIsSaidAsItIs() throws {
        let url = try DatabaseURL("postgres://postgres@db.example:5432/x")
        let problem = url.diagnose(CancellationError())
        #expect(problem.kind == .other)
        #expect(problem.message.hasPrefix("PostgreSQL at db.example:5432 failed"))
        #expect(DatabaseURL.summary(of: CancellationError()) == "CancellationError()")
    }
}
