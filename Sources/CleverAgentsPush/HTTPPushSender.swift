//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsEgress
public import CleverAgentsRuntime
public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Sends notifications through the ``EgressHTTPClient``: the webhook's URL passes the egress
/// policy, and the connection goes to an address that was checked at send time (the name may
/// resolve elsewhere than when the configuration was made).
///
/// Redirects are not followed (a redirect could lead to a refused address); the body is sent with
/// a `Content-Length`; each attempt is bounded by `timeout`. What the webhook answers is never
/// read beyond its status.
public struct HTTPPushSender: PushSender {
    public let http: EgressHTTPClient
    public let timeout: Duration

    public init(http: EgressHTTPClient, timeout: Duration = .seconds(10)) {
        self.http = http
        self.timeout = timeout
    }

    public func send(_ body: [UInt8], to url: String, headers: [(name: String, value: String)]) async throws {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers {
            request.headers.add(name: name, value: value)
        }
        request.headers.add(name: "User-Agent", value: "cleveragents-server")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, deadline: .now() + .init(timeout))
        } catch let error as EgressRefusal {
            throw PushSendError.permanent("the webhook URL is not allowed: \(error)")
        } catch let error as EgressResolutionFailure {
            throw PushSendError.transient("\(error)")
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
