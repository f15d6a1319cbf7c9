//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import ArgumentParser
import CleverAgentsDomain
import CleverAgentsPostgres
import CleverAgentsRuntime
import CleverAgentsServer
import Foundation

struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Administer namespaces and actors directly in the database (for operators and bootstrap).",
        subcommands: [NamespaceCommand.self, ActorCommand.self, TokenCommand.self, SuperadminCommand.self, AdminCallCommand.self]
    )
}

struct NamespaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "namespace",
        abstract: "Manage namespaces.",
        subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a namespace.")

        @Argument(help: "The namespace name: \(NamespaceName.rule).")
        var name: String

        @Option(name: .long, help: "required (default) or disabled. 'disabled' lets anyone call the namespace; never in production.")
        var auth: String = Namespace.AuthMode.required.rawValue

        @Option(name: .long, help: "Name shown on the agent card.")
        var displayName: String?

        @Option(name: .long, help: "Description shown on the agent card.")
        var description: String = ""

        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard NamespaceName(name) != nil else { throw ValidationError("Invalid namespace name '\(name)': \(NamespaceName.rule).") }
            guard Namespace.AuthMode(rawValue: auth) != nil else { throw ValidationError("--auth must be required or disabled.") }
        }

        func run() async throws {
            if auth == Namespace.AuthMode.disabled.rawValue,
                try await database.configured({ reader throws(ConfigurationError) in try ServerConfiguration.mode(reader: reader) }) == .production
            {
                throw ValidationError("Production mode refuses namespaces with authentication disabled.")
            }
            let namespace = Namespace(
                name: NamespaceName(name)!,
                displayName: displayName,
                description: description,
                authMode: Namespace.AuthMode(rawValue: auth)!,
                createdAt: .now
            )
            do {
                try await database.withStore { store, _ in try await store.createNamespace(namespace) }
            } catch StoreError.alreadyExists {
                throw ValidationError("Namespace '\(name)' already exists.")
            }
            print("Created namespace \(name).")
        }
    }
}

struct ActorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "actor",
        abstract: "Manage actors: the LangGraph graphs a namespace runs.",
        subcommands: [Put.self]
    )

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create or replace an actor.")

        @Option(name: .long, help: "The namespace.")
        var namespace: String

        @Option(name: .long, help: "The actor name (same rules as namespace names).")
        var name: String

        @Option(name: .long, help: "The LangGraph deployment URL, e.g. http://127.0.0.1:2024.")
        var graphURL: String

        @Option(name: .long, help: "The assistant id or graph id to run.")
        var assistant: String

        @Flag(name: .long, help: "Make this the namespace's default actor.")
        var `default` = false

        @Option(name: .long, help: "Description shown on the agent card.")
        var description: String = ""

        @Option(name: .long, help: "Name of an environment variable holding the deployment's x-api-key (sealed before it is stored).")
        var apiKeyEnv: String?

        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard NamespaceName(namespace) != nil else { throw ValidationError("Invalid namespace name '\(namespace)'.") }
            guard ActorDefinition.isValidName(name) else { throw ValidationError("Invalid actor name '\(name)': \(NamespaceName.rule).") }
            guard let url = URLComponents(string: graphURL), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw ValidationError("--graph-url must be an http(s) URL.")
            }
            guard !assistant.isEmpty else { throw ValidationError("--assistant must not be empty.") }
        }

        func run() async throws {
            var params = ActorParams(name: name, graphUrl: graphURL, assistantId: assistant, isDefault: self.default)
            params.description = description
            if let apiKeyEnv {
                guard let plaintext = ProcessInfo.processInfo.environment[apiKeyEnv], !plaintext.isEmpty else {
                    throw ValidationError("Environment variable \(apiKeyEnv) is not set.")
                }
                params.apiKey = plaintext
            }
            let namespaceName = NamespaceName(namespace)!
            let call = AdminCall.putActor(params)
            try await database.withAdmin { admin, store in
                guard try await store.namespace(named: namespaceName) != nil else {
                    throw ValidationError("Namespace '\(namespaceName)' does not exist.")
                }
                do {
                    _ = try await admin.handle(call, context: RequestContext(namespace: namespaceName, caller: .commandLine, requestID: "cli"))
                } catch let error as JSONRPCError {
                    throw ValidationError(error.message)
                }
            }
            print("Saved actor \(name) in namespace \(namespace).")
        }
    }
}
