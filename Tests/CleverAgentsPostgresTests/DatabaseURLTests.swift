//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

@testable import CleverAgentsPostgres
import PostgresNIO
import Testing

@Suite(.timeLimit(.minutes(2))) struct DatabaseURLTests {
    @Test func aFullURLIsParsed() throws {
        let url = try DatabaseURL("postgres://app%40corp:p%2Fss@db.example.com:6543/agents?sslmode=verify-full&sslrootcert=/etc/ca.pem&connect_timeout=3&application_name=ca")
        #expect(url.username == "app@corp")
        #expect(url.password == "p/ss")
        #expect(url.host == "db.example.com")
        #expect(url.port == 6543)
        #expect(url.database == "agents")
        #expect(url.sslMode == .verifyFull)
        #expect(url.sslRootCertificatePath == "/etc/ca.pem")
        #expect(url.connectTimeoutSeconds == 3)
        #expect(url.applicationName == "ca")
        #expect(url.description == "postgres://app@corp:***@db.example.com:6543/agents?sslmode=verify-full", "the password never shows")
        #expect(!url.description.contains("p/ss"))
    }

    @Test func defaultsFollowLibpq() throws {
        let url = try DatabaseURL("postgresql://localhost")
        #expect(url.port == 5432)
        #expect(url.username == "postgres")
        #expect(url.database == "postgres")
        #expect(url.sslMode == .prefer)
        let socket = try DatabaseURL("postgres://me@/db?host=/var/run/postgresql&port=5433")
        #expect(socket.unixSocketDirectory == "/var/run/postgresql")
        #expect(socket.port == 5433)
        #expect(try socket.clientConfiguration().unixSocketPath == "/var/run/postgresql/.s.PGSQL.5433")
    }

    @Test(arguments: [
        ("mysql://x/y", "scheme"),
        ("postgres://h/db?sslmode=sometimes", "sslmode"),
        ("postgres://h/db?colour=blue", "unsupported parameter 'colour'"),
        ("postgres://h:99999/db", "port"),
        ("postgres://h/db?connect_timeout=0", "connect_timeout"),
        ("not a url", "URL"),
        ("postgres://me@/db?host=/run/postgresql&sslmode=verify-full", "sslmode=verify-full needs a TCP host, not a Unix socket"),
    ])
    func badURLsSayWhatIsWrong(input: String, mention: String) {
        #expect {
            try DatabaseURL(input)
        } throws: { error in
            "\(error)".contains(mention)
        }
    }

    @Test func libpqKeywordsInTheQueryOverrideThePartsOfTheURL() throws {
        let url = try DatabaseURL("postgres://x@h/first?user=svc&password=s3cret&dbname=agents&host=db.internal&connect_timeout=9")
        #expect(url.username == "svc" && url.password == "s3cret" && url.database == "agents" && url.host == "db.internal")
        let configuration = try url.clientConfiguration()
        #expect(configuration.options.connectTimeout == .seconds(9), "the pool's connections get the URL's connect_timeout")
        #expect(configuration.username == "svc" && configuration.database == "agents")
    }

    @Test func sslrootcertIsTheTrustedRoot() throws {
        let url = try DatabaseURL("postgres://h/d?sslmode=verify-ca&sslrootcert=/etc/ssl/db-ca.pem")
        guard case .file(let path) = url.tlsConfiguration().trustRoots else {
            Issue.record("the trust roots are not the named file: \(String(describing: url.tlsConfiguration().trustRoots))")
            return
        }
        #expect(path == "/etc/ssl/db-ca.pem")
        #expect(url.tlsConfiguration().certificateVerification == .noHostnameVerification)
    }

    @Test func sslModesMapToTLSSettings() throws {
        #expect(try DatabaseURL("postgres://h/d?sslmode=disable").tlsPolicy == .init(use: .disabled, verification: .none))
        #expect(try DatabaseURL("postgres://h/d?sslmode=prefer").tlsPolicy == .init(use: .preferred, verification: .none))
        #expect(try DatabaseURL("postgres://h/d?sslmode=require").tlsPolicy == .init(use: .required, verification: .none))
        #expect(try DatabaseURL("postgres://h/d?sslmode=require&sslrootcert=/ca.pem").tlsPolicy == .init(use: .required, verification: .certificateAuthority))
        #expect(try DatabaseURL("postgres://h/d?sslmode=verify-ca").tlsPolicy == .init(use: .required, verification: .certificateAuthority))
        #expect(try DatabaseURL("postgres://h/d?sslmode=verify-full").tlsPolicy == .init(use: .required, verification: .full))
        #expect(try DatabaseURL("postgres://h/d?sslmode=verify-full").clientConfiguration().options.tlsServerName == "h")
    }
}
