//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import ArgumentParser
import AsyncHTTPClient
import CleverAgentsDomain
import CleverAgentsPostgres
import CleverAgentsRuntime
import Foundation
import NIOCore
import NIOHTTP1

/// Any `_cleveragents/admin/*` operation from the command line, its result as a table (or JSON with
/// `--json`): directly
/// on the database (bootstrap, as the other admin commands), or on a running server over
/// JSON-RPC, so that an operator needs no database credentials.
struct AdminCallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Run any _cleveragents/admin/* operation and print its result (on the database, or on a server with --url).",
        discussion: """
            Operations: \(AdminCall.operationNames.joined(separator: ", ")).
            namespaces/* and principals/* are server operations; the others are a namespace's (give --namespace).
            Params are the operation's JSON-RPC params (docs/security.md), e.g.
              cleveragents admin call teams/create --namespace acme --params '{"name":"writers"}'
              cleveragents admin call namespaces/list --url https://agents.example.com --token "$SUPERADMIN_TOKEN"
            Without --url the command acts as a superadmin on the database; with --url, as the token's principal.
            Lists print as tables and other results as key: value lines; --json prints the JSON-RPC result for scripts.
            """
    )

    @Argument(help: "The operation, e.g. tokens/list or namespaces/list (the _cleveragents/admin/ prefix may be given).")
    var operation: String

    @Option(name: .long, help: "The namespace of a namespace operation.")
    var namespace: String?

    @Option(name: .long, help: "The operation's params as a JSON object (default: {}).")
    var params: String = "{}"

    @Option(name: .long, help: "A running server's base URL (https://agents.example.com): call it instead of the database.")
    var url: String?

    @Option(name: .long, help: "The API token for --url (default: $CLEVERAGENTS_TOKEN): a namespace admin's or owner's, or a superadmin's.")
    var token: String?

    @Flag(name: .long, help: "Print the operation's JSON result (for scripts) instead of a table.")
    var json = false

    @OptionGroup var database: DatabaseOptions

    /// The JSON-RPC request the operation is: the one the server gets with --url, and the one
    /// decoded here otherwise.
    func envelope() throws -> String {
        let method = operation.hasPrefix(AdminCall.prefix) ? operation : AdminCall.prefix + operation
        return #"{"jsonrpc":"2.0","id":1,"method":"# + String(decoding: try JSONEncoder().encode(method), as: UTF8.self) + #","params":"# + params + "}"
    }

    /// The decoded call, as the server decodes it (unknown operations and bad params are refused alike).
    func call() throws -> AdminCall {
        guard let paramsData = params.data(using: .utf8), case .object = try? JSONDecoder().decode(JSONValue.self, from: paramsData) else {
            throw ValidationError("--params must be a JSON object, e.g. '{\"name\":\"writers\"}'.")
        }
        let request = try JSONDecoder().decode(JSONRPCRequest<AdminCall>.self, from: Data(try envelope().utf8))
        switch request.call {
        case .success(let call): return call
        case .failure(let error): throw ValidationError("\(operation): \(error.message)")
        }
    }

    func validate() throws {
        let call = try call()
        if call.isServerLevel {
            if namespace != nil { throw ValidationError("\(operation) is a server operation: leave out --namespace.") }
        } else {
            guard let namespace else { throw ValidationError("\(operation) is a namespace operation: give --namespace.") }
            guard NamespaceName(namespace) != nil else { throw ValidationError("Invalid namespace name '\(namespace)': \(NamespaceName.rule).") }
        }
        if url == nil && token != nil { throw ValidationError("--token goes with --url.") }
    }

    func run() async throws {
        let call = try call()
        let result: JSONValue
        if let url {
            result = try await remote(call, baseURL: url)
        } else {
            let namespaceName = namespace.flatMap(NamespaceName.init) ?? NamespaceName("server")!
            result = try await database.withAdmin { admin, store in
                if !call.isServerLevel, try await store.namespace(named: namespaceName) == nil {
                    throw ValidationError("Namespace '\(namespaceName)' does not exist.")
                }
                return try await admin.handle(call, context: RequestContext(namespace: namespaceName, caller: .commandLine, requestID: "cli"))
            }
        }
        if json {
            try printJSON(result)
        } else {
            print(JSONTable.render(result))
        }
    }

    /// Calls the operation on a server: `POST /ns/{namespace}`, or `POST /` for server operations.
    private func remote(_ call: AdminCall, baseURL: String) async throws -> JSONValue {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        let endpoint = call.isServerLevel ? base + "/" : base + "/ns/" + (namespace ?? "")
        let token = token ?? ProcessInfo.processInfo.environment["CLEVERAGENTS_TOKEN"]
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let token, !token.isEmpty { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(ByteBuffer(string: try envelope()))
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let response = try await http.execute(request, timeout: .seconds(30))
            let data = try await response.body.collect(upTo: 8 << 20)
            try await http.shutdown()
            // JSON that is no JSON-RPC answer (a proxy's error page, another service) is not a result.
            guard let answer = try? JSONDecoder().decode(JSONValue.self, from: Data(data.readableBytesView)), answer["result"] != nil || answer["error"] != nil
            else {
                throw ClientFailure(description: "\(endpoint) answered HTTP \(response.status.code) without JSON-RPC")
            }
            if let error = answer["error"] {
                throw ClientFailure(description: "\(error["message"]?.stringValue ?? "\(error)") (JSON-RPC \(error["code"].map { "\($0)" } ?? "?"), HTTP \(response.status.code))")
            }
            return answer["result"] ?? .null
        } catch {
            try? await http.shutdown()
            if let failure = error as? ClientFailure { throw failure }
            throw ClientFailure(description: "Cannot reach \(endpoint): \(error)")
        }
    }
}
