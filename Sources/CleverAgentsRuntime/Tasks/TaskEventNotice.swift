//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsDomain

/// The announcement that a task has new events up to `sequence`, sent from the replica that
/// wrote them (`origin`) to every replica, which reads the events from the log for its own
/// subscribers of the task.
public struct TaskEventNotice: Sendable, Hashable {
    public var task: TaskKey
    public var sequence: Int64
    public var origin: String

    public init(task: TaskKey, sequence: Int64, origin: String) {
        self.task = task
        self.sequence = sequence
        self.origin = origin
    }

    /// `namespace task-id sequence origin`: none of them contains a space.
    public var payload: String { "\(task.namespace) \(task.id) \(sequence) \(origin)" }

    public init?(payload: String) {
        // Split as bytes: a split by Character finds grapheme boundaries, and every replica reads
        // every notice (several per task).
        let fields = payload.utf8.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false).map(Substring.init)
        guard fields.count == 4, let namespace = NamespaceName(String(fields[0])), !fields[1].isEmpty,
            let sequence = Int64(fields[2]), sequence > 0
        else { return nil }
        self.init(task: TaskKey(namespace: namespace, id: String(fields[1])), sequence: sequence, origin: String(fields[3]))
    }
}
