//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation

/// A throwaway CA and a server certificate signed by it, made with openssl in a temporary folder.
public struct TestCertificates: Sendable {
    public var directory: URL
    /// The CA certificate (PEM) to trust.
    public var ca: String
    /// The server's certificate chain and key (PEM).
    public var certificate: String
    public var key: String

    /// Makes the files; `names` are the certificate's subject alternative names (`IP:…`, `DNS:…`).
    public static func make(names: [String] = ["IP:127.0.0.1", "DNS:localhost"]) async throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cleveragents-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = { (name: String) in directory.appendingPathComponent(name).path }
        try "subjectAltName=\(names.joined(separator: ","))\n".write(toFile: path("san.ext"), atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("ca.key"), "-out", path("ca.pem"), "-days", "2", "-subj", "/CN=Test CA"],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("server.key"), "-out", path("server.csr"), "-subj", "/CN=test server"],
            ["x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"), "-CAcreateserial", "-out", path("server.pem"), "-days", "2", "-extfile", path("san.ext")],
        ]
        for arguments in steps {
            let output = try await ChildProcess.run("/usr/bin/openssl", arguments)
            guard output.status == 0 else { throw MissingTestService("openssl: \(output.stderr)") }
        }
        return TestCertificates(directory: directory, ca: path("ca.pem"), certificate: path("server.pem"), key: path("server.key"))
    }

    /// Removes the files.
    public func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}
