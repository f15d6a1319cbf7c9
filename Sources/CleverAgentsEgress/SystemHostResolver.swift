//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsRuntime
import Foundation
import NIOPosix

/// Resolves names with the system resolver (`getaddrinfo`) on NIO's thread pool, so the blocking
/// call never runs on Swift's cooperative threads. IP literals are returned as they are.
public struct SystemHostResolver: HostResolver {
    public init() {}

    public func addresses(of host: String, port: Int) async throws -> [String] {
        if isIPLiteral(host) { return [host] }
        return try await NIOThreadPool.singleton.runIfActive {
            try Self.resolve(host)
        }
    }

    private func isIPLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    private static func resolve(_ host: String) throws -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &result)
        guard status == 0 else { throw ResolutionError(host: host, code: status) }
        defer { freeaddrinfo(result) }
        var addresses: [String] = []
        var cursor = result
        while let info = cursor {
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            switch info.pointee.ai_family {
            case AF_INET:
                info.pointee.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                    var address = pointer.pointee.sin_addr
                    _ = inet_ntop(AF_INET, &address, &buffer, socklen_t(buffer.count))
                }
            case AF_INET6:
                info.pointee.ai_addr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                    var address = pointer.pointee.sin6_addr
                    _ = inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count))
                }
            default:
                break
            }
            let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if !text.isEmpty && !addresses.contains(text) { addresses.append(text) }
            cursor = info.pointee.ai_next
        }
        return addresses
    }

    struct ResolutionError: Error, CustomStringConvertible {
        var host: String
        var code: Int32
        var description: String { "cannot resolve \(host) (getaddrinfo error \(code))" }
    }
}
