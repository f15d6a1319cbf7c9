//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import CleverAgentsRuntime
import Logging
import ServiceLifecycle

/// An `A2AService` on in-memory stores and a scripted executor, with its worker running.
public struct RuntimeHarness: Sendable {
    public let store: InMemoryStore
    public let executor: ScriptedExecutor
    public let service: A2AService
    public let worker: TaskWorker
    public let pushWorker: PushDeliveryWorker
    public let pushSender: RecordingPushSender
    public let namespace: NamespaceName

    /// Runs `body` with a harness whose namespace has one default actor, then shuts the worker down.
    public static func with<Result: Sendable>(
        authMode: Namespace.AuthMode = .disabled,
        limits: ServiceLimits = ServiceLimits(),
        streamLimits: StreamLimits = StreamLimits(),
        executor: ScriptedExecutor = ScriptedExecutor(),
        metrics: ServerMetrics = ServerMetrics(),
        _ body: (RuntimeHarness) async throws -> Result
    ) async throws -> Result {
        let store = InMemoryStore()
        let namespace = NamespaceName("test")!
        try await store.createNamespace(Namespace(name: namespace, authMode: authMode, createdAt: .init(millisecondsSinceEpoch: 1_000)))
        try await store.putActor(ActorDefinition(name: "echo", graphURL: "http://graphs.invalid", assistantID: "echo", isDefault: true), in: namespace)
        let directory = NamespaceDirectory(ports: .inMemory(store), actorSettings: NamespaceActor.Settings(snapshotTTL: .zero, streamLimits: streamLimits))
        let ids = UUIDv7Generator()
        var logger = Logger(label: "runtime-test")
        logger.logLevel = .critical
        let secrets = try AESGCMSecretBox(keyMaterial: Array(repeating: 7, count: 32))
        let pushSender = RecordingPushSender()
        let pushWorker = PushDeliveryWorker(
            outbox: store, configs: store, sender: pushSender, secrets: secrets,
            configuration: .init(pollInterval: .milliseconds(20), maximumAttempts: 3, initialBackoff: .milliseconds(1), maximumBackoff: .milliseconds(5)),
            logger: logger,
            metrics: metrics
        )
        let bus = CompositeTaskEventBus([LocalTaskEventBus(directory: directory), pushWorker, TaskMetricsEventBus(metrics: metrics)])
        let runner = TaskRunner(store: store, executor: executor, bus: bus, ids: ids, clock: .system, logger: logger, metrics: metrics)
        let worker = TaskWorker(runner: runner, directory: directory)
        let service = A2AService(
            directory: directory,
            namespaces: store,
            tasks: store,
            pushConfigs: store,
            bus: bus,
            executor: executor,
            worker: worker,
            ids: ids,
            clock: .system,
            secrets: secrets,
            cards: AgentCardBuilder(publicBaseURL: "https://agents.example.com", serverVersion: "test"),
            egress: EgressPolicy(allowList: ["127.0.0.1"]),
            limits: limits,
            logger: logger
        )
        let harness = RuntimeHarness(
            store: store, executor: executor, service: service, worker: worker, pushWorker: pushWorker, pushSender: pushSender, namespace: namespace
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            // Outside a service group the worker stops when its task is cancelled.
            group.addTask { try await worker.run() }
            defer { group.cancelAll() }
            return try await body(harness)
        }
    }

    /// A request context of `principal` with `role`.
    public func context(principal: String = "anonymous", role: NamespaceRole? = .owner) -> RequestContext {
        RequestContext(namespace: namespace, caller: Caller(principalID: principal, role: role), requestID: "test")
    }

    /// A submitted task `t` of `namespace`, stored with its first event, and the job that runs
    /// it on actor `a`: for tests that drive a ``TaskRunner`` or ``TaskWorker`` themselves.
    public static func storedJob(in store: any TaskStore, namespace: NamespaceName, id: String = "t") async throws -> TaskJob {
        var record = TaskRecord(
            namespace: namespace, id: id, contextId: "c", owner: "o", actorName: "a",
            status: TaskStatus(state: .submitted), threadID: "th-\(id)", createdAt: .init(millisecondsSinceEpoch: 1)
        )
        record.lastEventSequence = 1
        try await store.createTask(record, events: [TaskEventRecord(namespace: namespace, taskId: id, sequence: 1, event: .task(record.a2aTask()))])
        let request = GraphRunRequest(
            namespace: namespace, taskId: id, contextId: "c",
            actor: ActorDefinition(name: "a", graphURL: "http://g", assistantID: "a"), apiKey: nil, threadID: "th-\(id)",
            input: .message(message("x"))
        )
        return TaskJob(task: record, request: request)
    }

    /// A user message with one text part.
    public static func message(_ text: String, id: String = "m-\(UInt64.random(in: 0...UInt64.max))", taskId: String? = nil, contextId: String? = nil) -> Message {
        Message(messageId: id, contextId: contextId, taskId: taskId, role: .user, parts: [.text(text)])
    }
}
