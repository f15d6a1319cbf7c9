//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import NIOSSL
public import PostgresNIO

/// A libpq-style connection URL: `postgres://user:password@host:port/database?sslmode=require`.
///
/// Supported query parameters: `sslmode` (`disable`, `allow`, `prefer` (default), `require`,
/// `verify-ca`, `verify-full`), `sslrootcert` (a PEM file of trusted CAs), `host` (a Unix socket
/// directory, as libpq allows), `connect_timeout` (seconds) and `application_name`.
public struct DatabaseURL: Sendable, Hashable, CustomStringConvertible {
    public enum SSLMode: String, Sendable, Hashable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var unixSocketDirectory: String?
    public var username: String
    public var password: String?
    public var database: String
    public var sslMode: SSLMode
    public var sslRootCertificatePath: String?
    public var connectTimeoutSeconds: Int?
    public var applicationName: String?

    /// Parses a URL; the error says which part is wrong.
    public init(_ string: String) throws(DatabaseURLError) {
        guard let components = URLComponents(string: string), let scheme = components.scheme else {
            throw DatabaseURLError("not a URL; expected postgres://user:password@host:port/database")
        }
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw DatabaseURLError("scheme must be postgres:// or postgresql://, not \(scheme)://")
        }
        self.host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        self.port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw DatabaseURLError("port \(port) is out of range") }
        self.username = components.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
        self.password = components.password.flatMap { $0.removingPercentEncoding }
        var path = components.path
        if path.hasPrefix("/") { path.removeFirst() }
        self.database = path.removingPercentEncoding.flatMap { $0.isEmpty ? nil : $0 } ?? username
        self.sslMode = .prefer
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    throw DatabaseURLError("sslmode must be one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", ")), not '\(value)'")
                }
                self.sslMode = mode
            case "sslrootcert":
                self.sslRootCertificatePath = value
            case "host":
                if value.hasPrefix("/") { self.unixSocketDirectory = value } else { self.host = value }
            case "port":
                guard let port = Int(value), (1...65535).contains(port) else { throw DatabaseURLError("port '\(value)' is invalid") }
                self.port = port
            case "user":
                self.username = value
            case "password":
                self.password = value
            case "dbname":
                self.database = value
            case "connect_timeout":
                guard let seconds = Int(value), seconds > 0 else { throw DatabaseURLError("connect_timeout '\(value)' must be a positive number of seconds") }
                self.connectTimeoutSeconds = seconds
            case "application_name":
                self.applicationName = value
            default:
                throw DatabaseURLError("unsupported parameter '\(item.name)'")
            }
        }
        if (sslMode == .verifyCA || sslMode == .verifyFull) && unixSocketDirectory != nil {
            throw DatabaseURLError("sslmode=\(sslMode.rawValue) needs a TCP host, not a Unix socket")
        }
    }

    /// The URL with the password hidden, for logs.
    public var description: String {
        let credentials = password == nil ? username : "\(username):***"
        let location = unixSocketDirectory.map { "[\($0)]" } ?? "\(host):\(port)"
        return "postgres://\(credentials)@\(location)/\(database)?sslmode=\(sslMode.rawValue)"
    }

    /// The `PostgresClient` configuration for this URL.
    public func clientConfiguration() throws -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let directory = unixSocketDirectory {
            configuration = .init(unixSocketPath: "\(directory)/.s.PGSQL.\(port)", username: username, password: password, database: database)
        } else {
            configuration = .init(host: host, port: port, username: username, password: password, database: database, tls: try tls())
        }
        if let connectTimeoutSeconds {
            configuration.options.connectTimeout = .seconds(connectTimeoutSeconds)
        }
        if let applicationName {
            configuration.options.additionalStartupParameters.append(("application_name", applicationName))
        }
        if sslMode == .verifyFull {
            configuration.options.tlsServerName = host
        }
        return configuration
    }

    /// How TLS is used, as `sslmode` and `sslrootcert` ask.
    public struct TLSPolicy: Sendable, Hashable {
        public enum Use: Sendable, Hashable { case disabled, preferred, required }
        public enum Verification: Sendable, Hashable { case none, certificateAuthority, full }
        public var use: Use
        public var verification: Verification

        public init(use: Use, verification: Verification) {
            self.use = use
            self.verification = verification
        }
    }

    public var tlsPolicy: TLSPolicy {
        switch sslMode {
        case .disable: TLSPolicy(use: .disabled, verification: .none)
        case .allow, .prefer: TLSPolicy(use: .preferred, verification: .none)
        // libpq's `require` verifies the CA only when a root certificate is given.
        case .require: TLSPolicy(use: .required, verification: sslRootCertificatePath == nil ? .none : .certificateAuthority)
        case .verifyCA: TLSPolicy(use: .required, verification: .certificateAuthority)
        case .verifyFull: TLSPolicy(use: .required, verification: .full)
        }
    }

    private func tls() throws -> PostgresClient.Configuration.TLS {
        switch tlsPolicy.use {
        case .disabled: .disable
        case .preferred: .prefer(tlsConfiguration())
        case .required: .require(tlsConfiguration())
        }
    }

    /// The TLS settings `sslmode` and `sslrootcert` ask for, when TLS is used.
    func tlsConfiguration() -> TLSConfiguration {
        let policy = tlsPolicy
        var tls = TLSConfiguration.makeClientConfiguration()
        if let sslRootCertificatePath {
            tls.trustRoots = .file(sslRootCertificatePath)
        }
        switch policy.verification {
        case .none: tls.certificateVerification = .none
        case .certificateAuthority: tls.certificateVerification = .noHostnameVerification
        case .full: tls.certificateVerification = .fullVerification
        }
        return tls
    }
}

/// A malformed database URL.
public struct DatabaseURLError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String

    init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { "invalid database URL: \(reason)" }
}
