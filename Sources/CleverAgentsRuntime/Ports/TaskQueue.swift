//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsDomain

/// The durable queue of tasks that need a graph run, shared by every replica.
///
/// A task needs a run while its ``TaskRecord/runInput`` is set. A replica claims it with a lease
/// that it renews; when the lease runs out (the replica died) another replica claims the task
/// and re-joins or starts its run. A task is held by at most one live lease at a time.
public protocol TaskQueue: Sendable {
    /// Claims up to `limit` tasks whose lease is free or expired, for `owner`, until `lease`
    /// from now. A namespace runs at most its own cap of leased tasks (else `defaultNamespaceLimit`)
    /// across all replicas, and each namespace's oldest task comes before any namespace's second.
    func claimTasks(owner: String, limit: Int, lease: Duration, defaultNamespaceLimit: Int) async throws -> [TaskRecord]

    /// Creates a task as ``TaskStore/createTask(_:events:pushConfigs:)`` does and, in the same
    /// write, leases it to `lease.owner` when its namespace is under its cap and no older task of
    /// the namespace waits: the replica that accepted the task then runs it without a claim.
    /// Returns whether the task is leased.
    func createTask(_ task: TaskRecord, events: [TaskEventRecord], pushConfigs: [PushConfigRecord], lease: TaskLeaseRequest) async throws -> Bool

    /// Leases the oldest waiting task of `namespace` to `lease.owner` if the namespace is under
    /// its cap (a run of the namespace ended here), or returns `nil`.
    func leaseNextTask(in namespace: NamespaceName, lease: TaskLeaseRequest) async throws -> TaskRecord?

    /// How many tasks wait for a claim (the queue-depth gauge).
    func waitingTaskCount() async throws -> Int

    /// Extends the leases `owner` holds and returns the tasks it still holds.
    func renewLeases(owner: String, lease: Duration) async throws -> Set<TaskKey>

    /// Gives up `owner`'s lease of one task (its run stopped here without ending) so that another
    /// replica can take the task at once.
    func releaseLease(owner: String, task: TaskKey) async throws

    /// Gives up every lease of `owner` (graceful shutdown).
    func releaseLeases(owner: String) async throws

    /// Sets a namespace's cap of running tasks (`nil`: the server default).
    func setRunningLimit(_ limit: Int?, namespace: NamespaceName) async throws
}

/// The lease a replica asks for a task it creates and has room to run.
public struct TaskLeaseRequest: Sendable, Hashable {
    /// The replica's name in leases.
    public var owner: String
    public var duration: Duration
    /// Running tasks per namespace across the cluster, unless the namespace sets its own.
    public var defaultNamespaceLimit: Int

    public init(owner: String, duration: Duration, defaultNamespaceLimit: Int) {
        self.owner = owner
        self.duration = duration
        self.defaultNamespaceLimit = defaultNamespaceLimit
    }
}

public struct TaskKey: Sendable, Hashable, CustomStringConvertible {
    public var namespace: NamespaceName
    public var id: String

    public init(namespace: NamespaceName, id: String) {
        self.namespace = namespace
        self.id = id
    }

    public var description: String { "\(namespace)/\(id)" }
}
