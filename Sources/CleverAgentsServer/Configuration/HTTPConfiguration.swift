//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsHTTP
import Foundation

/// The HTTP listener (`http.*`, `tls.*`).
public struct HTTPConfiguration: Sendable, Hashable {
    /// `http.host`: the address to bind.
    public var host: String
    /// `http.port`: the port to bind; 0 picks a free one.
    public var port: Int
    /// `http.publicBaseUrl`: the URL clients reach the server at, used in agent cards (no
    /// trailing slash).
    public var publicBaseURL: String?
    /// `http.maxBodyBytes`: the largest accepted request body.
    public var maximumBodySize: Int
    /// `http.idleTimeoutSeconds`, `http.headerTimeoutSeconds`, `http.maxConnections`: what one
    /// client may hold of the server's connections.
    public var connectionBounds: HTTPConnectionBounds
    /// `tls.certificatePath`: PEM certificate chain; with ``tlsKeyPath``, the server speaks HTTPS.
    public var tlsCertificatePath: String?
    /// `tls.keyPath`: PEM private key.
    public var tlsKeyPath: String?
    /// `http.behindTlsProxy`: a TLS-terminating proxy is in front; requests must say
    /// `X-Forwarded-Proto: https`.
    public var behindTLSProxy: Bool

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        publicBaseURL: String? = nil,
        maximumBodySize: Int = 1 << 20,
        connectionBounds: HTTPConnectionBounds = HTTPConnectionBounds(),
        tlsCertificatePath: String? = nil,
        tlsKeyPath: String? = nil,
        behindTLSProxy: Bool = false
    ) {
        self.host = host
        self.port = port
        self.publicBaseURL = publicBaseURL
        self.maximumBodySize = maximumBodySize
        self.connectionBounds = connectionBounds
        self.tlsCertificatePath = tlsCertificatePath
        self.tlsKeyPath = tlsKeyPath
        self.behindTLSProxy = behindTLSProxy
    }

    /// Reads `http.*` and `tls.*` over the defaults; the error names the first bad key.
    init(reading root: ConfigValues) throws(ConfigurationError) {
        self.init()
        let values = root.scoped("http")
        host = try values.string("host") ?? host
        port = try values.integer("port", in: 0...65535) ?? port
        if let url = try values.string("publicBaseUrl") {
            guard let components = URLComponents(string: url), ["http", "https"].contains(components.scheme ?? ""), components.host != nil else {
                throw ConfigurationError(key: values.name("publicBaseUrl"), reason: "'\(url)' is not an http(s) URL")
            }
            var trimmed = Substring(url)
            while trimmed.hasSuffix("/") { trimmed.removeLast() }
            publicBaseURL = String(trimmed)
        }
        maximumBodySize = try values.integer("maxBodyBytes", in: 1024...(64 << 20)) ?? maximumBodySize
        connectionBounds.idleTimeoutSeconds = try values.integer("idleTimeoutSeconds", in: 1...86_400) ?? connectionBounds.idleTimeoutSeconds
        connectionBounds.headerTimeoutSeconds = try values.integer("headerTimeoutSeconds", in: 1...300) ?? connectionBounds.headerTimeoutSeconds
        connectionBounds.maximumConnections = try values.integer("maxConnections", in: 1...1_000_000) ?? connectionBounds.maximumConnections
        behindTLSProxy = try values.boolean("behindTlsProxy") ?? behindTLSProxy

        let tls = root.scoped("tls")
        tlsCertificatePath = try tls.string("certificatePath")
        tlsKeyPath = try tls.string("keyPath")
        if (tlsCertificatePath == nil) != (tlsKeyPath == nil) {
            throw ConfigurationError(key: tls.name(tlsCertificatePath == nil ? "certificatePath" : "keyPath"), reason: "tls.certificatePath and tls.keyPath go together")
        }
        for (path, key) in [(tlsCertificatePath, "certificatePath"), (tlsKeyPath, "keyPath")] {
            if let path, !FileManager.default.isReadableFile(atPath: path) {
                throw ConfigurationError(key: tls.name(key), reason: "cannot read '\(path)'")
            }
        }
        if tlsCertificatePath != nil && behindTLSProxy {
            throw ConfigurationError(key: values.name("behindTlsProxy"), reason: "cannot be set when the server terminates TLS itself (tls.certificatePath)")
        }
    }
}
