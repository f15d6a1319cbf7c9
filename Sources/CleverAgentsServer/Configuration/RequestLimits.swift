//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsRuntime

/// What one request, token, namespace or client may ask of a replica (`limits.*`).
public struct RequestLimits: Sendable, Hashable {
    /// `limits.maxJsonDepth`: deepest nesting of objects and arrays in a request.
    public var maximumJSONDepth: Int
    /// `limits.maxParts`: parts in one message.
    public var maximumParts: Int
    /// `limits.maxPageSize`: the largest page of `ListTasks` and config lists.
    public var maximumPageSize: Int
    /// `limits.namespaceRequestsPerSecond` / `limits.namespaceBurst`, `limits.tokenRequestsPerSecond` /
    /// `limits.tokenBurst`: rate limits per replica.
    public var rates: RateLimits
    /// `limits.maxStreamsPerPrincipal`, `limits.maxStreamsPerNamespace`: open streams on one replica.
    public var streams: StreamLimits
    /// `limits.clientRequestsPerSecond`, `limits.clientBurst`: requests per client address before
    /// any namespace lookup or authentication; `nil` for none.
    public var client: ClientRateLimit?

    public init(
        maximumJSONDepth: Int = 32,
        maximumParts: Int = 64,
        maximumPageSize: Int = 100,
        rates: RateLimits = RateLimits(),
        streams: StreamLimits = StreamLimits(),
        client: ClientRateLimit? = nil
    ) {
        self.maximumJSONDepth = maximumJSONDepth
        self.maximumParts = maximumParts
        self.maximumPageSize = maximumPageSize
        self.rates = rates
        self.streams = streams
        self.client = client
    }

    /// Reads `limits.*` over the defaults; the error names the first bad key.
    init(reading root: ConfigValues) throws(ConfigurationError) {
        self.init()
        let values = root.scoped("limits")
        maximumJSONDepth = try values.integer("maxJsonDepth", in: 2...512) ?? maximumJSONDepth
        maximumParts = try values.integer("maxParts", in: 1...10_000) ?? maximumParts
        maximumPageSize = try values.integer("maxPageSize", in: 1...1000) ?? maximumPageSize
        rates.namespacePerSecond = try values.positiveNumber("namespaceRequestsPerSecond") ?? rates.namespacePerSecond
        rates.namespaceBurst = try values.positiveNumber("namespaceBurst") ?? rates.namespaceBurst
        rates.tokenPerSecond = try values.positiveNumber("tokenRequestsPerSecond") ?? rates.tokenPerSecond
        rates.tokenBurst = try values.positiveNumber("tokenBurst") ?? rates.tokenBurst
        streams.perPrincipal = try values.integer("maxStreamsPerPrincipal", in: 1...1_000_000) ?? streams.perPrincipal
        streams.perNamespace = try values.integer("maxStreamsPerNamespace", in: 1...1_000_000) ?? streams.perNamespace
        let clientBurst = try values.positiveNumber("clientBurst")
        if let perSecond = try values.positiveNumber("clientRequestsPerSecond") {
            var limit = ClientRateLimit(requestsPerSecond: perSecond)
            limit.burst = clientBurst ?? limit.burst
            client = limit
        }
    }
}
