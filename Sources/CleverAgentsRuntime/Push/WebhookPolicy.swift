//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation

/// Which webhook URLs the server may call: a guard against server-side request forgery.
///
/// Loopback, private, link-local, shared (CGNAT), unspecified, multicast and cloud metadata
/// addresses are refused unless the allow-list names the host or a CIDR range that contains the
/// address. Plain `http` is refused unless allowed (or the server is in development mode).
public struct WebhookPolicy: Sendable, Hashable {
    /// Host names (exact, case-insensitive) and CIDR ranges (`10.0.0.0/8`, `::1/128`) that are allowed
    /// even though private.
    public var allowList: [String]
    /// Whether `http://` URLs are accepted (TLS is required otherwise).
    public var allowPlainHTTP: Bool

    public init(allowList: [String] = [], allowPlainHTTP: Bool = false) {
        self.allowList = allowList
        self.allowPlainHTTP = allowPlainHTTP
    }

    /// A URL that passed the syntactic checks, before its host is resolved.
    public struct Target: Sendable, Hashable {
        public var scheme: String
        public var host: String
        public var port: Int
    }

    /// Checks the URL's form: absolute http(s), a host, no credentials, at most 2048 characters.
    public func target(of url: String) throws(WebhookPolicyError) -> Target {
        guard url.utf8.count <= 2048 else { throw .invalid("is longer than 2048 characters") }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.host?.lowercased(), !host.isEmpty
        else { throw .invalid("is not an absolute URL") }
        guard scheme == "https" || scheme == "http" else { throw .invalid("must use https") }
        guard components.user == nil, components.password == nil else { throw .invalid("must not contain credentials") }
        let unbracketed = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        if scheme == "http" && !allowPlainHTTP && !isAllowListed(host: unbracketed) {
            throw .notAllowed("must use https")
        }
        return Target(scheme: scheme, host: unbracketed, port: components.port ?? (scheme == "https" ? 443 : 80))
    }

    /// Checks an address the host resolved to.
    public func check(address: String, host: String) throws(WebhookPolicyError) {
        guard let ip = IPAddress(address) else { throw .notAllowed("resolved to an unparseable address \(address)") }
        if isAllowListed(host: host) || isAllowListed(ip: ip) { return }
        if let reason = ip.restrictedReason {
            throw .notAllowed("resolves to a \(reason) address (\(address)); add it to push.allowList to allow it")
        }
    }

    func isAllowListed(host: String) -> Bool {
        allowList.contains { $0.lowercased() == host }
    }

    func isAllowListed(ip: IPAddress) -> Bool {
        allowList.contains { entry in
            guard let range = CIDRRange(entry) else { return false }
            return range.contains(ip)
        }
    }
}

/// A refused webhook URL.
public enum WebhookPolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalid(String)
    case notAllowed(String)

    public var description: String {
        switch self {
        case .invalid(let reason), .notAllowed(let reason): reason
        }
    }
}

/// An IPv4 or IPv6 address as 4 or 16 bytes.
struct IPAddress: Sendable, Hashable {
    var bytes: [UInt8]

    init?(_ string: String) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, string, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else if inet_pton(AF_INET6, string, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
            // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is judged as its IPv4 address.
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
                bytes = Array(bytes[12..<16])
            }
        } else {
            return nil
        }
    }

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Why this address may not be called, or `nil` for a public address.
    var restrictedReason: String? {
        let ranges: [(String, String)] = [
            ("0.0.0.0/8", "unspecified"), ("10.0.0.0/8", "private"), ("100.64.0.0/10", "shared (CGNAT)"),
            ("127.0.0.0/8", "loopback"), ("169.254.0.0/16", "link-local or metadata"), ("172.16.0.0/12", "private"),
            ("192.0.0.0/24", "IETF protocol"), ("192.168.0.0/16", "private"), ("198.18.0.0/15", "benchmarking"),
            ("224.0.0.0/4", "multicast"), ("240.0.0.0/4", "reserved"),
            ("::/128", "unspecified"), ("::1/128", "loopback"), ("fc00::/7", "unique local"), ("fe80::/10", "link-local"),
            ("ff00::/8", "multicast"), ("64:ff9b::/96", "NAT64"), ("fd00:ec2::254/128", "metadata"),
        ]
        for (cidr, reason) in ranges where CIDRRange(cidr)!.contains(self) {
            return reason
        }
        return nil
    }
}

/// An address range such as `10.0.0.0/8`.
struct CIDRRange: Sendable, Hashable {
    var network: IPAddress
    var prefixLength: Int

    init?(_ string: String) {
        let parts = string.split(separator: "/", maxSplits: 1)
        guard let address = IPAddress(String(parts[0])) else { return nil }
        let maximum = address.bytes.count * 8
        let length = parts.count == 2 ? Int(parts[1]) : maximum
        guard let length, (0...maximum).contains(length) else { return nil }
        self.network = address
        self.prefixLength = length
    }

    func contains(_ address: IPAddress) -> Bool {
        guard address.bytes.count == network.bytes.count else { return false }
        var remaining = prefixLength
        for index in network.bytes.indices where remaining > 0 {
            let bits = min(8, remaining)
            let mask: UInt8 = bits == 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            if network.bytes[index] & mask != address.bytes[index] & mask { return false }
            remaining -= bits
        }
        return true
    }
}
