//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation

/// Where a client talks to: a local store (through a `cleveragents stdio` process it starts),
/// or a server namespace (over HTTPS with a token).
public enum ClientProfile: Sendable, Hashable {
    case local(LocalProfile)
    case server(ServerProfile)
}

/// A local store, served by `cleveragents stdio`.
public struct LocalProfile: Sendable, Hashable {
    /// The SQLite file of the local store.
    public var store: String
    /// The `cleveragents` executable to start; `nil` for the one running, or `cleveragents` on `PATH`.
    public var executable: String?
    /// Passed to `cleveragents stdio` as `--graph-url` and `--assistant` when both are set.
    public var graphURL: String?
    public var assistant: String?

    public init(store: String, executable: String? = nil, graphURL: String? = nil, assistant: String? = nil) {
        self.store = store
        self.executable = executable
        self.graphURL = graphURL
        self.assistant = assistant
    }

    /// The arguments of `cleveragents` that serve this store.
    public var stdioArguments: [String] {
        var arguments = ["stdio", "--store", store]
        if let graphURL, let assistant {
            arguments += ["--graph-url", graphURL, "--assistant", assistant]
        }
        return arguments
    }
}

/// A server namespace.
public struct ServerProfile: Sendable, Hashable {
    /// The namespace's base URL (`https://agents.example.com/ns/acme`); its agent card is at
    /// `{url}/.well-known/agent-card.json`.
    public var url: String
    /// The API token, sent as `Authorization: Bearer …`.
    public var token: String?

    public init(url: String, token: String? = nil) {
        self.url = url
        self.token = token
    }
}

/// The profiles file: named profiles and the default one. JSON, at
/// `$CLEVERAGENTS_PROFILES`, else `$XDG_CONFIG_HOME/cleveragents/profiles.json`, else
/// `~/.config/cleveragents/profiles.json`:
///
/// ```json
/// {
///   "default": "local",
///   "profiles": {
///     "local": { "store": "~/.local/share/cleveragents/local.sqlite", "graphUrl": "http://127.0.0.1:2024", "assistant": "agent" },
///     "team":  { "url": "https://agents.example.com/ns/acme", "tokenEnv": "ACME_TOKEN" }
///   }
/// }
/// ```
///
/// A profile with `url` is a server (its token from `token`, or from the environment variable
/// named by `tokenEnv`); a profile with `store` is local.
public struct ProfileFile: Sendable, Hashable, Codable {
    public struct Entry: Sendable, Hashable, Codable {
        public var store: String?
        public var executable: String?
        public var graphUrl: String?
        public var assistant: String?
        public var url: String?
        public var token: String?
        public var tokenEnv: String?

        public init(
            store: String? = nil,
            executable: String? = nil,
            graphUrl: String? = nil,
            assistant: String? = nil,
            url: String? = nil,
            token: String? = nil,
            tokenEnv: String? = nil
        ) {
            self.store = store
            self.executable = executable
            self.graphUrl = graphUrl
            self.assistant = assistant
            self.url = url
            self.token = token
            self.tokenEnv = tokenEnv
        }
    }

    public var `default`: String?
    public var profiles: [String: Entry]

    public init(default: String? = nil, profiles: [String: Entry] = [:]) {
        self.default = `default`
        self.profiles = profiles
    }

    /// The file's path for `environment`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["CLEVERAGENTS_PROFILES"], !path.isEmpty { return path }
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.config")
        return base + "/cleveragents/profiles.json"
    }

    /// Reads the file; a missing file is an empty one.
    public static func load(path: String) throws -> ProfileFile {
        guard let data = FileManager.default.contents(atPath: path) else { return ProfileFile() }
        do {
            return try JSONDecoder().decode(ProfileFile.self, from: data)
        } catch {
            throw ProfileError("\(path) is not a valid profiles file: \(error)")
        }
    }

    public func save(path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        try encoder.encode(self).write(to: URL(fileURLWithPath: path))
    }
}

/// A profile that cannot be used, with the reason.
public struct ProfileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
