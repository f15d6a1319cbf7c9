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
import Logging

/// Token administration from the command line, for bootstrap and operators. The token hashes
/// use the server's pepper: set `CLEVERAGENTS_AUTH_TOKEN_PEPPER` as the server has it.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create and revoke API tokens.",
        subcommands: [Create.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token for a principal of a namespace; prints only the token.")

        @Option(name: .long, help: "The namespace the token is valid in.")
        var namespace: String

        @Option(name: .long, help: "The principal the token acts as (created if missing): \(Principal.idRule).")
        var principal: String

        @Option(name: .long, help: "Also give the principal this role in the namespace: viewer, member, admin or owner.")
        var role: String?

        @Option(name: .long, help: "A name for the token, shown in token lists.")
        var name: String?

        @Option(name: .long, help: "Days until the token expires (default: never).")
        var expiresInDays: Int?

        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard NamespaceName(namespace) != nil else { throw ValidationError("Invalid namespace name '\(namespace)'.") }
            guard Principal.isValidID(principal) else { throw ValidationError("Invalid principal '\(principal)': \(Principal.idRule).") }
            if let role, NamespaceRole(rawValue: role) == nil { throw ValidationError("--role must be viewer, member, admin or owner.") }
            if let days = expiresInDays, days < 1 { throw ValidationError("--expires-in-days must be at least 1.") }
        }

        func run() async throws {
            let namespaceName = NamespaceName(namespace)!
            let expiresAt = expiresInDays.map { A2ATimestamp(millisecondsSinceEpoch: A2ATimestamp.now.millisecondsSinceEpoch + Int64($0) * 86_400_000) }
            let params = CreateTokenParams(principal: principal, name: name, role: role.flatMap(NamespaceRole.init(rawValue:)), expiresAt: expiresAt)
            let result = try await database.withAdmin { admin, store in
                guard try await store.namespace(named: namespaceName) != nil else {
                    throw ValidationError("Namespace '\(namespaceName)' does not exist.")
                }
                return try await admin.createToken(params, namespace: namespaceName, caller: .commandLine)
            }
            print(result["token"]?.stringValue ?? "")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token (by its id, or the token itself).")

        @Option(name: .long, help: "The namespace of the token.")
        var namespace: String

        @Argument(help: "The token id (the 16 characters after ca_), or the whole token.")
        var token: String

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            guard let namespaceName = NamespaceName(namespace) else { throw ValidationError("Invalid namespace name '\(namespace)'.") }
            let id = APITokenText(token)?.id ?? token
            let revoked = try await database.withAdmin { admin, _ in
                try await admin.handle(.revokeToken(IDParams(id: id)), context: RequestContext(namespace: namespaceName, caller: .commandLine, requestID: "cli"))
            }
            guard revoked["revoked"] == true else {
                throw ValidationError("No active token '\(id)' in namespace '\(namespaceName)'.")
            }
            print("Revoked token \(id).")
        }
    }
}

struct SuperadminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "superadmin",
        abstract: "Manage server administrators.",
        subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a principal a superadmin and print a server-level token for it.")

        @Argument(help: "The principal (created if missing): \(Principal.idRule).")
        var principal: String

        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard Principal.isValidID(principal) else { throw ValidationError("Invalid principal '\(principal)': \(Principal.idRule).") }
        }

        func run() async throws {
            let token = try await database.withAdmin { admin, store in
                // A name a namespace already uses (its admin may have chosen it) never becomes a superadmin.
                let using = try await store.namespaces(usingPrincipal: principal)
                guard using.isEmpty else {
                    throw ValidationError(
                        "Principal '\(principal)' has tokens or roles in namespaces (\(using.map(\.rawValue).joined(separator: ", "))); "
                            + "a superadmin must be a principal of its own: choose another id."
                    )
                }
                _ = try await store.ensurePrincipal(Principal(id: principal, createdAt: .now))
                try await store.setSuperadmin(principal, true)
                let (text, record) = admin.authenticator.makeToken(principal: principal, namespace: nil, name: "superadmin", expiresAt: nil)
                try await store.insertToken(record)
                try await store.appendAudit(AuditEntry(namespace: nil, actor: Caller.commandLine.principalID, action: "superadmin.create", target: principal, at: .now))
                return text.text
            }
            print(token)
        }
    }
}

extension Caller {
    /// The command line acts as a superadmin (it has the database credentials anyway).
    static let commandLine = Caller(principalID: "cli", role: nil, isSuperadmin: true)
}

extension DatabaseOptions {
    /// Runs `body` with an admin service on the database, with the configuration `serve` reads
    /// (the YAML file, the environment, `--database-url`): the same secrets key, token pepper,
    /// mode and egress policy. Production refuses the development key and pepper there too.
    func withAdmin<Result: Sendable>(_ body: @Sendable (AdminService, PostgresStore) async throws -> Result) async throws -> Result {
        let configuration = try await configured { reader throws(ConfigurationError) in try ServerConfiguration(reader: reader, use: .administering) }
        guard let pepper = Data(base64Encoded: configuration.tokenPepper ?? ServerConfiguration.developmentTokenPepperForTools) else {
            throw ValidationError("auth.tokenPepper is not base64.")
        }
        return try await withStore(url: configuration.database.url) { store, _ in
            var logger = Logger(label: "cleveragents.admin")
            logger.logLevel = .error
            let admin = AdminService(
                namespaces: store,
                identities: store,
                authenticator: Authenticator(identities: store, pepper: Array(pepper)),
                secrets: try AESGCMSecretBox(base64Key: configuration.secretsKey ?? ServerConfiguration.developmentSecretsKeyForTools),
                directory: NamespaceDirectory(ports: NamespacePorts(namespaces: store, identities: store)),
                production: configuration.mode == .production,
                egress: configuration.egress,
                logger: logger
            )
            return try await body(admin, store)
        }
    }
}
