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
import Foundation

/// How a client command finds its agent: a profile, a server URL, or a local store.
struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: "A profile of the profiles file ($CLEVERAGENTS_PROFILES or ~/.config/cleveragents/profiles.json).")
    var profile: String?

    @Option(name: .long, help: "A server namespace URL, e.g. https://agents.example.com/ns/acme (instead of a profile).")
    var url: String?

    @Option(name: .long, help: "The API token for --url (default: $CLEVERAGENTS_TOKEN).")
    var token: String?

    @Option(name: .long, help: "A local store to serve with 'cleveragents stdio' (instead of a profile).")
    var store: String?

    @Flag(name: .long, help: "Print JSON for scripts instead of readable text.")
    var json = false

    func validate() throws {
        if url != nil && store != nil { throw ValidationError("Give --url or --store, not both.") }
    }

    var request: TransportSelector.Request {
        TransportSelector.Request(profile: profile, url: url, token: token, store: store)
    }

    /// The selected profile.
    func selection(_ selector: TransportSelector = TransportSelector()) throws -> TransportSelector.Selection {
        do {
            let file = try ProfileFile.load(path: ProfileFile.defaultPath())
            return try selector.select(request, file: file)
        } catch let error as ProfileError {
            throw ValidationError(error.description)
        }
    }

    /// Runs `body` with a client of the selected agent, closing it afterwards.
    func withClient<T: Sendable>(_ body: (A2AClient) async throws -> T) async throws -> T {
        let selector = TransportSelector()
        let client = try await selector.client(for: try selection(selector).profile)
        do {
            let result = try await body(client)
            try await client.close()
            return result
        } catch {
            try? await client.close()
            throw error
        }
    }
}

/// Writes JSON for `--json`: compact, one value per line.
func printJSON(_ value: some Encodable) throws {
    let encoder = A2AJSON.makeEncoder()
    encoder.outputFormatting.insert(.sortedKeys)
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// A client failure, as a short message for the terminal and a non-zero exit.
struct ClientFailure: Error, CustomStringConvertible {
    var description: String
}

/// Runs a client command body, turning client errors into readable failures.
func reportingClientErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as A2AClientError {
        throw ClientFailure(description: "\(error)")
    }
}

/// Writes a line to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
