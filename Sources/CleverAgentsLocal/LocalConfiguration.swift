//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsDomain
public import Foundation

/// The settings of local mode (`cleveragents stdio`). Documented in docs/local-mode.md.
public struct LocalConfiguration: Sendable, Hashable {
    /// The SQLite file; created with its directory when missing.
    public var storePath: String
    /// When set with ``assistantID``, the namespace's default actor is (re)configured at start.
    public var graphURL: String?
    public var assistantID: String?
    /// The name of that actor.
    public var actorName: String
    /// The actor's `x-api-key`, sealed into the store (read from an environment variable by the command).
    public var apiKey: String?
    /// 32 bytes, base64, sealing secrets in the store. When `nil`, a key file next to the store
    /// (`<store>.key`, mode 0600) is used, created on first use.
    public var secretsKey: String?
    public var maximumMessageBytes: Int
    public var runTimeoutSeconds: Int
    public var shutdownGracePeriodSeconds: Int

    public init(
        storePath: String,
        graphURL: String? = nil,
        assistantID: String? = nil,
        actorName: String = "default",
        apiKey: String? = nil,
        secretsKey: String? = nil,
        maximumMessageBytes: Int = 4 << 20,
        runTimeoutSeconds: Int = 3600,
        shutdownGracePeriodSeconds: Int = 30
    ) {
        self.storePath = storePath
        self.graphURL = graphURL
        self.assistantID = assistantID
        self.actorName = actorName
        self.apiKey = apiKey
        self.secretsKey = secretsKey
        self.maximumMessageBytes = maximumMessageBytes
        self.runTimeoutSeconds = runTimeoutSeconds
        self.shutdownGracePeriodSeconds = shutdownGracePeriodSeconds
    }

    /// The one namespace of a local store.
    public static let namespace = NamespaceName("local")!

    /// The one principal of local mode: its owner.
    public static let caller = Caller(principalID: "local", role: .owner)

    /// The default store: `$XDG_DATA_HOME/cleveragents/local.sqlite` (or `~/.local/share/…`).
    public static func defaultStorePath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.local/share")
        return base + "/cleveragents/local.sqlite"
    }
}

/// Invalid local-mode settings, naming the setting.
public struct LocalConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var setting: String
    public var reason: String

    public init(_ setting: String, _ reason: String) {
        self.setting = setting
        self.reason = reason
    }

    public var description: String { "invalid \(setting): \(reason)" }
}
