//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import AsyncHTTPClient
public import CleverAgentsRuntime
public import Logging
public import NIOCore
import NIOSSL
public import ServiceLifecycle

/// The outbound HTTP client for every destination a tenant chooses (graph URLs, webhooks).
///
/// Each request's URL passes the ``EgressPolicy`` first; its host is then resolved once, every
/// address is checked, and the connection goes to an address that passed: the name is never
/// resolved again in between (AsyncHTTPClient's `dnsOverride`, with the certificate still
/// verified for the name). Redirects are never followed and TLS is 1.2 at least.
///
/// A URL whose host is an address needs no resolution and shares one client. Names get a client
/// each, pinned to the address that was checked: at most `maximumPinnedHosts` are kept while idle,
/// the least recently used closed first; one in use is closed when its last response ends.
public final class EgressHTTPClient: Sendable {
    public let policy: EgressPolicy
    public let resolver: any HostResolver
    /// The client of URLs whose host is an address.
    private let direct: HTTPClient
    private let pinned: PinnedHTTPClients

    /// - Parameters:
    ///   - configuration: timeouts and pool settings; redirects are turned off and TLS raised to
    ///     1.2 whatever it says.
    ///   - maximumPinnedHosts: idle clients (one per host name and address) kept for reuse.
    public init(policy: EgressPolicy, resolver: any HostResolver, configuration: HTTPClient.Configuration, maximumPinnedHosts: Int = 64) {
        var configuration = configuration
        configuration.redirectConfiguration = .disallow
        var tls = configuration.tlsConfiguration ?? .makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        configuration.tlsConfiguration = tls
        self.policy = policy
        self.resolver = resolver
        self.direct = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let shared = configuration
        self.pinned = PinnedHTTPClients(capacity: maximumPinnedHosts) { host, address in
            var pinned = shared
            pinned.dnsOverride = [host: address]
            return HTTPClient(eventLoopGroupProvider: .singleton, configuration: pinned)
        }
    }

    /// Sends `request` if the egress policy allows its URL, to an address that was checked.
    ///
    /// - Throws: ``EgressRefusal`` when the policy refuses the URL or an address of its host;
    ///   ``EgressResolutionFailure`` when the host does not resolve; else what AsyncHTTPClient throws.
    public func execute(
        _ request: HTTPClientRequest,
        deadline: NIODeadline,
        logger: Logger? = nil
    ) async throws -> HTTPClientResponse {
        // A request URL may have a query (graph URLs were checked without one when saved).
        let target = try policy.target(of: request.url, purpose: .webhook)
        if target.hostIsAddress {
            try policy.check(address: target.host, of: target)
            return try await direct.execute(request, deadline: deadline, logger: logger)
        }
        let addresses: [String]
        do {
            addresses = try await resolver.addresses(of: target.host, port: target.port)
        } catch {
            throw EgressResolutionFailure(host: target.host, reason: "\(error)")
        }
        for address in addresses {
            try policy.check(address: address, of: target)
        }
        // IPv4 first: clusters are more often IPv4-only than IPv6-only.
        guard let address = addresses.first(where: { !$0.contains(":") }) ?? addresses.first else {
            throw EgressResolutionFailure(host: target.host, reason: "it has no address")
        }
        let (client, lease) = try pinned.acquire(host: target.host, address: address)
        do {
            var response = try await client.execute(request, deadline: deadline, logger: logger)
            response.body = .stream(LeasedBody(base: response.body, lease: lease))
            return response
        } catch {
            lease.release()
            throw error
        }
    }

    /// The number of pinned clients kept, for tests.
    var pinnedClientCount: Int { pinned.count }

    /// Closes every connection; the client cannot be used afterwards.
    public func shutdown() async throws {
        await pinned.shutdown()
        try await direct.shutdown()
    }
}

/// The host of an outbound URL could not be resolved.
public struct EgressResolutionFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var reason: String

    public init(host: String, reason: String) {
        self.host = host
        self.reason = reason
    }

    public var description: String { "cannot resolve \(host): \(reason)" }
}

/// A response body that keeps its pinned client's lease until it is read to its end (or dropped).
struct LeasedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let base: HTTPClientResponse.Body
    let lease: PinnedHTTPClients.Lease

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: HTTPClientResponse.Body.AsyncIterator
        let lease: PinnedHTTPClients.Lease

        mutating func next() async throws -> ByteBuffer? {
            do {
                guard let buffer = try await base.next() else {
                    lease.release()
                    return nil
                }
                return buffer
            } catch {
                lease.release()
                throw error
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), lease: lease)
    }
}

/// Shuts the outbound client down after everything that uses it.
public struct EgressClientService: Service {
    public let client: EgressHTTPClient

    public init(client: EgressHTTPClient) {
        self.client = client
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
