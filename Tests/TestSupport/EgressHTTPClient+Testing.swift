//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import AsyncHTTPClient
public import CleverAgentsEgress
public import CleverAgentsRuntime
public import NIOSSL
import NIOCore

extension EgressHTTPClient {
    /// An egress client for tests: `policy` and `resolver` decide where it may connect, with
    /// short time-outs (5 s to connect, 10 s of silence) and at most `pinned` hosts pinned.
    public static func testing(_ policy: EgressPolicy, _ resolver: any HostResolver, tls: TLSConfiguration? = nil, pinned: Int = 64) -> EgressHTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = tls
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(10))
        return EgressHTTPClient(policy: policy, resolver: resolver, configuration: configuration, maximumPinnedHosts: pinned)
    }
}
