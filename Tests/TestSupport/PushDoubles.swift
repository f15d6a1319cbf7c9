//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import CleverAgentsRuntime
import Synchronization

/// A resolver with a fixed table: an in-memory stand-in of our own port.
public struct StaticHostResolver: HostResolver {
    public var table: [String: [String]]

    public init(_ table: [String: [String]] = [:]) {
        self.table = table
    }

    public func addresses(of host: String, port: Int) async throws -> [String] {
        if let addresses = table[host] { return addresses }
        if host.first?.isNumber == true || host.contains(":") { return [host] }
        throw MissingTestService("a resolver entry for \(host)")
    }
}

/// A push sender that records what it was asked to send and answers from a script.
public final class RecordingPushSender: PushSender, Sendable {
    public struct Sent: Sendable {
        public var url: String
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]
    }

    private let state = Mutex<(sent: [Sent], failures: [PushSendError])>(([], []))

    public init() {}

    /// The next sends fail with these errors, in order.
    public func fail(_ errors: PushSendError...) {
        state.withLock { $0.failures.append(contentsOf: errors) }
    }

    public var sent: [Sent] { state.withLock { $0.sent } }

    public func send(_ body: [UInt8], to url: String, headers: [(name: String, value: String)]) async throws {
        let failure = state.withLock { state -> PushSendError? in
            state.sent.append(Sent(url: url, headers: headers, body: body))
            return state.failures.isEmpty ? nil : state.failures.removeFirst()
        }
        if let failure { throw failure }
    }
}
