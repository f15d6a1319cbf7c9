//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import CleverAgentsDomain
import CleverAgentsRuntime

/// A task store that hands every call to an in-memory `base`: a test's store implements only
/// the calls it watches or refuses.
public protocol WrappingTaskStore: TaskStore {
    var base: InMemoryStore { get }
}

extension WrappingTaskStore {
    public func createTask(_ task: TaskRecord, events: [TaskEventRecord], pushConfigs: [PushConfigRecord]) async throws {
        try await base.createTask(task, events: events, pushConfigs: pushConfigs)
    }

    public func updateTask(_ task: TaskRecord, expectedVersion: Int64, appending events: [TaskEventRecord]) async throws {
        try await base.updateTask(task, expectedVersion: expectedVersion, appending: events)
    }

    public func task(namespace: NamespaceName, id: String) async throws -> TaskRecord? {
        try await base.task(namespace: namespace, id: id)
    }

    public func events(namespace: NamespaceName, taskId: String, afterSequence: Int64) async throws -> [TaskEventRecord] {
        try await base.events(namespace: namespace, taskId: taskId, afterSequence: afterSequence)
    }

    public func listTasks(namespace: NamespaceName, query: TaskQuery) async throws -> TaskPage {
        try await base.listTasks(namespace: namespace, query: query)
    }
}
