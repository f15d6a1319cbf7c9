//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import CleverAgentsPostgres
import CleverAgentsRuntime
import CleverAgentsServer
import CleverAgentsTestSupport
import Foundation
import Logging
import PostgresNIO
import Testing

/// The `cleveragents` executable, as operators and scripts run it.
@Suite(.enabled(if: TestEnvironment.hasServices), .timeLimit(.minutes(5))) struct CommandLineTests {
    @Test(arguments: [[], ["serve"], ["migrate"], ["admin"], ["admin", "namespace", "create"], ["admin", "actor", "put"]])
    func everyCommandPrintsHelp(_ path: [String]) async throws {
        let output = try await ChildProcess.run(ChildProcess.cleveragents, path + ["--help"])
        #expect(output.status == 0)
        #expect(output.stdout.contains("USAGE: cleveragents"))
    }

    /// `migrate` reads its database as `serve` does: from the YAML file, under the environment,
    /// under `--database-url`, and a bad `database.*` value names its key.
    @Test func migrateReadsTheDatabaseAsServeDoes() async throws {
        let database = try #require(TestEnvironment.databaseURL)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(TestEnvironment.uniqueName("config"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("server.yaml")
        try "database:\n  url: \"\(database)\"\n".write(to: file, atomically: true, encoding: .utf8)
        // No DATABASE_URL: the file alone names the database.
        let fromFile = try await ChildProcess.run(ChildProcess.cleveragents, ["migrate", "--config", file.path], environment: ["DATABASE_URL": ""], currentDirectory: directory)
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        let fromVariable = try await ChildProcess.run(
            ChildProcess.cleveragents, ["migrate"], environment: ["DATABASE_URL": "", "CLEVERAGENTS_DATABASE_URL": database], currentDirectory: directory)
        #expect(fromVariable.status == 0, "\(fromVariable.stderr)")
        let nowhere = try await ChildProcess.run(ChildProcess.cleveragents, ["migrate"], environment: ["DATABASE_URL": ""], currentDirectory: directory)
        #expect(nowhere.status != 0)
        #expect(nowhere.stderr.contains("invalid configuration 'database.url': is required"))
        let badPool = try await ChildProcess.run(
            ChildProcess.cleveragents, ["migrate", "--config", file.path], environment: ["DATABASE_URL": "", "CLEVERAGENTS_DATABASE_POOL_SIZE": "many"],
            currentDirectory: directory)
        #expect(badPool.status != 0)
        #expect(badPool.stderr.contains("invalid configuration 'database.poolSize'"))
    }

    /// `admin namespace create` takes the mode from where `serve` does: production in the YAML
    /// file alone refuses a namespace without authentication.
    @Test func namespaceCreationTakesTheModeFromTheConfigurationFile() async throws {
        let database = try #require(TestEnvironment.databaseURL)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(TestEnvironment.uniqueName("config"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("server.yaml")
        try "mode: production\n".write(to: file, atomically: true, encoding: .utf8)
        let name = TestEnvironment.uniqueName("open")
        let refused = try await ChildProcess.run(
            ChildProcess.cleveragents, ["admin", "namespace", "create", name, "--auth", "disabled", "--config", file.path, "--database-url", database],
            currentDirectory: directory)
        #expect(refused.status == 64 && refused.stderr.contains("refuses namespaces with authentication disabled"), "\(refused.stderr)")
        let created = try await ChildProcess.run(
            ChildProcess.cleveragents, ["admin", "namespace", "create", name, "--auth", "disabled", "--database-url", database], currentDirectory: directory)
        #expect(created.status == 0, "development mode (no file) allows it: \(created.stderr)")
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

    @Test func tokensAndSuperadminsAreManagedFromTheCommandLine() async throws {
        let database = try #require(TestEnvironment.databaseURL)
        let environment = ["DATABASE_URL": database]
        let cli = { (arguments: [String]) in try await ChildProcess.run(ChildProcess.cleveragents, arguments, environment: environment) }
        #expect(try await cli(["migrate"]).status == 0)
        let name = TestEnvironment.uniqueName("cli-token")
        #expect(try await cli(["admin", "namespace", "create", name]).status == 0)

        let created = try await cli(["admin", "token", "create", "--namespace", name, "--principal", "alice", "--role", "member", "--name", "ci", "--expires-in-days", "30"])
        #expect(created.status == 0, "\(created.stderr)")
        let text = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let token = try #require(APITokenText(text), "prints only the token")

        for (arguments, message) in [
            (["--namespace", "Bad_Name", "--principal", "alice"], "Invalid namespace name"),
            (["--namespace", name, "--principal", "Not Valid"], "Invalid principal"),
            (["--namespace", name, "--principal", "alice", "--role", "king"], "--role must be"),
            (["--namespace", name, "--principal", "alice", "--expires-in-days", "0"], "--expires-in-days must be at least 1"),
            (["--namespace", TestEnvironment.uniqueName("nope"), "--principal", "alice"], "does not exist"),
        ] {
            let refused = try await cli(["admin", "token", "create"] + arguments)
            #expect(refused.status != 0, "\(arguments)")
            #expect(refused.stderr.contains(message), "\(arguments): \(refused.stderr)")
        }

        let superadmin = try await cli(["admin", "superadmin", "create", "svc-root"])
        #expect(superadmin.status == 0, "\(superadmin.stderr)")
        let rootToken = try #require(APITokenText(superadmin.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))

        try await PostgresTestDatabase.withStore { store, _ in
            let credential = try #require(try await store.credential(tokenID: token.id))
            #expect(credential.token.principal == "alice")
            #expect(credential.token.name == "ci")
            #expect(credential.token.expiresAt != nil)
            #expect(try await store.role(of: "alice", in: NamespaceName(name)!) == .member)
            #expect(try await store.credential(tokenID: rootToken.id)?.isSuperadmin == true)
            #expect(try await store.principal(id: "svc-root")?.isSuperadmin == true)
        }

        // Revoked by the whole token, then by its id: once only.
        let revoked = try await cli(["admin", "token", "revoke", "--namespace", name, text])
        #expect(revoked.status == 0, "\(revoked.stderr)")
        #expect(revoked.stdout.contains("Revoked token \(token.id)."))
        let again = try await cli(["admin", "token", "revoke", "--namespace", name, token.id])
        #expect(again.status != 0)
        #expect(again.stderr.contains("No active token"))
        let invalid = try await cli(["admin", "token", "revoke", "--namespace", "Bad_Name", token.id])
        #expect(invalid.status != 0)
        #expect(invalid.stderr.contains("Invalid namespace name"))
        let invalidRoot = try await cli(["admin", "superadmin", "create", "Not Valid"])
        #expect(invalidRoot.status != 0)
        #expect(invalidRoot.stderr.contains("Invalid principal"))
        // A name a namespace uses (its admin may have chosen it) never becomes a superadmin.
        let squatted = try await cli(["admin", "superadmin", "create", "alice"])
        #expect(squatted.status != 0)
        #expect(squatted.stderr.contains("has tokens or roles in namespaces"), "\(squatted.stderr)")
        let alice = try await PostgresTestDatabase.withStore { store, _ in try await store.principal(id: "alice") }
        #expect(alice?.isSuperadmin == false)
    }

    @Test func theAdminCommandsReadTheServersConfigurationFile() async throws {
        let database = try #require(TestEnvironment.databaseURL)
        let pepper = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let key = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cleveragents-\(UUID().uuidString).yaml")
        try "auth:\n  tokenPepper: \(pepper)\nsecrets:\n  key: \(key)\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let environment = ["DATABASE_URL": database]
        let name = TestEnvironment.uniqueName("cli-config")
        // On a fresh database this test may run first: it migrates as an operator would.
        let migrate = try await ChildProcess.run(ChildProcess.cleveragents, ["migrate"], environment: environment)
        #expect(migrate.status == 0, "\(migrate.stderr)")
        let namespace = try await ChildProcess.run(ChildProcess.cleveragents, ["admin", "namespace", "create", name], environment: environment)
        #expect(namespace.status == 0, "\(namespace.stderr)")
        let created = try await ChildProcess.run(
            ChildProcess.cleveragents, ["admin", "token", "create", "--namespace", name, "--principal", "carol", "--role", "viewer", "--config", file.path],
            environment: environment
        )
        #expect(created.status == 0, "\(created.stderr)")
        let text = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try await PostgresTestDatabase.withStore { store, _ in
            // The token's hash is keyed with the file's pepper, as the server would check it.
            let withFile = Authenticator(identities: store, pepper: Array(Data(base64Encoded: pepper)!))
            let caller = try await withFile.authenticate(text, namespace: NamespaceName(name)!, actor: NamespaceActor(name: NamespaceName(name)!, ports: NamespacePorts(namespaces: store, identities: store)))
            #expect(caller.role == .viewer)
            let development = Authenticator(identities: store, pepper: Array(Data(base64Encoded: ServerConfiguration.developmentTokenPepperForTools)!))
            await #expect(throws: AuthenticationError.invalid) {
                try await development.authenticate(text, namespace: NamespaceName(name)!, actor: NamespaceActor(name: NamespaceName(name)!, ports: NamespacePorts(namespaces: store, identities: store)))
            }
        }
        // Production without its secrets is refused, naming the key, instead of sealing with the development key.
        let refused = try await ChildProcess.run(
            ChildProcess.cleveragents, ["admin", "token", "create", "--namespace", name, "--principal", "carol"],
            environment: environment.merging(["CLEVERAGENTS_MODE": "production", "DATABASE_URL": database + (database.contains("?") ? "&" : "?") + "sslmode=disable"]) { _, new in new }
        )
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("secrets.key"), "\(refused.stderr)")
    }

    @Test func withoutADatabaseTheCommandsSaySo() async throws {
        let output = try await ChildProcess.run(
            "/usr/bin/env",
            ["-u", "DATABASE_URL", "-u", "PGHOST", "-u", "PGPORT", "-u", "PGUSER", "-u", "PGDATABASE", ChildProcess.cleveragents, "migrate"]
        )
        #expect(output.status != 0)
        #expect(output.stderr.contains("--database-url"))
    }

    @Test func aDatabaseThatCannotBeUsedIsSaidInTheOperatorsTermsWithTheExitCodeOfItsClass() async throws {
        let database = try DatabaseURL(try #require(TestEnvironment.databaseURL))
        func url(user: String? = nil, port: Int? = nil, name: String? = nil, sslmode: String = "disable") -> String {
            "postgres://\(user ?? database.username)@\(database.host):\(port ?? database.port)/\(name ?? database.database)?sslmode=\(sslmode)"
        }
        @Sendable func admin(_ databaseURL: String) async throws -> ChildProcess.Output {
            try await ChildProcess.run(ChildProcess.cleveragents, ["admin", "namespace", "create", TestEnvironment.uniqueName("err"), "--database-url", databaseURL])
        }
        // Port 1 on the loopback interface: privileged and unused, so connections are refused.
        let stopped = try await admin(url(port: 1))
        #expect(stopped.status == 69, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("Cannot connect to PostgreSQL at \(database.host):1: Connection refused. Is PostgreSQL running there?"), "\(stopped.stderr)")
        let migrateStopped = try await ChildProcess.run(ChildProcess.cleveragents, ["migrate", "--database-url", url(port: 1)])
        #expect(migrateStopped.status == 69 && migrateStopped.stderr.contains("Connection refused"), "\(migrateStopped.stderr)")

        let role = try await admin(url(user: "no_such_role"))
        #expect(role.status == 77, "\(role.stderr)")
        #expect(role.stderr.contains("refused role 'no_such_role'"), "\(role.stderr)")

        let missing = try await admin(url(name: "no_such_database"))
        #expect(missing.status == 78, "\(missing.stderr)")
        #expect(missing.stderr.contains("Database 'no_such_database' does not exist"), "\(missing.stderr)")

        let tls = try await admin(url(sslmode: "require"))
        #expect(tls.status == 78, "\(tls.stderr)")
        #expect(tls.stderr.contains("does not offer TLS, but the URL asks for sslmode=require"), "\(tls.stderr)")

        for output in [stopped, role, missing, tls] {
            #expect(!output.stderr.contains("PSQLError") && !output.stderr.contains("ConnectionPoolError"), "no raw error: \(output.stderr)")
        }

        try await PostgresTestDatabase.withFreshDatabase { fresh in
            let empty = try await admin(fresh)
            #expect(empty.status == 78, "\(empty.stderr)")
            #expect(empty.stderr.contains("has no CleverAgents schema. Run `cleveragents migrate`"), "\(empty.stderr)")

            let migrated = try await ChildProcess.run(ChildProcess.cleveragents, ["migrate", "--database-url", fresh])
            try #require(migrated.status == 0, "\(migrated.stderr)")
            let works = try await admin(fresh)
            #expect(works.status == 0, "migrated, the same command works: \(works.stderr)")

            // A newer release migrated it further.
            try await PostgresTestDatabase.withClient(url: fresh) { client in
                try await client.query("INSERT INTO schema_migrations (version, name) VALUES (99999, 'from the future')", logger: Logger(label: "test"))
            }
            let newer = try await admin(fresh)
            #expect(newer.status == 78, "\(newer.stderr)")
            #expect(newer.stderr.contains("is version 99999, newer than this binary knows"), "\(newer.stderr)")
        }
    }

    @Test func anyAdminOperationRunsOnTheDatabaseOrOnAServerAndPrintsJSON() async throws {
        let database = try #require(TestEnvironment.databaseURL)
        let server = try await TestServer.start()
        do {
            let namespace = try await server.createNamespace(authMode: .required)
            let cli = { (arguments: [String]) in try await ChildProcess.run(ChildProcess.cleveragents, ["admin", "call"] + arguments + ["--database-url", database]) }
            // On the database: a team, then the list shows it, as JSON a script can read.
            let created = try await cli(["teams/create", "--namespace", namespace.rawValue, "--params", #"{"name":"writers"}"#])
            #expect(created.status == 0, "\(created.stderr)")
            let teams = try await cli(["_cleveragents/admin/teams/list", "--namespace", namespace.rawValue, "--json"])
            #expect(teams.status == 0, "\(teams.stderr)")
            let listed = try JSONDecoder().decode(JSONValue.self, from: Data(teams.stdout.utf8))
            #expect(listed["teams"]?.arrayValue?.contains { $0["name"] == "writers" } == true, "\(teams.stdout)")

            // Mistakes are said before anything runs.
            let unknown = try await cli(["teams/explode", "--namespace", namespace.rawValue])
            #expect(unknown.status == 64 && unknown.stderr.contains("teams/explode"), "\(unknown.stderr)")
            let noNamespace = try await cli(["teams/list"])
            #expect(noNamespace.status == 64 && noNamespace.stderr.contains("give --namespace"), "\(noNamespace.stderr)")
            let badParams = try await cli(["teams/create", "--namespace", namespace.rawValue, "--params", "[1]"])
            #expect(badParams.status == 64 && badParams.stderr.contains("JSON object"), "\(badParams.stderr)")

            // On the server, with a namespace admin's token: no database credentials needed.
            let token = try await IsolationTests.token(server, namespace, TestEnvironment.uniqueName("ops"), .admin)
            let remote = try await ChildProcess.run(
                ChildProcess.cleveragents,
                ["admin", "call", "teams/list", "--namespace", namespace.rawValue, "--url", server.baseURL, "--token", token, "--json"]
            )
            #expect(remote.status == 0, "\(remote.stderr)")
            #expect(try JSONDecoder().decode(JSONValue.self, from: Data(remote.stdout.utf8)) == listed, "the same answer either way")
            // The server's own refusals come back as such: a namespace admin is no superadmin.
            let refused = try await ChildProcess.run(
                ChildProcess.cleveragents, ["admin", "call", "namespaces/list", "--url", server.baseURL, "--token", token]
            )
            #expect(refused.status != 0 && refused.stderr.contains("JSON-RPC"), "\(refused.stderr)")
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func adminResultsPrintAsTablesForPeople() async throws {
        let database = try #require(TestEnvironment.databaseURL)
        // On a fresh database this test may run first: it migrates as an operator would.
        let migrated = try await ChildProcess.run(ChildProcess.cleveragents, ["migrate", "--database-url", database])
        try #require(migrated.status == 0, "\(migrated.stderr)")
        let namespace = TestEnvironment.uniqueName("tables")
        let alice = TestEnvironment.uniqueName("alice")
        let created = try await ChildProcess.run(ChildProcess.cleveragents, ["admin", "namespace", "create", namespace, "--database-url", database])
        #expect(created.status == 0, "\(created.stderr)")
        let call = { (operation: String, params: String) in
            let result = try await ChildProcess.run(
                ChildProcess.cleveragents,
                ["admin", "call", operation, "--namespace", namespace, "--params", params, "--database-url", database]
            )
            #expect(result.status == 0, "\(operation): \(result.stderr)")
            return result.stdout.split(separator: "\n").map(String.init)
        }
        #expect(try await call("teams/list", "{}") == ["No teams."])
        #expect(try await call("roleBindings/list", "{}") == ["No role bindings."])

        // One object: `key: value` lines, identifying keys first, values aligned.
        let token = try await call("tokens/create", #"{"principal":"\#(alice)","name":"laptop","role":"member"}"#)
        let fields = Dictionary(uniqueKeysWithValues: token.map { line in
            let parts = line.split(separator: ":", maxSplits: 1)
            return (String(parts[0]), parts[1].trimmingCharacters(in: .whitespaces))
        })
        #expect(token.first?.hasPrefix("id:") == true && token.dropFirst().first?.hasPrefix("name:") == true, "\(token)")
        #expect(fields["principal"] == alice && fields["name"] == "laptop" && fields["token"]?.isEmpty == false, "\(token)")
        let valueColumns = Set(token.compactMap { line -> Int? in
            guard let colon = line.firstIndex(of: ":"), let value = line[line.index(after: colon)...].firstIndex(where: { $0 != " " }) else { return nil }
            return line.distance(from: line.startIndex, to: value)
        })
        #expect(valueColumns.count == 1, "values start in one column: \(token)")

        // A list: a header in capitals, a row per entry, lists of names comma-joined, "-" for nothing.
        _ = try await call("teams/create", #"{"name":"writers"}"#)
        _ = try await call("teams/create", #"{"name":"editors"}"#)
        _ = try await call("teams/addMember", #"{"team":"writers","principal":"\#(alice)"}"#)
        let width = max("editors".count, "NAME".count) + 2
        #expect(
            try await call("teams/list", "{}") == [
                "NAME" + String(repeating: " ", count: width - 4) + "MEMBERS",
                "editors" + String(repeating: " ", count: width - 7) + "-",
                "writers" + String(repeating: " ", count: width - 7) + alice,
            ]
        )
        let tokens = try await call("tokens/list", "{}")
        #expect(tokens.first?.split(separator: "  ", omittingEmptySubsequences: true).map { $0.trimmingCharacters(in: .whitespaces) } == ["ID", "NAME", "CREATED AT", "PRINCIPAL"], "\(tokens)")
        #expect(tokens.count == 2 && tokens[1].hasPrefix(fields["id"] ?? "?") && tokens[1].contains("laptop") && tokens[1].hasSuffix(alice), "\(tokens)")
    }

    @Test func adminCommandsRefuseWhatCannotWorkBeforeActing() async throws {
        let database = try #require(TestEnvironment.databaseURL)
        // On a fresh database this test may run first: it migrates as an operator would.
        let migrated = try await ChildProcess.run(ChildProcess.cleveragents, ["migrate", "--database-url", database])
        try #require(migrated.status == 0, "\(migrated.stderr)")
        let cli = { (arguments: [String], environment: [String: String]) in
            try await ChildProcess.run(ChildProcess.cleveragents, arguments + ["--database-url", database], environment: environment)
        }
        let missing = TestEnvironment.uniqueName("missing")
        let unknownNamespace = try await cli(["admin", "call", "teams/list", "--namespace", missing], [:])
        #expect(unknownNamespace.status == 64 && unknownNamespace.stderr.contains("Namespace '\(missing)' does not exist."), "\(unknownNamespace.stderr)")

        let production = try await cli(["admin", "namespace", "create", missing, "--auth", "disabled"], ["CLEVERAGENTS_MODE": "production"])
        #expect(production.status == 64 && production.stderr.contains("refuses namespaces with authentication disabled"), "\(production.stderr)")

        let actor = ["admin", "actor", "put", "--namespace", missing, "--name", "a", "--assistant", "agent"]
        let ftp = try await cli(actor + ["--graph-url", "ftp://graphs.example"], [:])
        #expect(ftp.status == 64 && ftp.stderr.contains("--graph-url must be an http(s) URL."), "\(ftp.stderr)")
        let namespace = TestEnvironment.uniqueName("keys")
        #expect(try await cli(["admin", "namespace", "create", namespace], [:]).status == 0)
        let unsetKey = try await cli(
            ["admin", "actor", "put", "--namespace", namespace, "--name", "a", "--assistant", "agent", "--graph-url", "http://127.0.0.1:2024", "--api-key-env", "CLEVERAGENTS_TEST_UNSET_KEY"],
            [:]
        )
        #expect(unsetKey.status == 64 && unsetKey.stderr.contains("Environment variable CLEVERAGENTS_TEST_UNSET_KEY is not set."), "\(unsetKey.stderr)")
    }

    @Test func adminCallOnSomethingThatIsNoServerSaysSo() async throws {
        // A LangGraph server answers JSON, but no JSON-RPC; a closed port answers nothing.
        let langGraph = try #require(TestEnvironment.langGraphURL)
        let notRPC = try await ChildProcess.run(ChildProcess.cleveragents, ["admin", "call", "namespaces/list", "--url", langGraph, "--token", "t"])
        #expect(notRPC.status != 0 && notRPC.stderr.contains("without JSON-RPC"), "\(notRPC.stderr)")
        let closed = "http://127.0.0.1:1"  // nothing listens on port 1
        let unreachable = try await ChildProcess.run(ChildProcess.cleveragents, ["admin", "call", "namespaces/list", "--url", closed, "--token", "t"])
        #expect(unreachable.status != 0 && unreachable.stderr.contains("Cannot reach \(closed)/"), "\(unreachable.stderr)")
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
        let ready = await Self.becomesReady(port: port, client: client)
        #expect(ready, "the server became ready")
        process.terminate()  // SIGTERM
        let status = try await ChildProcess.wait(for: process)
        #expect(status == 0, "graceful shutdown exits 0")
    }

    /// `log.format: json` (production's default) writes one JSON object per line to standard
    /// error; NIO's own loop-count variable is honoured when runtime.threads is not set.
    @Test func serveLogsJSONLinesWhenAskedAndHonoursNIOsLoopCount() async throws {
        let database = try #require(TestEnvironment.databaseURL)
        let port = Int.random(in: 20_000...40_000)
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ChildProcess.cleveragents)
        process.arguments = ["serve", "--port", String(port), "--database-url", database, "--log-level", "info"]
        process.environment = ProcessInfo.processInfo.environment.merging(["CLEVERAGENTS_LOG_FORMAT": "json", "NIO_SINGLETON_GROUP_LOOP_COUNT": "2"]) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let client = RPCTestClient()
        let ready = await Self.becomesReady(port: port, client: client)
        #expect(ready, "the server became ready")
        process.terminate()
        #expect(try await ChildProcess.wait(for: process) == 0)

        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        let objects = lines.compactMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
        #expect(!lines.isEmpty && objects.count == lines.count, "every line is JSON: \(lines.prefix(3))")
        #expect(objects.allSatisfy { $0["ts"]?.stringValue != nil && $0["level"]?.stringValue != nil && $0["msg"]?.stringValue != nil })
        #expect(objects.contains { $0["msg"] == "Event loops" && $0["loops"] == "2" }, "NIO_SINGLETON_GROUP_LOOP_COUNT=2: \(objects.prefix(3))")
        #expect(objects.contains { $0["msg"] == "Server listening" })
    }

    /// A process pinned to one CPU runs one event loop (a pod limited to one CPU on a large node
    /// must not run a loop per node core); `runtime.threads` says otherwise.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/taskset")))
    func serveRunsOneEventLoopPerCPUItMayUse() async throws {
        #expect(try await Self.eventLoops(of: ["/usr/bin/taskset", "-c", "0", ChildProcess.cleveragents]) == 1)
        #expect(try await Self.eventLoops(of: ["/usr/bin/taskset", "-c", "0", ChildProcess.cleveragents], environment: ["CLEVERAGENTS_RUNTIME_THREADS": "3"]) == 3)
    }

    /// Whether the server started on `port` answers `/readyz` with 200 within a minute.
    static func becomesReady(port: Int, client: RPCTestClient) async -> Bool {
        await waitUntil(.seconds(60)) { (try? await client.get("http://127.0.0.1:\(port)/readyz"))?.status == 200 }
    }

    /// Starts `cleveragents serve` with `command`, counts the threads of SwiftNIO's event loops
    /// once it is ready, and stops it.
    static func eventLoops(of command: [String], environment: [String: String] = [:]) async throws -> Int {
        let database = try #require(TestEnvironment.databaseURL)
        let port = Int.random(in: 20_000...40_000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst()) + ["serve", "--port", String(port), "--database-url", database, "--log-level", "warning"]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let client = RPCTestClient()
        let ready = await Self.becomesReady(port: port, client: client)
        try #require(ready, "the server became ready")
        let threads = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.processIdentifier)/task")
        let names = threads.compactMap { try? String(contentsOfFile: "/proc/\(process.processIdentifier)/task/\($0)/comm", encoding: .utf8) }
        process.terminate()
        _ = try await ChildProcess.wait(for: process)
        return names.filter { $0.hasPrefix("NIO-SGLTN-") }.count
    }
}
