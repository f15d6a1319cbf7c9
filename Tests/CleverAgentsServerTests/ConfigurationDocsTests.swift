//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import CleverAgentsServer
import CleverAgentsTestSupport
import Configuration
import Foundation
import Synchronization
import Testing

/// docs/configuration.md and the shipped configuration files agree with the code.
@Suite(.timeLimit(.minutes(2))) struct ConfigurationDocsTests {
    static let root = TestEnvironment.repositoryRoot

    /// Records the key of every value read.
    final class KeyRecorder: AccessReporter {
        private let keys = Mutex<Set<String>>([])

        func report(_ event: AccessEvent) {
            keys.withLock { _ = $0.insert(event.metadata.key.components.joined(separator: ".")) }
        }

        var read: Set<String> { keys.withLock { $0 } }
    }

    /// Every key the configuration reader reads, as it reads them (each component from its own
    /// scope): a configuration is read with a recorder, from just a database URL.
    static func keysReadByTheCode() throws -> Set<String> {
        let recorder = KeyRecorder()
        let values: [AbsoluteConfigKey: ConfigValue] = ["database.url": "postgres://db/cleveragents"]
        _ = try ServerConfiguration(reader: ConfigReader(providers: [InMemoryProvider(values: values)], accessReporter: recorder))
        return recorder.read
    }

    /// The keys in the key table of docs/configuration.md (first column); the later tables
    /// (environment of the client commands) are not server keys.
    static func documentedKeys() throws -> Set<String> {
        let text = try String(contentsOf: root.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        let table = text.split(separator: "\n", omittingEmptySubsequences: false)
            .drop { !$0.hasPrefix("| Key |") }
            .prefix { $0.hasPrefix("|") }
        let keys = table.compactMap { line -> String? in
            guard line.hasPrefix("| `") else { return nil }
            return String(line.dropFirst(3).prefix { $0 != "`" })
        }
        return Set(keys)
    }

    @Test func everyKeyTheCodeReadsIsDocumentedAndEveryDocumentedKeyIsRead() throws {
        let read = try Self.keysReadByTheCode()
        let documented = try Self.documentedKeys()
        #expect(read.count >= 25, "the reader's keys were found: \(read.sorted())")
        #expect(read.subtracting(documented).isEmpty, "read but not in docs/configuration.md: \(read.subtracting(documented).sorted())")
        #expect(documented.subtracting(read).isEmpty, "documented but never read: \(documented.subtracting(read).sorted())")
    }

    @Test(arguments: ["config/cleveragents.yaml", "config/container.yaml"])
    func shippedConfigurationFilesAreValid(_ file: String) async throws {
        let environment = [
            // What a deployment gives the image: its secrets, the verified database URL, its URL.
            "DATABASE_URL": "postgres://user:secret@db.example.com:5432/cleveragents?sslmode=verify-full",
            "CLEVERAGENTS_SECRETS_KEY": Data(repeating: 7, count: 32).base64EncodedString(),
            "CLEVERAGENTS_AUTH_TOKEN_PEPPER": Data(repeating: 9, count: 32).base64EncodedString(),
            "CLEVERAGENTS_HTTP_PUBLIC_BASE_URL": "https://agents.example.com",
        ]
        let reader = try await ServerConfiguration.reader(configFile: Self.root.appendingPathComponent(file).path, environment: environment, overrides: [:])
        let configuration = try ServerConfiguration(reader: reader)
        if file == "config/container.yaml" {
            #expect(configuration.mode == .production)
            #expect(configuration.http.host == "0.0.0.0")
            #expect(configuration.http.port == 8080, "the Dockerfile EXPOSEs 8080")
            #expect(configuration.log.format == .json)
        }
    }
}
