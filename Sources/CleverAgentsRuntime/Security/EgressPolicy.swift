//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation

/// Where the server may connect when a tenant aims it: actors' graph URLs and webhooks.
///
/// A URL passes in two steps. ``target(of:purpose:)`` checks its form (absolute `http(s)`, a host,
/// no credentials, an allowed port, plain `http` only where allowed; graph URLs also without query
/// or fragment, since paths are appended to them). ``check(address:of:)`` then checks each address
/// the host resolves to: loopback, private, link-local (cloud metadata included), shared,
/// documentation, multicast and other special-purpose ranges are refused unless allow-listed.
/// The outbound client connects to an address that passed, never resolving the name again
/// (`EgressHTTPClient`), so a name cannot be pointed elsewhere between check and connect.
public struct EgressPolicy: Sendable, Hashable {
    /// Host names (exact, case-insensitive, or `*.example.com` for any name under it) and CIDR
    /// ranges (`10.0.0.0/8`, `fd00::/8`) that may be reached although their addresses are
    /// special-purpose; plain `http` is allowed to them too.
    public var allowList: [String]
    /// Whether loopback addresses may be reached (a `langgraph dev` on the same machine).
    public var allowLoopback: Bool
    /// Whether `http://` URLs are accepted for any host (otherwise only allow-listed ones).
    public var allowPlainHTTP: Bool
    /// The only ports that may be reached; empty allows every port.
    public var allowedPorts: Set<Int>
    /// Whether only allow-listed hosts and ranges may be reached at all.
    public var allowListOnly: Bool

    public init(allowList: [String] = [], allowLoopback: Bool = false, allowPlainHTTP: Bool = false, allowedPorts: Set<Int> = [], allowListOnly: Bool = false) {
        self.allowList = allowList
        self.allowLoopback = allowLoopback
        self.allowPlainHTTP = allowPlainHTTP
        self.allowedPorts = allowedPorts
        self.allowListOnly = allowListOnly
    }

    /// The defaults of a mode: production allows nothing special; development also allows
    /// loopback and plain `http`, so that a local `langgraph dev` and local webhooks work.
    public static func defaults(production: Bool) -> EgressPolicy {
        EgressPolicy(allowLoopback: !production, allowPlainHTTP: !production)
    }

    /// What the URL is: an actor's graph URL gets paths appended, so it carries no query; a
    /// webhook, or a request made to a graph server, may.
    public enum Purpose: Sendable, Hashable {
        case graph
        case webhook
    }

    /// A URL that passed the form checks, before its host is resolved.
    public struct Target: Sendable, Hashable {
        public var scheme: String
        /// The host without brackets (`::1`, not `[::1]`), lowercased.
        public var host: String
        public var port: Int
        /// Whether the host is an IP address (nothing to resolve).
        public var hostIsAddress: Bool
    }

    /// Checks the URL's form: absolute http(s), a host, no credentials, at most 2048 characters,
    /// an allowed port and scheme.
    public func target(of url: String, purpose: Purpose = .webhook) throws(EgressRefusal) -> Target {
        guard url.utf8.count <= 2048 else { throw .invalid("is longer than 2048 characters") }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.host?.lowercased(), !host.isEmpty
        else { throw .invalid("is not an absolute URL") }
        guard scheme == "https" || scheme == "http" else { throw .invalid("must use https") }
        guard components.user == nil, components.password == nil else { throw .invalid("must not contain credentials") }
        // A fragment is never sent: in a URL we call it can only hide what follows it.
        guard components.fragment == nil, !url.utf8.contains(UInt8(ascii: "#")) else { throw .invalid("must not have a fragment") }
        if purpose == .graph {
            guard components.query == nil, !url.utf8.contains(UInt8(ascii: "?")) else { throw .invalid("must not have a query (paths are appended to it)") }
        }
        let unbracketed = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65535).contains(port) else { throw .invalid("has an invalid port") }
        if !allowedPorts.isEmpty && !allowedPorts.contains(port) {
            throw .notAllowed("port \(port) is not among the allowed ports")
        }
        let address = IPAddress(unbracketed)
        if scheme == "http" && !allowPlainHTTP && !isAllowListed(host: unbracketed) && !(address.map(isAllowListed(ip:)) ?? false) {
            throw .notAllowed("must use https")
        }
        return Target(scheme: scheme, host: unbracketed, port: port, hostIsAddress: address != nil)
    }

    /// Checks an address the target's host resolved to (or the host itself, for an IP literal).
    public func check(address: String, of target: Target) throws(EgressRefusal) {
        guard let ip = IPAddress(address) else { throw .notAllowed("resolved to an unparseable address") }
        if isAllowListed(host: target.host) || isAllowListed(ip: ip) { return }
        if allowListOnly { throw .notAllowed("\(target.host) is not on the egress allow-list") }
        if let kind = ip.specialPurpose, !(kind == .loopback && allowLoopback) {
            throw .notAllowed("resolves to a \(kind.rawValue) address (\(address)); the operator's egress allow-list does not include it")
        }
    }

    /// Checks a URL whose host is an address, without resolving anything: the check that can be
    /// made when a URL is saved. A host name is checked at every connection instead.
    public func checkSaved(_ url: String, purpose: Purpose) throws(EgressRefusal) -> Target {
        let target = try target(of: url, purpose: purpose)
        if target.hostIsAddress { try check(address: target.host, of: target) }
        return target
    }

    func isAllowListed(host: String) -> Bool {
        allowList.contains { entry in
            let entry = entry.lowercased()
            if entry.hasPrefix("*.") { return host.hasSuffix(entry.dropFirst()) }
            return entry == host
        }
    }

    func isAllowListed(ip: IPAddress) -> Bool {
        allowList.contains { entry in
            guard let range = CIDRRange(entry) else { return false }
            return range.contains(ip)
        }
    }

    /// Whether an allow-list entry is a host name, a `*.` wildcard or a CIDR range.
    public static func isValidAllowListEntry(_ entry: String) -> Bool {
        if CIDRRange(entry) != nil { return true }
        let name = entry.hasPrefix("*.") ? String(entry.dropFirst(2)) : entry
        return !name.isEmpty && name.utf8.count <= 253
            && name.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            }
    }
}

/// A refused outbound URL. The reason names the rule, never what the destination answered.
public enum EgressRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// The URL is malformed.
    case invalid(String)
    /// The URL is well-formed, but the egress policy does not allow it.
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

    /// Kinds of special-purpose address (IANA's registries), none of which a tenant may reach.
    enum SpecialPurpose: String, Sendable {
        case unspecified, loopback
        case privateNetwork = "private"
        case shared = "shared (CGNAT)"
        case linkLocal = "link-local or metadata"
        case protocolAssignments = "IETF protocol"
        case documentation, benchmarking, multicast, reserved, broadcast
        case uniqueLocal = "unique local"
        case siteLocal = "site-local"
        case translation = "translated (NAT64, 6to4, Teredo or IPv4-compatible)"
        case discard
        case metadata
    }

    static let specialRanges: [(CIDRRange, SpecialPurpose)] = ([
        ("0.0.0.0/8", .unspecified), ("10.0.0.0/8", .privateNetwork), ("100.64.0.0/10", .shared), ("127.0.0.0/8", .loopback),
        ("169.254.0.0/16", .linkLocal), ("172.16.0.0/12", .privateNetwork), ("192.0.0.0/24", .protocolAssignments),
        ("192.0.2.0/24", .documentation), ("192.88.99.0/24", .translation), ("192.168.0.0/16", .privateNetwork),
        ("198.18.0.0/15", .benchmarking), ("198.51.100.0/24", .documentation), ("203.0.113.0/24", .documentation),
        ("224.0.0.0/4", .multicast), ("255.255.255.255/32", .broadcast), ("240.0.0.0/4", .reserved),
        ("::/128", .unspecified), ("::1/128", .loopback), ("::/96", .translation), ("64:ff9b::/96", .translation),
        ("64:ff9b:1::/48", .translation), ("100::/64", .discard), ("2001::/32", .translation), ("2001:db8::/32", .documentation),
        ("2002::/16", .translation), ("fd00:ec2::254/128", .metadata), ("fc00::/7", .uniqueLocal), ("fe80::/10", .linkLocal),
        ("fec0::/10", .siteLocal), ("ff00::/8", .multicast),
    ] as [(String, SpecialPurpose)]).map { (CIDRRange($0.0)!, $0.1) }

    /// The special-purpose kind of this address, or `nil` for a public address.
    var specialPurpose: SpecialPurpose? {
        Self.specialRanges.first { $0.0.contains(self) }?.1
    }
}

/// An address range such as `10.0.0.0/8`.
struct CIDRRange: Sendable, Hashable {
    var network: IPAddress
    var prefixLength: Int

    init?(_ string: String) {
        let parts = string.split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let address = IPAddress(String(first)) else { return nil }
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
