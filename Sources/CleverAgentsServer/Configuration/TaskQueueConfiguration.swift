//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import CleverAgentsDomain

/// The durable task queue and the runs of this replica (`tasks.*`).
public struct TaskQueueConfiguration: Sendable, Hashable {
    /// `tasks.leaseSeconds`: how long a replica holds a task without renewing its lease; after a
    /// replica dies, its tasks move on after at most this long.
    public var lease: Duration
    /// `tasks.maxConcurrentRuns`: graph runs at once on one replica.
    public var maximumConcurrentRuns: Int
    /// `tasks.maxRunningPerNamespace`: running tasks of one namespace across all replicas, unless
    /// the namespace sets its own cap.
    public var maximumRunningPerNamespace: Int
    /// `tasks.pollIntervalMs`: how often a replica looks at the queue without being told to.
    public var pollInterval: Duration
    /// `tasks.eventGatherMs`: how long a run's events wait for more before they are written,
    /// while other runs are active on the replica; 0 writes each batch at once.
    public var eventGatherWindow: Duration
    /// `tasks.queueGroup`: replicas that share a task queue; tasks accepted by a replica are run
    /// by replicas of its group only.
    public var queueGroup: String
    /// `tasks.finishedCacheMb`: memory for finished tasks kept for `GetTask`; 0 keeps none.
    public var finishedCacheMegabytes: Int
    /// `tasks.maxArtifactBytes`, `tasks.maxHistoryMessages`, `tasks.maxHistoryBytes`: how large a
    /// task may grow from what its graph sends.
    public var limits: TaskLimits

    public init(
        lease: Duration = .seconds(15),
        maximumConcurrentRuns: Int = 256,
        maximumRunningPerNamespace: Int = 32,
        pollInterval: Duration = .seconds(1),
        eventGatherWindow: Duration = .milliseconds(5),
        queueGroup: String = "",
        finishedCacheMegabytes: Int = 32,
        limits: TaskLimits = TaskLimits()
    ) {
        self.lease = lease
        self.maximumConcurrentRuns = maximumConcurrentRuns
        self.maximumRunningPerNamespace = maximumRunningPerNamespace
        self.pollInterval = pollInterval
        self.eventGatherWindow = eventGatherWindow
        self.queueGroup = queueGroup
        self.finishedCacheMegabytes = finishedCacheMegabytes
        self.limits = limits
    }

    /// Reads `tasks.*` over the defaults; the error names the first bad key.
    init(reading root: ConfigValues) throws(ConfigurationError) {
        self.init()
        let values = root.scoped("tasks")
        lease = try values.seconds("leaseSeconds", in: 2...300) ?? lease
        maximumConcurrentRuns = try values.integer("maxConcurrentRuns", in: 1...100_000) ?? maximumConcurrentRuns
        maximumRunningPerNamespace = try values.integer("maxRunningPerNamespace", in: 1...100_000) ?? maximumRunningPerNamespace
        pollInterval = try values.milliseconds("pollIntervalMs", in: 50...60_000) ?? pollInterval
        eventGatherWindow = try values.milliseconds("eventGatherMs", in: 0...1000) ?? eventGatherWindow
        queueGroup = try values.string("queueGroup") ?? queueGroup
        finishedCacheMegabytes = try values.integer("finishedCacheMb", in: 0...65_536) ?? finishedCacheMegabytes
        limits.maximumArtifactBytes = try values.integer("maxArtifactBytes", in: 1024...(1 << 30)) ?? limits.maximumArtifactBytes
        limits.maximumHistoryMessages = try values.integer("maxHistoryMessages", in: 10...100_000) ?? limits.maximumHistoryMessages
        limits.maximumHistoryBytes = try values.integer("maxHistoryBytes", in: 1024...(1 << 30)) ?? limits.maximumHistoryBytes
    }
}
