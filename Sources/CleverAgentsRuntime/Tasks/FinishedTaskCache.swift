//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import A2AProtocol
public import CleverAgentsDomain
import DequeModule
import Synchronization

/// Tasks in a terminal state, kept in memory so that `GetTask` of a finished task needs no
/// database round trip.
///
/// A terminal task never changes again (A2A refuses to continue or cancel it, and only deleting
/// its namespace removes it), so a copy is valid on every replica for as long as its namespace
/// exists. Entries carry the namespace's creation time: after a namespace is deleted and created
/// again under the same name, the old entries no longer match. The cache holds at most
/// `capacityBytes` of (estimated) task content and drops the oldest entries first.
public final class FinishedTaskCache: Sendable {
    /// The most task content kept, estimated by ``TaskRecord/estimatedBytes``; 0 disables the cache.
    public let capacityBytes: Int
    /// A single task larger than this is not kept: it would push out many small ones.
    public let maximumEntryBytes: Int

    private struct Key: Hashable {
        var namespace: NamespaceName
        var id: String
    }

    private struct Entry {
        var record: TaskRecord
        var namespaceCreatedAt: A2ATimestamp
        var bytes: Int
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var order: Deque<Key> = []
        var bytes = 0
    }

    private let state = Mutex(State())

    /// - Parameters:
    ///   - capacityBytes: the most task content kept; 0 disables the cache.
    ///   - maximumEntryBytes: the largest task kept (default: a sixteenth of the capacity).
    public init(capacityBytes: Int = 32 << 20, maximumEntryBytes: Int? = nil) {
        self.capacityBytes = max(0, capacityBytes)
        self.maximumEntryBytes = maximumEntryBytes ?? self.capacityBytes / 16
    }

    /// The finished task `id` of `namespace`, if it is kept and belongs to the namespace created
    /// at `namespaceCreatedAt`.
    public func task(namespace: NamespaceName, id: String, namespaceCreatedAt: A2ATimestamp) -> TaskRecord? {
        guard capacityBytes > 0 else { return nil }
        return state.withLock { state in
            guard let entry = state.entries[Key(namespace: namespace, id: id)], entry.namespaceCreatedAt == namespaceCreatedAt else {
                return nil
            }
            return entry.record
        }
    }

    /// Keeps `record` if it is terminal and small enough; other records are ignored.
    public func remember(_ record: TaskRecord, namespaceCreatedAt: A2ATimestamp) {
        guard capacityBytes > 0, record.state.isTerminal else { return }
        let bytes = record.estimatedBytes
        guard bytes <= maximumEntryBytes else { return }
        let key = Key(namespace: record.namespace, id: record.id)
        state.withLock { state in
            if let previous = state.entries.updateValue(Entry(record: record, namespaceCreatedAt: namespaceCreatedAt, bytes: bytes), forKey: key) {
                // Already queued for eviction: only the size changes.
                state.bytes += bytes - previous.bytes
            } else {
                state.order.append(key)
                state.bytes += bytes
            }
            while state.bytes > capacityBytes, let oldest = state.order.popFirst() {
                if let removed = state.entries.removeValue(forKey: oldest) {
                    state.bytes -= removed.bytes
                }
            }
        }
    }

    /// How many tasks and estimated bytes are kept.
    public var usage: (tasks: Int, bytes: Int) {
        state.withLock { ($0.entries.count, $0.bytes) }
    }
}

extension TaskRecord {
    /// A cheap estimate of the memory the record's content takes: its strings and binary data,
    /// plus a fixed overhead per value. It is not exact; it bounds caches.
    public var estimatedBytes: Int {
        var bytes = 256 + id.utf8.count + contextId.utf8.count + owner.utf8.count + actorName.utf8.count + threadID.utf8.count
        bytes += Self.estimatedBytes(of: metadata) + Self.estimatedBytes(of: status.message)
        for message in history {
            bytes += Self.estimatedBytes(of: message)
        }
        for artifact in artifacts {
            bytes += 64 + artifact.artifactId.utf8.count + (artifact.name?.utf8.count ?? 0) + (artifact.description?.utf8.count ?? 0)
            bytes += Self.estimatedBytes(of: artifact.parts) + Self.estimatedBytes(of: artifact.metadata)
        }
        return bytes
    }

    private static func estimatedBytes(of message: Message?) -> Int {
        guard let message else { return 0 }
        return 64 + message.messageId.utf8.count + estimatedBytes(of: message.parts) + estimatedBytes(of: message.metadata)
    }

    private static func estimatedBytes(of parts: [Part]) -> Int {
        parts.reduce(0) { total, part in
            var bytes = 48 + estimatedBytes(of: part.metadata) + (part.filename?.utf8.count ?? 0) + (part.mediaType?.utf8.count ?? 0)
            switch part.content {
            case .text(let text): bytes += text.utf8.count
            case .raw(let data): bytes += data.count
            case .url(let url): bytes += url.utf8.count
            case .data(let value): bytes += estimatedBytes(of: value)
            }
            return total + bytes
        }
    }

    private static func estimatedBytes(of object: JSONObject?) -> Int {
        guard let object else { return 0 }
        return object.reduce(16) { $0 + 16 + $1.key.utf8.count + estimatedBytes(of: $1.value) }
    }

    private static func estimatedBytes(of value: JSONValue) -> Int {
        switch value {
        case .null, .bool, .number: 16
        case .string(let string): 16 + string.utf8.count
        case .array(let values): values.reduce(16) { $0 + estimatedBytes(of: $1) }
        case .object(let object): estimatedBytes(of: object)
        }
    }
}
