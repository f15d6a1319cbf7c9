//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import AsyncHTTPClient
public import CleverAgentsRuntime
import Foundation
import NIOCore
import NIOHTTP1

/// Sends notifications with AsyncHTTPClient, after checking the webhook against the address
/// policy again (the name may resolve elsewhere than when the configuration was made).
///
/// Redirects are not followed (a redirect could lead to a refused address); the body is sent with
/// a `Content-Length`; each attempt is bounded by `timeout`.
public struct HTTPPushSender: PushSender {
    public let http: HTTPClient
    public let policy: WebhookPolicy
    public let resolver: any HostResolver
    public let timeout: Duration

    public init(http: HTTPClient, policy: WebhookPolicy, resolver: any HostResolver, timeout: Duration = .seconds(10)) {
        self.http = http
        self.policy = policy
        self.resolver = resolver
        self.timeout = timeout
    }

    public func send(_ body: [UInt8], to url: String, headers: [(name: String, value: String)]) async throws {
        let target: WebhookPolicy.Target
        do {
            target = try policy.target(of: url)
            let addresses = try await resolver.addresses(of: target.host, port: target.port)
            guard !addresses.isEmpty else { throw PushSendError.transient("\(target.host) has no address") }
            for address in addresses {
                try policy.check(address: address, host: target.host)
            }
        } catch let error as WebhookPolicyError {
            throw PushSendError.permanent("the webhook URL is not allowed: \(error)")
        } catch let error as PushSendError {
            throw error
        } catch {
            throw PushSendError.transient("cannot resolve the webhook host: \(error)")
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers {
            request.headers.add(name: name, value: value)
        }
        request.headers.add(name: "User-Agent", value: "cleveragents-server")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .init(timeout))
        } catch {
            throw PushSendError.transient("\(error)")
        }
        // Drain (and bound) the body so the connection can be reused.
        _ = try? await response.body.collect(upTo: 64 << 10)
        let code = Int(response.status.code)
        switch code {
        case 200..<300:
            return
        case 408, 425, 429, 500..<600:
            throw PushSendError.transient("the webhook answered \(code)")
        default:
            throw PushSendError.permanent("the webhook answered \(code)")
        }
    }
}
