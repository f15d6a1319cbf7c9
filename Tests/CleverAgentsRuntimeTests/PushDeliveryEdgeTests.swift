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
import CleverAgentsTestSupport
import Logging
import Testing

/// One delivery pass of the push worker: a config that is gone by the time of the send, and an
/// authentication scheme without credentials.
@Suite(.timeLimit(.minutes(2))) struct PushDeliveryEdgeTests {
    let outbox = InMemoryStore()
    let namespace = NamespaceName("test-push")!

    /// Stores a task of `namespace` with `config`, which queues the notification of its first event.
    func queue(_ config: PushConfigRecord) async throws {
        try await outbox.createNamespace(Namespace(name: namespace, authMode: .disabled, createdAt: .init(millisecondsSinceEpoch: 1)))
        var record = TaskRecord(
            namespace: namespace, id: "t1", contextId: "c1", owner: "alice", actorName: "echo",
            status: TaskStatus(state: .submitted, timestamp: .init(millisecondsSinceEpoch: 1)), threadID: "thread-1",
            createdAt: .init(millisecondsSinceEpoch: 1)
        )
        record.lastEventSequence = 1
        try await outbox.createTask(
            record, events: [TaskEventRecord(namespace: namespace, taskId: "t1", sequence: 1, event: .task(record.a2aTask()))], pushConfigs: [config])
    }

    func worker(configs: any PushConfigStore, sender: RecordingPushSender) throws -> PushDeliveryWorker {
        var logger = Logger(label: "test-push")
        logger.logLevel = .critical
        return PushDeliveryWorker(
            outbox: outbox, configs: configs, sender: sender, secrets: try AESGCMSecretBox(keyMaterial: Array(repeating: 7, count: 32)),
            configuration: .init(pollInterval: .seconds(3600)), logger: logger
        )
    }

    func config(scheme: String? = nil) -> PushConfigRecord {
        PushConfigRecord(
            namespace: namespace, taskId: "t1", id: "hook", url: "https://hook.example/a2a", authenticationScheme: scheme, owner: "alice",
            createdAt: .init(millisecondsSinceEpoch: 1))
    }

    @Test func aDeliveryWhoseConfigIsGoneIsAbandonedUnsent() async throws {
        try await queue(config())
        // The config store no longer has the webhook (deleted after the notification was queued).
        let sender = RecordingPushSender()
        let worker = try worker(configs: InMemoryStore(), sender: sender)
        #expect(await worker.deliverDueNotifications() == 1)
        #expect(sender.sent.isEmpty)
        let queued = outbox.queuedDeliveries
        #expect(queued.map(\.failed) == [true], "given up for good, not retried")
        #expect(try await outbox.claimDueDeliveries(limit: 10, lease: .seconds(60)).isEmpty)
    }

    @Test func aSchemeWithoutCredentialsIsSentAlone() async throws {
        try await queue(config(scheme: "Bearer"))
        let sender = RecordingPushSender()
        let worker = try worker(configs: outbox, sender: sender)
        #expect(await worker.deliverDueNotifications() == 1)
        let sent = try #require(sender.sent.first)
        #expect(sent.url == "https://hook.example/a2a")
        #expect(sent.headers.filter { $0.name == "Authorization" }.map(\.value) == ["Bearer"])
        #expect(!sent.headers.contains { $0.name == "X-A2A-Notification-Token" }, "no token was configured")
        #expect(outbox.queuedDeliveries.isEmpty, "delivered")
    }
}
