//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Synchronization

/// A store's word to the push worker that a write of this process queued push deliveries.
///
/// Without it the worker looks at the outbox after every committed event, although most tasks
/// have no webhook: a query per event for nothing. A store that counts the deliveries it queues
/// signals only when there are some; deliveries queued by other replicas are found by the
/// worker's periodic poll (and by their own replica's worker at once).
public final class PushWakeSignal: Sendable {
    private let handler = Mutex<(@Sendable () -> Void)?>(nil)

    public init() {}

    /// Deliveries were queued and committed.
    public func signal() {
        handler.withLock { $0 }?()
    }

    /// Calls `wake` on every later signal (one handler: the push worker's).
    func onSignal(_ wake: @escaping @Sendable () -> Void) {
        handler.withLock { $0 = wake }
    }
}
