//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import ArgumentParser
import CleverAgentsClient
import CleverAgentsDomain
import CleverAgentsLocal
import CleverAgentsRuntime
import CleverAgentsSQLite
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Move entities (actors) between the local store and a server namespace.",
        discussion: """
            push sends local changes, pull brings the server's changes here, status compares the two. \
            An entity changed on both sides is a conflict: nothing changes until you choose a side with \
            --prefer local or --prefer server. Exits 3 when conflicts remain. See docs/sync.md.
            """,
        subcommands: [Push.self, Pull.self, Status.self]
    )

    /// Where the two sides are.
    struct Sides: ParsableArguments {
        @Option(name: .long, help: "A server profile of the profiles file (or use --url).")
        var profile: String?

        @Option(name: .long, help: "The server namespace URL, e.g. https://agents.example.com/ns/acme.")
        var url: String?

        @Option(name: .long, help: "The API token for --url (default: $CLEVERAGENTS_TOKEN).")
        var token: String?

        @Option(name: .long, help: "The local store (default: the 'local' profile's store, else the default store).")
        var store: String?

        @Flag(name: .long, help: "Print JSON for scripts instead of readable text.")
        var json = false

        @Flag(name: .long, help: "Show the progress line even when standard error is not a terminal.")
        var progress = false

        /// The local store path and the server profile.
        func resolve() throws -> (store: String, server: ServerProfile) {
            let selector = TransportSelector()
            let file: ProfileFile
            do {
                file = try ProfileFile.load(path: ProfileFile.defaultPath())
            } catch let error as ProfileError {
                throw ValidationError(error.description)
            }
            var storePath = store
            if storePath == nil, let local = file.profiles["local"], case .local(let profile)? = try? selector.profile(named: "local", local) {
                storePath = profile.store
            }
            let server: ClientProfile
            do {
                server = try selector.select(TransportSelector.Request(profile: profile, url: url, token: token), file: file).profile
            } catch let error as ProfileError {
                throw ValidationError(error.description)
            }
            guard case .server(let serverProfile) = server else {
                throw ValidationError("sync needs a server: give --profile with a server profile, or --url.")
            }
            return (storePath ?? selector.defaultStore, serverProfile)
        }

        /// Runs `body` with a replicator between the local store and the server.
        func withReplicator<T: Sendable>(_ body: (SyncReplicator) async throws -> T) async throws -> T {
            let (storePath, server) = try resolve()
            var logger = Logger(label: "cleveragents.sync")
            logger.logLevel = .error
            let store = try await LocalApplication.openStore(path: storePath, logger: logger)
            let selector = TransportSelector()
            let client = try await selector.client(for: .server(server))
            let remote = ClientSyncRemote(client: client, identity: client.transport.endpointDescription)
            let replicator = SyncReplicator(store: store, namespace: LocalConfiguration.namespace, remote: remote)
            do {
                let result = try await body(replicator)
                try? await client.close()
                return result
            } catch {
                try? await client.close()
                throw error
            }
        }

        /// Reports progress on standard error, overwriting one line.
        func progressLine(_ verb: String) -> @Sendable (SyncProgress) -> Void {
            let show = progress || isatty(2) == 1
            return { progress in
                guard show, let total = progress.total, total > 0 else { return }
                let end = progress.done >= total ? "\n" : ""
                FileHandle.standardError.write(Data("\r\(verb) \(progress.done)/\(total) entities\(end)".utf8))
            }
        }
    }

    enum Side: String, ExpressibleByArgument, CaseIterable {
        case local, server

        var preference: SyncPreference {
            switch self {
            case .local: .local
            case .server: .remote
            }
        }
    }

    struct Push: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send local changes to the server namespace.")

        @Option(name: .long, help: "Settle conflicts: 'local' overwrites the server's copy, 'server' takes the server's copy here.")
        var prefer: Side?

        @OptionGroup var sides: Sides

        func run() async throws {
            let report = try await reportingClientErrors {
                try await sides.withReplicator { try await $0.push(prefer: prefer?.preference ?? .none, progress: sides.progressLine("Pushing")) }
            }
            try SyncCommand.report(report, verb: "Pushed", json: sides.json)
        }
    }

    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Bring the server namespace's changes into the local store.")

        @Option(name: .long, help: "Settle conflicts: 'server' overwrites the local copy, 'local' keeps it (the next push overwrites the server's).")
        var prefer: Side?

        @OptionGroup var sides: Sides

        func run() async throws {
            let report = try await reportingClientErrors {
                try await sides.withReplicator { try await $0.pull(prefer: prefer?.preference ?? .none, progress: sides.progressLine("Pulling")) }
            }
            try SyncCommand.report(report, verb: "Pulled", json: sides.json)
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Compare the local store with the server namespace.")

        @OptionGroup var sides: Sides

        func run() async throws {
            let status = try await reportingClientErrors { try await sides.withReplicator { try await $0.status() } }
            if sides.json {
                try printJSON(status)
                return
            }
            print("Local store: \(status.local.entities) entities, \(status.local.tombstones) deleted; \(status.localChanges) change(s) to push.")
            let behind = max(0, status.remoteHead - status.pullCursor)
            print("Server \(status.remote): \(status.remoteCounts.entities) entities; log head \(status.remoteHead), pulled up to \(status.pullCursor) (\(behind) to pull).")
        }
    }

    /// Prints a push or pull report; conflicts make the command exit 3.
    static func report(_ report: SyncReport, verb: String, json: Bool) throws {
        if json {
            try printJSON(SyncReportOutput(report))
        } else {
            print("\(verb) \(report.applied.count) change(s); \(report.unchanged) already in step; \(report.conflicts.count) conflict(s).")
            for key in report.applied { print("  changed   \(key)") }
            for conflict in report.conflicts {
                print("  conflict  \(conflict.key)  (local revision \(conflict.localRevision), server revision \(conflict.remoteRevision))")
            }
            if !report.conflicts.isEmpty {
                print("Settle conflicts with --prefer local (keep this store's copies) or --prefer server (take the server's).")
            }
        }
        if !report.conflicts.isEmpty { throw ExitCode(3) }
    }
}

/// The JSON of a sync report.
struct SyncReportOutput: Encodable {
    struct Conflict: Encodable {
        var kind: String
        var name: String
        var localRevision: Int64
        var serverRevision: Int64
    }

    var applied: [String]
    var unchanged: Int
    var conflicts: [Conflict]

    init(_ report: SyncReport) {
        applied = report.applied.map(\.description)
        unchanged = report.unchanged
        conflicts = report.conflicts.map { Conflict(kind: $0.key.kind, name: $0.key.name, localRevision: $0.localRevision, serverRevision: $0.remoteRevision) }
    }
}

/// A server namespace as the remote side of sync, through the client library.
struct ClientSyncRemote: SyncRemote {
    let client: A2AClient
    let identity: String

    func push(_ request: SyncPushRequest) async throws -> SyncPushResponse { try await client.syncPush(request) }
    func pull(_ request: SyncPullRequest) async throws -> SyncPullResponse { try await client.syncPull(request) }
    func status() async throws -> SyncStatusResponse { try await client.syncStatus() }
}
