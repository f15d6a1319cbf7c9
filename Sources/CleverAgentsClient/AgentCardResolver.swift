//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Finds an agent's card and the interface to talk to, as the A2A Python SDK does: the card is
/// at `{base}/.well-known/agent-card.json`; among its JSON-RPC interfaces the one for protocol
/// 1.0 is preferred (patch versions do not matter), then a newer one, then one without a version.
public struct AgentCardResolver: Sendable {
    public static let wellKnownPath = ".well-known/agent-card.json"

    public let http: HTTPClient
    public let token: String?
    public let retry: RetryPolicy

    public init(http: HTTPClient = .a2aDefault, token: String? = nil, retry: RetryPolicy = RetryPolicy()) {
        self.http = http
        self.token = token
        self.retry = retry
    }

    /// Fetches and decodes the card (a GET, tried again like any idempotent call).
    public func fetch(baseURL: String) async throws -> AgentCard {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        let url = "\(base)/\(Self.wellKnownPath)"
        var attempt = 1
        while true {
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Accept", value: "application/json")
            if let token, !token.isEmpty { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            do {
                let response = try await http.execute(request, timeout: .seconds(30))
                let bytes = try await response.body.collect(upTo: 4 << 20)
                let status = Int(response.status.code)
                if attempt < retry.maximumAttempts, RetryPolicy.isRetriable(status: status) {
                    try await Task.sleep(for: retry.backoff(after: attempt, retryAfter: HTTPTransport.retryAfter(response.headers)))
                    attempt += 1
                    continue
                }
                guard (200..<300).contains(status) else {
                    throw A2AClientError.agentCard("GET \(url) answered HTTP \(status)")
                }
                return try Self.decode(Data(buffer: bytes), url: url)
            } catch let error where attempt < retry.maximumAttempts && HTTPTransport.isConnectFailure(error) {
                try await Task.sleep(for: retry.backoff(after: attempt))
                attempt += 1
            } catch let error as A2AClientError {
                throw error
            } catch {
                throw A2AClientError.agentCard("GET \(url) failed: \(HTTPTransport.clientError(error))")
            }
        }
    }

    static func decode(_ data: Data, url: String) throws -> AgentCard {
        let json: JSONValue
        do {
            json = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw A2AClientError.agentCard("\(url) is not JSON")
        }
        if json["supportedInterfaces"] == nil, let legacyURL = json["url"]?.stringValue {
            // A 0.3 card: the SDK maps it to a 0.3 interface, which this client does not speak.
            let version = json["protocolVersion"]?.stringValue ?? "0.3.0"
            throw A2AClientError.agentCard("the agent at \(legacyURL) speaks A2A \(version) only; this client speaks 1.0")
        }
        do {
            return try JSONDecoder().decode(AgentCard.self, from: data)
        } catch {
            throw A2AClientError.agentCard("\(url) is not an agent card: \(error)")
        }
    }

    /// The JSON-RPC interface to use: 1.0 first, then a newer version, then an unversioned one.
    public static func jsonRPCInterface(of card: AgentCard) throws -> AgentInterface {
        let candidates = card.supportedInterfaces.filter { $0.protocolBinding == "JSONRPC" }
        func majorMinor(_ version: String) -> (Int, Int)? {
            let parts = version.split(separator: ".")
            guard let major = parts.first.flatMap({ Int($0) }) else { return nil }
            return (major, parts.count > 1 ? Int(parts[1]) ?? 0 : 0)
        }
        if let exact = candidates.first(where: { majorMinor($0.protocolVersion).map { $0 == (1, 0) } ?? false }) {
            return exact
        }
        if let newer = candidates.first(where: { majorMinor($0.protocolVersion).map { $0 > (1, 0) } ?? false }) {
            return newer
        }
        if let unversioned = candidates.first(where: { $0.protocolVersion.isEmpty }) {
            return unversioned
        }
        let offered = card.supportedInterfaces.map { "\($0.protocolBinding) \($0.protocolVersion)" }.joined(separator: ", ")
        throw A2AClientError.agentCard("no JSON-RPC interface for A2A 1.0 (the card offers: \(offered.isEmpty ? "none" : offered))")
    }
}
