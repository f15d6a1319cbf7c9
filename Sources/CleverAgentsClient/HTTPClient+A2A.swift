//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import AsyncHTTPClient
import NIOCore

extension HTTPClient {
    /// The client the transports use unless given one: a refused or unreachable agent fails
    /// within the connect timeout, once, and ``RetryPolicy`` decides about another attempt.
    ///
    /// `HTTPClient.shared` would instead retry the connection itself until its connect timeout
    /// (90 seconds), per attempt. Like `shared`, this client lives as long as the process.
    public static let a2aDefault: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .seconds(10)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()
}
