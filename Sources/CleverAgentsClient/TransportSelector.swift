//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import AsyncHTTPClient
public import Foundation

/// Picks the transport for a profile: ``StdioTransport`` (a local `cleveragents stdio` process)
/// for a local profile, ``HTTPTransport`` (after agent card discovery) for a server profile.
///
/// Which profile applies, from the highest precedence: an explicit `--url` (server) or
/// `--store` (local), a named `--profile`, `$CLEVERAGENTS_PROFILE`, the `default` of the
/// profiles file, and finally the local store at its default path.
public struct TransportSelector: Sendable {
    /// What the command line (or a caller) asked for.
    public struct Request: Sendable, Hashable {
        public var profile: String?
        public var url: String?
        public var token: String?
        public var store: String?

        public init(profile: String? = nil, url: String? = nil, token: String? = nil, store: String? = nil) {
            self.profile = profile
            self.url = url
            self.token = token
            self.store = store
        }
    }

    /// A chosen profile and why it was chosen (for `--verbose` output and tests).
    public struct Selection: Sendable, Hashable {
        public var profile: ClientProfile
        public var name: String?
        public var reason: String
    }

    public var environment: [String: String]
    public var http: HTTPClient
    public var retry: RetryPolicy
    /// The `cleveragents` executable for local profiles that do not name one.
    public var defaultExecutable: String
    /// The default local store when nothing else is configured.
    public var defaultStore: String

    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        http: HTTPClient = .a2aDefault,
        retry: RetryPolicy = RetryPolicy(),
        defaultExecutable: String? = nil,
        defaultStore: String? = nil
    ) {
        self.environment = environment
        self.http = http
        self.retry = retry
        self.defaultExecutable = defaultExecutable ?? Self.runningExecutable()
        let dataHome = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.local/share")
        self.defaultStore = defaultStore ?? (dataHome + "/cleveragents/local.sqlite")
    }

    /// Chooses the profile for `request` from the profiles file.
    public func select(_ request: Request, file: ProfileFile) throws -> Selection {
        if let url = request.url {
            let token = request.token ?? environment["CLEVERAGENTS_TOKEN"]
            return Selection(profile: .server(ServerProfile(url: url, token: token)), name: nil, reason: "--url")
        }
        if let store = request.store {
            return Selection(profile: .local(LocalProfile(store: expand(store), executable: defaultExecutable)), name: nil, reason: "--store")
        }
        let named: (String, String)?
        if let name = request.profile {
            named = (name, "--profile")
        } else if let name = environment["CLEVERAGENTS_PROFILE"], !name.isEmpty {
            named = (name, "CLEVERAGENTS_PROFILE")
        } else if let name = file.default {
            named = (name, "the profiles file's default")
        } else {
            named = nil
        }
        guard let (name, reason) = named else {
            return Selection(profile: .local(LocalProfile(store: defaultStore, executable: defaultExecutable)), name: nil, reason: "no profile configured: the default local store")
        }
        guard let entry = file.profiles[name] else {
            if name == "local" {
                return Selection(profile: .local(LocalProfile(store: defaultStore, executable: defaultExecutable)), name: name, reason: reason)
            }
            let known = file.profiles.keys.sorted().joined(separator: ", ")
            throw ProfileError("no profile named '\(name)' (from \(reason)); known profiles: \(known.isEmpty ? "none" : known)")
        }
        return Selection(profile: try profile(named: name, entry), name: name, reason: reason)
    }

    /// The profile an entry of the profiles file describes.
    public func profile(named name: String, _ entry: ProfileFile.Entry) throws -> ClientProfile {
        switch (entry.url, entry.store) {
        case (let url?, nil):
            guard let components = URLComponents(string: url), ["http", "https"].contains(components.scheme ?? ""), components.host != nil else {
                throw ProfileError("profile '\(name)': url '\(url)' is not an http(s) URL")
            }
            var token = entry.token
            if let variable = entry.tokenEnv {
                guard let value = environment[variable], !value.isEmpty else {
                    throw ProfileError("profile '\(name)': the environment variable \(variable) (tokenEnv) is not set")
                }
                token = value
            }
            return .server(ServerProfile(url: url, token: token))
        case (nil, let store?):
            return .local(LocalProfile(store: expand(store), executable: entry.executable.map(expand) ?? defaultExecutable, graphURL: entry.graphUrl, assistant: entry.assistant))
        case (nil, nil):
            throw ProfileError("profile '\(name)' has neither 'url' (a server) nor 'store' (local)")
        case (_?, _?):
            throw ProfileError("profile '\(name)' has both 'url' and 'store'; a profile is either a server or local")
        }
    }

    /// Connects to the profile's agent.
    public func transport(for profile: ClientProfile) async throws -> any A2ATransport {
        switch profile {
        case .local(let local):
            return try await StdioTransport.launch(executable: local.executable ?? defaultExecutable, arguments: local.stdioArguments)
        case .server(let server):
            return try await HTTPTransport.discover(baseURL: server.url, token: server.token, http: http, retry: retry).transport
        }
    }

    /// A client of the profile's agent.
    public func client(for profile: ClientProfile) async throws -> A2AClient {
        A2AClient(transport: try await transport(for: profile))
    }

    private func expand(_ path: String) -> String {
        guard path.hasPrefix("~/") else { return path }
        return (environment["HOME"] ?? NSHomeDirectory()) + String(path.dropFirst(1))
    }

    /// This process's executable when it is `cleveragents`, else `cleveragents` found on `PATH`.
    static func runningExecutable() -> String {
        let current = URL(fileURLWithPath: CommandLine.arguments.first ?? "cleveragents")
        if current.lastPathComponent == "cleveragents", FileManager.default.isExecutableFile(atPath: current.path) {
            return current.standardizedFileURL.path
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/cleveragents"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "cleveragents"
    }
}
