//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsDomain

/// Announces committed task events to every replica's subscribers.
public protocol TaskEventBus: Sendable {
    /// Delivers events that were just committed. Never throws: a subscriber that misses an
    /// event notices the gap in sequence numbers and reads it from the store.
    func publish(_ events: [TaskEventRecord]) async
}

/// Delivers events to the subscribers of this process only (a single replica, or local mode).
public struct LocalTaskEventBus: TaskEventBus {
    public let directory: NamespaceDirectory

    public init(directory: NamespaceDirectory) {
        self.directory = directory
    }

    public func publish(_ events: [TaskEventRecord]) async {
        guard let first = events.first else { return }
        if events.allSatisfy({ $0.namespace == first.namespace }) {
            await directory.activeActor(for: first.namespace)?.publish(events)
        } else {
            for event in events {
                await directory.activeActor(for: event.namespace)?.publish([event])
            }
        }
    }
}
