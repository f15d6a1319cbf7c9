//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
public import CleverAgentsDomain

/// Counts task state changes from the committed events: a created task counts as entering its
/// first state, each status update as entering the state it names.
///
/// Every replica sees the events it committed, so the sum over replicas counts each change once.
public struct TaskMetricsEventBus: TaskEventBus {
    public let metrics: ServerMetrics

    public init(metrics: ServerMetrics) {
        self.metrics = metrics
    }

    public func publish(_ events: [TaskEventRecord]) async {
        for record in events {
            switch record.event {
            case .task(let task):
                metrics.recordTaskTransition(to: task.status.state)
            case .statusUpdate(let update):
                metrics.recordTaskTransition(to: update.status.state)
            case .message, .artifactUpdate:
                break
            }
        }
    }
}
