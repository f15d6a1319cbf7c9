//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsTestSupport
import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `cleveragents stdio` as a user's program sees it: bytes on its standard input, lines on its
/// standard output, its exit status and its error output. Covers the framing at the edges of the
/// input and the settings local mode refuses or defaults.
@Suite(.timeLimit(.minutes(2))) struct LocalModeProcessTests {
    /// The JSON-RPC error code of an oversized line (see `StdioServer.maximumMessageBytes`).
    static let payloadTooLarge = -32055

    /// Runs `cleveragents stdio ARGUMENTS` on `input` to the end of its input.
    func stdio(_ arguments: [String], input: String, environment: [String: String] = [:]) async throws -> ChildProcess.Output {
        try await ChildProcess.run(ChildProcess.cleveragents, ["stdio"] + arguments, environment: environment, input: input)
    }

    func messages(_ output: ChildProcess.Output) throws -> [JSONValue] {
        try output.stdout.split(separator: "\n").map { try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
    }

    static let status = #"{"jsonrpc":"2.0","id":1,"method":"_cleveragents/sync/status"}"#

    /// Local mode reads `secrets.key` as `serve` does: the environment over the YAML file, and a
    /// bad value stops it naming the key. A configured key leaves no key file beside the store.
    @Test func theSecretsKeyIsReadAsServeReadsIt() async throws {
        try await withTemporaryDirectory { directory in
            let store = directory.appendingPathComponent("s.sqlite").path
            let file = directory.appendingPathComponent("local.yaml")
            try "secrets:\n  key: \"\(Data(repeating: 3, count: 32).base64EncodedString())\"\n".write(to: file, atomically: true, encoding: .utf8)
            let configured = try await stdio(["--store", store, "--config", file.path], input: Self.status)
            #expect(configured.status == 0, "\(configured.stderr)")
            #expect(try messages(configured).first?.at("result.head") == 0)
            #expect(!FileManager.default.fileExists(atPath: store + ".key"), "the configured key seals the store")

            let bad = try await stdio(["--store", store, "--config", file.path], input: Self.status, environment: ["CLEVERAGENTS_SECRETS_KEY": "too-short"])
            #expect(bad.status != 0)
            #expect(bad.stderr.contains("invalid configuration 'secrets.key'"), "the environment overrides the file")
        }
    }

    @Test func aLastRequestWithoutANewlineIsStillAnswered() async throws {
        try await withTemporaryDirectory { directory in
            let output = try await stdio(["--store", directory.appendingPathComponent("s.sqlite").path], input: Self.status)
            #expect(output.status == 0)
            let answers = try messages(output)
            #expect(answers.count == 1)
            #expect(answers.first?["id"] == 1)
            #expect(answers.first?.at("result.head") == 0)
        }
    }

    @Test func linesOverTheLimitAreRefusedWhereverTheyAreCut() async throws {
        try await withTemporaryDirectory { directory in
            // A line far longer than the 64 KiB read size arrives over several reads; another
            // over-long line ends the input without a newline. Both are refused, and the request
            // between them is served.
            let long = #"{"jsonrpc":"2.0","id":7,"method":"GetTask","params":{"id":""# + String(repeating: "x", count: 200_000) + #""}}"#
            let tail = #"{"jsonrpc":"2.0","id":8,"method":"GetTask","params":{"id":""# + String(repeating: "y", count: 3000) + #""}}"#
            let input = long + "\n" + #"{"jsonrpc":"2.0","id":2,"method":"_cleveragents/sync/status"}"# + "\n" + tail
            let output = try await stdio(
                ["--store", directory.appendingPathComponent("s.sqlite").path, "--max-message-bytes", "1024"],
                input: input
            )
            #expect(output.status == 0)
            let answers = try messages(output)
            #expect(answers.count == 3)
            let refusals = answers.filter { $0.at("error.code") == .number(Double(Self.payloadTooLarge)) }
            #expect(refusals.count == 2)
            #expect(refusals.allSatisfy { $0["id"] == .null }, "the id of a line that was not read is unknown")
            #expect(answers.first { $0["id"] == 2 }?.at("result.head") == 0)
        }
    }

    @Test func aReaderThatGoesAwayIsLoggedForEachAnswerAndTheInputIsStillServed() async throws {
        // Written answers then fail with EPIPE instead of killing local mode with SIGPIPE. The
        // child starts with SIGPIPE at its default (this process ignores it, and children would
        // inherit that): local mode must ignore it itself.
        try await withTemporaryDirectory { directory in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["--default-signal=PIPE", ChildProcess.cleveragents, "stdio", "--store", directory.appendingPathComponent("s.sqlite").path]
            let input = Pipe()
            let output = Pipe()
            let errors = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            // Nobody reads the answers.
            try output.fileHandleForReading.close()
            let second = #"{"jsonrpc":"2.0","id":2,"method":"_cleveragents/sync/status"}"#
            input.fileHandleForWriting.write(Data((Self.status + "\n" + second + "\n").utf8))
            try input.fileHandleForWriting.close()
            let log = await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    continuation.resume(returning: String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
                }
            }
            #expect(try await ChildProcess.wait(for: process) == 0, "local mode ended at the end of its input: \(log)")
            #expect(process.terminationReason == .exit)
            let warnings = log.split(separator: "\n").filter { $0.contains("Could not write a response") }
            #expect(warnings.count == 2, "one warning per answer: \(log)")
            #expect(warnings.allSatisfy { $0.contains("outputClosed(errno: \(EPIPE))") })
        }
    }

    @Test func withoutAStoreTheStoreIsUnderXDGDataHomeOrTheHomeDirectory() async throws {
        try await withTemporaryDirectory { directory in
            let data = directory.appendingPathComponent("data").path
            let fromXDG = try await stdio([], input: Self.status + "\n", environment: ["XDG_DATA_HOME": data])
            #expect(fromXDG.status == 0)
            #expect(try messages(fromXDG).first?.at("result.head") == 0)
            #expect(FileManager.default.fileExists(atPath: data + "/cleveragents/local.sqlite"))
            #expect(FileManager.default.fileExists(atPath: data + "/cleveragents/local.sqlite.key"), "the secrets key is created next to the store")

            // An empty XDG_DATA_HOME counts as unset.
            let home = directory.appendingPathComponent("home").path
            let fromHome = try await stdio([], input: Self.status + "\n", environment: ["XDG_DATA_HOME": "", "HOME": home])
            #expect(fromHome.status == 0)
            #expect(FileManager.default.fileExists(atPath: home + "/.local/share/cleveragents/local.sqlite"))
        }
    }

    @Test func aGraphURLThatIsNotHTTPIsRefusedAtStart() async throws {
        try await withTemporaryDirectory { directory in
            let output = try await stdio(
                ["--store", directory.appendingPathComponent("s.sqlite").path, "--graph-url", "ftp://graphs.example", "--assistant", "agent"],
                input: Self.status + "\n"
            )
            #expect(output.status == 64)
            #expect(output.stdout.isEmpty, "nothing is served")
            #expect(output.stderr.contains("invalid --graph-url: 'ftp://graphs.example' is not an http(s) URL"))
        }
    }

    @Test func anActorNameOutsideTheNamingRuleIsRefusedAtStart() async throws {
        try await withTemporaryDirectory { directory in
            let output = try await stdio(
                ["--store", directory.appendingPathComponent("s.sqlite").path, "--graph-url", "http://127.0.0.1:9", "--assistant", "agent", "--actor", "Bad Name"],
                input: Self.status + "\n"
            )
            #expect(output.status == 64)
            #expect(output.stdout.isEmpty)
            #expect(output.stderr.contains("invalid --actor: 'Bad Name' is not a valid name: 1-63 characters of a-z, 0-9 and '-'"))
        }
    }

    @Test func aSecretsKeyFileThatCannotBeCreatedIsRefusedAtStart() async throws {
        try await withTemporaryDirectory { directory in
            let store = directory.appendingPathComponent("s.sqlite").path
            // A directory where the key file should be: it can be neither read nor created.
            try FileManager.default.createDirectory(atPath: store + ".key", withIntermediateDirectories: false)
            let output = try await stdio(["--store", store], input: Self.status + "\n")
            #expect(output.status == 64)
            #expect(output.stdout.isEmpty)
            #expect(output.stderr.contains("invalid secrets key file: cannot create \(store).key"))
        }
    }

    /// Local mode serves administration as HTTP does, to its owner, on its namespace: what it
    /// writes is in the store the next time local mode starts; the server's own methods are not
    /// served, and errors carry HTTP's codes.
    @Test func theOwnerAdministersTheLocalNamespaceAndItOutlivesTheProcess() async throws {
        try await withTemporaryDirectory { directory in
            let store = ["--store", directory.appendingPathComponent("s.sqlite").path]
            let first = try await stdio(
                store,
                input: [
                    #"{"jsonrpc":"2.0","id":1,"method":"_cleveragents/admin/actors/put","params":{"name":"helper","graphUrl":"http://127.0.0.1:9/","assistantId":"agent"}}"#,
                    #"{"jsonrpc":"2.0","id":2,"method":"_cleveragents/admin/teams/create","params":{"name":"reviewers"}}"#,
                    #"{"jsonrpc":"2.0","id":3,"method":"_cleveragents/admin/tokens/create","params":{"principal":"ci-bot","role":"viewer","name":"ci"}}"#,
                    #"{"jsonrpc":"2.0","id":4,"method":"_cleveragents/admin/namespaces/list"}"#,
                    #"{"jsonrpc":"2.0","id":5,"method":"_cleveragents/admin/teams/create","params":{"name":"Not A Name"}}"#,
                ].joined(separator: "\n") + "\n"
            )
            #expect(first.status == 0)
            let answers = try messages(first)
            #expect(answers.first { $0["id"] == 1 }?.at("result.name") == "helper")
            #expect(answers.first { $0["id"] == 2 }?.at("result.name") == "reviewers")
            let token = try #require(answers.first { $0["id"] == 3 }?.at("result.token")?.stringValue)
            #expect(token.hasPrefix("ca_"))
            #expect(answers.first { $0["id"] == 4 }?.at("error.code") == -32601, "the server's own methods are not local mode's")
            #expect(answers.first { $0["id"] == 5 }?.at("error.code") == -32602)

            let second = try await stdio(
                store,
                input: [
                    #"{"jsonrpc":"2.0","id":6,"method":"_cleveragents/admin/actors/list"}"#,
                    #"{"jsonrpc":"2.0","id":7,"method":"_cleveragents/admin/teams/list"}"#,
                    #"{"jsonrpc":"2.0","id":8,"method":"_cleveragents/admin/tokens/list"}"#,
                    #"{"jsonrpc":"2.0","id":9,"method":"_cleveragents/admin/audit/list","params":{"limit":10}}"#,
                ].joined(separator: "\n") + "\n"
            )
            #expect(second.status == 0)
            let later = try messages(second)
            #expect(later.first { $0["id"] == 6 }?.at("result.actors")?.arrayValue?.contains { $0["name"] == "helper" } == true)
            #expect(later.first { $0["id"] == 7 }?.at("result.teams.0.name") == "reviewers")
            #expect(later.first { $0["id"] == 8 }?.at("result.tokens.0.principal") == "ci-bot")
            let actions = later.first { $0["id"] == 9 }?.at("result.entries")?.arrayValue?.compactMap { $0["action"]?.stringValue } ?? []
            #expect(Set(actions).isSuperset(of: ["actors.put", "teams.create", "tokens.create"]), "\(actions)")
            // The token's secret is stored hashed: the store's files do not hold it.
            for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
                let bytes = try Data(contentsOf: directory.appendingPathComponent(file))
                #expect(bytes.range(of: Data(token.utf8)) == nil, "\(file) holds the token in clear")
            }
        }
    }

    @Test func anAPIKeyFromTheEnvironmentIsSealedInTheStoreAndSentToTheGraph() async throws {
        // A stand-in graph server that records the x-api-key of every request and refuses it.
        let keys = Mutex<[String]>([])
        let graph = try await TestHTTPServer.start { router in
            let record: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
                keys.withLock { $0.append(request.headers[HTTPField.Name("x-api-key")!] ?? "") }
                return Response(status: .notFound)
            }
            router.get("/**", use: record)
            router.post("/**", use: record)
        }
        do {
            try await withTemporaryDirectory { directory in
                let store = directory.appendingPathComponent("s.sqlite").path
                let key = "sk-h2-" + UUID().uuidString
                let send = #"{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m1","role":"ROLE_USER","parts":[{"text":"hi"}]}}}"#
                let output = try await stdio(
                    ["--store", store, "--graph-url", "http://127.0.0.1:\(graph.port)", "--assistant", "agent", "--api-key-env", "H2_GRAPH_KEY"],
                    input: send + "\n",
                    environment: ["H2_GRAPH_KEY": key]
                )
                #expect(output.status == 0)
                #expect(try messages(output).first?["id"] == 1, "the message was answered")
                let sent = keys.withLock { $0 }
                #expect(!sent.isEmpty, "the run reached the graph server")
                #expect(sent.allSatisfy { $0 == key })
                // At rest the key is sealed: no file of the store holds it in clear.
                let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
                #expect(files.contains("s.sqlite"))
                for file in files {
                    let bytes = try Data(contentsOf: directory.appendingPathComponent(file))
                    #expect(bytes.range(of: Data(key.utf8)) == nil, "\(file) holds the key in clear")
                }
            }
        } catch {
            try await graph.stop()
            throw error
        }
        try await graph.stop()
    }
}
