//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import CleverAgentsDomain
import CleverAgentsPostgres
import CleverAgentsTestSupport
import Foundation
import Testing

/// The `cleveragents` executable, as operators and scripts run it.
@Suite(.enabled(if: TestEnvironment.hasServices)) struct CommandLineTests {
    @Test(arguments: [[], ["serve"], ["migrate"], ["admin"], ["admin", "namespace", "create"], ["admin", "actor", "put"]])
    func everyCommandPrintsHelp(_ path: [String]) async throws {
        let output = try await ChildProcess.run(ChildProcess.cleveragents, path + ["--help"])
        #expect(output.status == 0)
        #expect(output.stdout.contains("USAGE: cleveragents"))
    }

    @Test func namespacesAndActorsAreCreatedFromTheCommandLine() async throws {
        let database = try #require(TestEnvironment.databaseURL)
        let graph = try #require(TestEnvironment.langGraphURL)
        let environment = ["DATABASE_URL": database]
        let migrate = try await ChildProcess.run(ChildProcess.cleveragents, ["migrate"], environment: environment)
        #expect(migrate.status == 0, "\(migrate.stderr)")

        let name = TestEnvironment.uniqueName("cli")
        let create = try await ChildProcess.run(ChildProcess.cleveragents, ["admin", "namespace", "create", name, "--auth", "disabled", "--database-url", database])
        #expect(create.status == 0, "\(create.stderr)")
        #expect(create.stdout.contains("Created namespace \(name)"))

        let again = try await ChildProcess.run(ChildProcess.cleveragents, ["admin", "namespace", "create", name], environment: environment)
        #expect(again.status != 0)
        #expect(again.stderr.contains("already exists"))

        let invalid = try await ChildProcess.run(ChildProcess.cleveragents, ["admin", "namespace", "create", "Bad_Name"], environment: environment)
        #expect(invalid.status != 0)
        #expect(invalid.stderr.contains("Invalid namespace name"))

        let actor = try await ChildProcess.run(
            ChildProcess.cleveragents,
            ["admin", "actor", "put", "--namespace", name, "--name", "echo", "--graph-url", graph, "--assistant", "echo", "--default", "--api-key-env", "TEST_GRAPH_KEY"],
            environment: environment.merging(["TEST_GRAPH_KEY": "graph-secret-123"]) { _, new in new }
        )
        #expect(actor.status == 0, "\(actor.stderr)")
        #expect(!actor.stdout.contains("graph-secret-123"))

        let missing = try await ChildProcess.run(
            ChildProcess.cleveragents,
            ["admin", "actor", "put", "--namespace", TestEnvironment.uniqueName("nope"), "--name", "echo", "--graph-url", graph, "--assistant", "echo"],
            environment: environment
        )
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("does not exist"))

        try await PostgresTestDatabase.withStore { store, _ in
            let actors = try await store.actors(in: NamespaceName(name)!)
            #expect(actors.map(\.name) == ["echo"])
            #expect(actors.first?.isDefault == true)
            let sealed = try #require(actors.first?.apiKey)
            #expect(!sealed.sealed.contains("graph-secret-123"), "the key is stored sealed")
        }
    }

    @Test func withoutADatabaseTheCommandsSaySo() async throws {
        let output = try await ChildProcess.run(
            "/usr/bin/env",
            ["-u", "DATABASE_URL", "-u", "PGHOST", "-u", "PGPORT", "-u", "PGUSER", "-u", "PGDATABASE", ChildProcess.cleveragents, "migrate"]
        )
        #expect(output.status != 0)
        #expect(output.stderr.contains("--database-url"))
    }

    @Test func serveStartsAnswersAndExitsCleanlyOnSIGTERM() async throws {
        let database = try #require(TestEnvironment.databaseURL)
        let port = Int.random(in: 20_000...40_000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ChildProcess.cleveragents)
        process.arguments = ["serve", "--port", String(port), "--database-url", database, "--log-level", "warning"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let client = RPCTestClient()
        var ready = false
        for _ in 0..<200 where !ready {
            ready = (try? await client.get("http://127.0.0.1:\(port)/readyz"))?.status == 200
            if !ready { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(ready, "the server became ready")
        process.terminate()  // SIGTERM
        let status = try await ChildProcess.wait(for: process)
        #expect(status == 0, "graceful shutdown exits 0")
    }
}
