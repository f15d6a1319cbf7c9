//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import AsyncHTTPClient
import Synchronization

/// HTTP clients pinned to one checked address of one host name, shared by the requests to it.
///
/// A client in use (leased) is never closed; idle ones beyond `capacity` are closed, least
/// recently used first, so a tenant that names many hosts cannot make the set grow while nothing
/// uses it. Closing is asynchronous; ``shutdown()`` waits for it.
final class PinnedHTTPClients: Sendable {
    struct Key: Hashable {
        var host: String
        var address: String
    }

    private struct Entry {
        var client: HTTPClient
        var leases: Int
        var lastUsed: UInt64
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var tick: UInt64 = 0
        /// Clients being closed, by a number, until their closing ends.
        var closing: [UInt64: Task<Void, Never>] = [:]
        var isShutDown = false
    }

    private let state = Mutex(State())
    private let capacity: Int
    private let makeClient: @Sendable (_ host: String, _ address: String) -> HTTPClient

    init(capacity: Int, makeClient: @escaping @Sendable (_ host: String, _ address: String) -> HTTPClient) {
        self.capacity = max(1, capacity)
        self.makeClient = makeClient
    }

    /// The client of `host` pinned to `address`, leased until the lease is released.
    func acquire(host: String, address: String) throws -> (HTTPClient, Lease) {
        let key = Key(host: host, address: address)
        let (client, idle) = try state.withLock { state throws -> (HTTPClient, [HTTPClient]) in
            guard !state.isShutDown else { throw HTTPClientError.alreadyShutdown }
            state.tick += 1
            if var entry = state.entries[key] {
                entry.leases += 1
                entry.lastUsed = state.tick
                state.entries[key] = entry
                return (entry.client, [])
            }
            // Making a client opens nothing: its connections are made on first use.
            let client = makeClient(host, address)
            state.entries[key] = Entry(client: client, leases: 1, lastUsed: state.tick)
            return (client, Self.takeIdle(beyond: capacity, from: &state))
        }
        close(idle)
        return (client, Lease { [weak self] in self?.release(key) })
    }

    /// The number of clients kept (leased or idle), for tests.
    var count: Int { state.withLock { $0.entries.count } }

    private func release(_ key: Key) {
        let idle = state.withLock { state -> [HTTPClient] in
            state.entries[key]?.leases -= 1
            return Self.takeIdle(beyond: capacity, from: &state)
        }
        close(idle)
    }

    /// Removes idle entries, least recently used first, until at most `capacity` remain.
    private static func takeIdle(beyond capacity: Int, from state: inout State) -> [HTTPClient] {
        var taken: [HTTPClient] = []
        while state.entries.count > capacity,
            let (key, entry) = state.entries.filter({ $0.value.leases == 0 }).min(by: { $0.value.lastUsed < $1.value.lastUsed })
        {
            state.entries[key] = nil
            taken.append(entry.client)
        }
        return taken
    }

    private func close(_ clients: [HTTPClient]) {
        guard !clients.isEmpty else { return }
        state.withLock { state in
            state.tick += 1
            let number = state.tick
            // Made under the lock, so the task cannot remove its entry before it is there.
            state.closing[number] = Task {
                for client in clients { try? await client.shutdown() }
                self.state.withLock { _ = $0.closing.removeValue(forKey: number) }
            }
        }
    }

    /// Closes every client and waits until they are closed.
    func shutdown() async {
        let (clients, closing) = state.withLock { state in
            state.isShutDown = true
            defer {
                state.entries.removeAll()
                state.closing.removeAll()
            }
            return (state.entries.values.map(\.client), Array(state.closing.values))
        }
        for task in closing { await task.value }
        for client in clients { try? await client.shutdown() }
    }

    /// A client's use by one request; released once, when its response ends (or on deinit).
    final class Lease: Sendable {
        private let onRelease: Mutex<(@Sendable () -> Void)?>

        init(_ onRelease: @escaping @Sendable () -> Void) {
            self.onRelease = Mutex(onRelease)
        }

        func release() {
            let action = onRelease.withLock { action in
                defer { action = nil }
                return action
            }
            action?()
        }

        deinit {
            release()
        }
    }
}
