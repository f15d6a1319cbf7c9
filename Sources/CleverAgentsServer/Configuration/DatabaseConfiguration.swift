//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsPostgres
public import Configuration

/// The PostgreSQL connection pool (`database.*`).
public struct DatabaseConfiguration: Sendable, Hashable {
    /// `database.url`: where PostgreSQL is (also `DATABASE_URL` and libpq's `PG…` variables).
    public var url: DatabaseURL
    /// `database.poolSize`: connections in the pool.
    public var poolSize: Int
    /// `database.minConnections`: connections kept open while idle (at most ``poolSize``).
    public var minimumConnections: Int
    /// `database.keepAliveSeconds`: how often an idle pooled connection is checked; 0 never.
    public var keepAlive: Duration
    /// `database.migrateOnStart`: apply pending migrations before serving.
    public var migrateOnStart: Bool
    /// `database.allowUnverifiedTls`: production mode may connect without a verified TLS
    /// connection (a trusted network to the database).
    public var allowUnverifiedTLS: Bool

    public init(
        url: DatabaseURL,
        poolSize: Int = 20,
        minimumConnections: Int = 2,
        keepAlive: Duration = .seconds(30),
        migrateOnStart: Bool = true,
        allowUnverifiedTLS: Bool = false
    ) {
        self.url = url
        self.poolSize = poolSize
        self.minimumConnections = min(minimumConnections, poolSize)
        self.keepAlive = keepAlive
        self.migrateOnStart = migrateOnStart
        self.allowUnverifiedTLS = allowUnverifiedTLS
    }

    /// Reads `database.*` alone, as the commands that only reach the database do (`migrate`,
    /// `tasks`); the error names the first bad key.
    public init(reader: ConfigReader) throws(ConfigurationError) {
        try self.init(reading: ConfigValues(reader: reader))
    }

    /// Reads `database.*` over the defaults; the error names the first bad key.
    init(reading root: ConfigValues) throws(ConfigurationError) {
        let values = root.scoped("database")
        guard let text = try values.string("url") else {
            throw ConfigurationError(key: values.name("url"), reason: "is required (set DATABASE_URL, CLEVERAGENTS_DATABASE_URL or --database-url)")
        }
        let url: DatabaseURL
        do {
            url = try DatabaseURL(text)
        } catch {
            throw ConfigurationError(key: values.name("url"), reason: error.reason)
        }
        let defaults = DatabaseConfiguration(url: url)
        self.init(
            url: url,
            poolSize: try values.integer("poolSize", in: 1...500) ?? defaults.poolSize,
            minimumConnections: try values.integer("minConnections", in: 0...500) ?? defaults.minimumConnections,
            keepAlive: try values.seconds("keepAliveSeconds", in: 0...3600) ?? defaults.keepAlive,
            migrateOnStart: try values.boolean("migrateOnStart") ?? defaults.migrateOnStart,
            allowUnverifiedTLS: try values.boolean("allowUnverifiedTls") ?? defaults.allowUnverifiedTLS
        )
    }
}
