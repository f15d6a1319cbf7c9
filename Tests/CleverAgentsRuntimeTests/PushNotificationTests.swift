//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
@testable import CleverAgentsRuntime
import CleverAgentsTestSupport
import Foundation
import Testing

@Suite(.timeLimit(.minutes(2))) struct PushNotificationTests {
    static func config(_ url: String = "https://hooks.example.com/a2a", id: String? = "cfg", taskId: String = "") -> TaskPushNotificationConfig {
        TaskPushNotificationConfig(id: id, taskId: taskId, url: url, token: "tok", authentication: AuthenticationInfo(scheme: "Bearer", credentials: "s3cret"))
    }

    @Test func configsAreCreatedReadListedAndDeletedIdempotently() async throws {
        try await RuntimeHarness.with { harness in
            let task = try await send(harness, "x")
            let created = try await harness.service.handle(.createTaskPushNotificationConfig(Self.config(taskId: task.id)), context: harness.context())
            guard case .pushConfig(let config) = created else { throw RPCCallError(error: "no config") }
            #expect(config.id == "cfg")
            #expect(config.taskId == task.id)
            #expect(config.authentication?.credentials == "s3cret")
            let stored = try #require(try await harness.store.pushConfig(namespace: harness.namespace, taskId: task.id, id: "cfg"))
            #expect(stored.credentials?.sealed.contains("s3cret") == false, "credentials are sealed at rest")

            guard case .pushConfig(let fetched) = try await harness.service.handle(
                .getTaskPushNotificationConfig(GetTaskPushNotificationConfigRequest(taskId: task.id, id: "cfg")), context: harness.context()
            ) else { throw RPCCallError(error: "no config") }
            #expect(fetched == config)

            _ = try await harness.service.handle(.createTaskPushNotificationConfig(Self.config(id: nil, taskId: task.id)), context: harness.context())
            guard case .pushConfigList(let list) = try await harness.service.handle(
                .listTaskPushNotificationConfigs(ListTaskPushNotificationConfigsRequest(taskId: task.id, pageSize: 1)), context: harness.context()
            ) else { throw RPCCallError(error: "no list") }
            #expect(list.configs.map(\.id) == ["cfg"])
            #expect(list.nextPageToken == "1")
            guard case .pushConfigList(let rest) = try await harness.service.handle(
                .listTaskPushNotificationConfigs(ListTaskPushNotificationConfigsRequest(taskId: task.id, pageSize: 1, pageToken: list.nextPageToken)),
                context: harness.context()
            ) else { throw RPCCallError(error: "no list") }
            #expect(rest.configs.count == 1)
            #expect(rest.configs.first?.id != "cfg", "a server-made id")
            #expect(rest.nextPageToken == "")

            for _ in 0..<2 {
                guard case .empty = try await harness.service.handle(
                    .deleteTaskPushNotificationConfig(DeleteTaskPushNotificationConfigRequest(taskId: task.id, id: "cfg")), context: harness.context()
                ) else { throw RPCCallError(error: "not empty") }
            }
            let gone = await #expect(throws: JSONRPCError.self) {
                try await harness.service.handle(.getTaskPushNotificationConfig(GetTaskPushNotificationConfigRequest(taskId: task.id, id: "cfg")), context: harness.context())
            }
            #expect(gone?.code == JSONRPCError.taskNotFoundCode)
        }
    }

    /// Beyond `push.maxConfigsPerTask` a new config is `-32053` naming the cap; replacing one
    /// (same id) is not another, and deleting one makes room.
    @Test func aTaskHasAtMostItsCapOfConfigs() async throws {
        try await RuntimeHarness.with(limits: ServiceLimits(maximumPushConfigsPerTask: 2)) { harness in
            let task = try await send(harness, "x")
            func create(_ id: String) async throws -> A2AResponse {
                try await harness.service.handle(.createTaskPushNotificationConfig(Self.config(id: id, taskId: task.id)), context: harness.context())
            }
            _ = try await create("one")
            _ = try await create("two")
            let refused = await #expect(throws: JSONRPCError.self) { try await create("three") }
            #expect(refused?.code == JSONRPCError.rateLimitedCode)
            #expect(refused?.message.contains("at most 2 push notification configs") == true, "\(refused?.message ?? "")")
            _ = try await create("two")
            try await harness.service.deletePushConfig(DeleteTaskPushNotificationConfigRequest(taskId: task.id, id: "one"), context: harness.context())
            _ = try await create("three")
            #expect(try await harness.store.pushConfigs(namespace: harness.namespace, taskId: task.id).map(\.id) == ["two", "three"])
        }
    }

    @Test func configsOfAnotherMembersTaskAreNotFound() async throws {
        try await RuntimeHarness.with { harness in
            let task = try await send(harness, "x", context: harness.context(principal: "alice", role: .member))
            let error = await #expect(throws: JSONRPCError.self) {
                try await harness.service.handle(.createTaskPushNotificationConfig(Self.config(taskId: task.id)), context: harness.context(principal: "bob", role: .member))
            }
            #expect(error?.code == JSONRPCError.taskNotFoundCode)
        }
    }

    @Test(arguments: [
        ("http://hooks.example.com/x", "https"),
        ("https://10.1.2.3/x", "private"),
        ("https://169.254.169.254/latest", "link-local or metadata"),
        ("https://[::1]/x", "loopback"),
        ("https://user:pw@hooks.example.com/x", "credentials"),
        ("ftp://hooks.example.com/x", "https"),
        ("not a url", "absolute URL"),
    ])
    func unsafeWebhooksAreRefusedNamingTheField(url: String, reason: String) async throws {
        try await RuntimeHarness.with { harness in
            let task = try await send(harness, "x")
            let error = await #expect(throws: JSONRPCError.self) {
                try await harness.service.handle(.createTaskPushNotificationConfig(Self.config(url, taskId: task.id)), context: harness.context())
            }
            #expect(error?.code == JSONRPCError.invalidParamsCode)
            #expect(error?.message.contains("'url'") == true)
            #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
        }
    }

    @Test func anAllowListedLoopbackWebhookIsAccepted() async throws {
        try await RuntimeHarness.with { harness in
            let task = try await send(harness, "x")
            let created = try await harness.service.handle(.createTaskPushNotificationConfig(Self.config("https://127.0.0.1:9/hook", taskId: task.id)), context: harness.context())
            guard case .pushConfig = created else { throw RPCCallError(error: "no config") }
        }
    }

    @Test func everyEventOfATaskIsDeliveredInOrderWithItsAuthorization() async throws {
        let executor = ScriptedExecutor()
        executor.enqueue([.wait("go")] + ScriptedExecutor.completes(with: "pushed"))
        try await RuntimeHarness.with(executor: executor) { harness in
            var params = SendMessageRequest(message: RuntimeHarness.message("x"))
            params.configuration = SendMessageConfiguration(taskPushNotificationConfig: Self.config(), returnImmediately: true)
            guard case .sendMessage(.task(let task)) = try await harness.service.handle(.sendMessage(params), context: harness.context()) else {
                throw RPCCallError(error: "no task")
            }
            executor.open("go")
            try await Self.drain(harness) { harness.pushSender.sent.count >= 4 && !harness.store.queuedDeliveries.contains { $0.taskId == task.id } }
            let sent = harness.pushSender.sent
            #expect(sent.count == 4)
            #expect(sent.allSatisfy { $0.url == "https://hooks.example.com/a2a" })
            #expect(sent.allSatisfy { $0.headers.contains { $0.name == "Authorization" && $0.value == "Bearer s3cret" } })
            #expect(sent.allSatisfy { $0.headers.contains { $0.name == "Content-Type" && $0.value == "application/a2a+json" } })
            let kinds = try sent.map { try JSONDecoder().decode(JSONValue.self, from: Data($0.body)).objectValue?.keys.first ?? "" }
            #expect(kinds == ["task", "statusUpdate", "artifactUpdate", "statusUpdate"])
        }
    }

    @Test func aFailingWebhookIsRetriedThenGivenUpWithoutBlockingOthers() async throws {
        try await RuntimeHarness.with { harness in
            harness.pushSender.fail(.transient("503"), .transient("503"), .transient("503"))
            var params = SendMessageRequest(message: RuntimeHarness.message("x"))
            params.configuration = SendMessageConfiguration(taskPushNotificationConfig: Self.config())
            _ = try await harness.service.handle(.sendMessage(params), context: harness.context())
            // The first event fails three times (the harness allows three attempts), then the rest follow.
            try await Self.drain(harness) { harness.pushSender.sent.count >= 6 && harness.store.queuedDeliveries.allSatisfy(\.failed) }
            #expect(harness.pushSender.sent.count == 6, "three attempts of the first event, then the other three")
            let queued = harness.store.queuedDeliveries
            #expect(queued.filter(\.failed).map(\.sequence) == [1], "the first event was given up")
            #expect(queued.filter { !$0.failed }.isEmpty, "the others were delivered")
            let bodies = try harness.pushSender.sent.map { try JSONDecoder().decode(JSONValue.self, from: Data($0.body)) }
            #expect(bodies.prefix(3).allSatisfy { $0["task"] != nil }, "the same first event, retried")
        }
    }

    @Test func aPermanentRefusalIsNotRetried() async throws {
        try await RuntimeHarness.with { harness in
            harness.pushSender.fail(.permanent("410"))
            var params = SendMessageRequest(message: RuntimeHarness.message("x"))
            params.configuration = SendMessageConfiguration(taskPushNotificationConfig: Self.config())
            _ = try await harness.service.handle(.sendMessage(params), context: harness.context())
            try await Self.drain(harness) { harness.pushSender.sent.count >= 4 && harness.store.queuedDeliveries.allSatisfy(\.failed) }
            #expect(harness.pushSender.sent.count == 4, "one attempt of the refused event, then the other three")
            #expect(harness.store.queuedDeliveries.filter(\.failed).count == 1)
        }
    }

    @Test func notificationsOfADeletedConfigAreDropped() async throws {
        let executor = ScriptedExecutor()
        executor.enqueue([.wait("go")] + ScriptedExecutor.completes(with: "x"))
        try await RuntimeHarness.with(executor: executor) { harness in
            var params = SendMessageRequest(message: RuntimeHarness.message("x"))
            params.configuration = SendMessageConfiguration(taskPushNotificationConfig: Self.config(), returnImmediately: true)
            guard case .sendMessage(.task(let task)) = try await harness.service.handle(.sendMessage(params), context: harness.context()) else {
                throw RPCCallError(error: "no task")
            }
            _ = try await harness.service.handle(.deleteTaskPushNotificationConfig(DeleteTaskPushNotificationConfigRequest(taskId: task.id, id: "cfg")), context: harness.context())
            executor.open("go")
            // Every event the run writes is written before the worker looks: none queued for
            // the deleted config, and nothing sent, not even the notification queued before.
            let ended = await waitUntil(.seconds(30)) {
                (try? await harness.store.task(namespace: harness.namespace, id: task.id))?.state.isTerminal == true
            }
            #expect(ended, "the run ended")
            #expect(harness.store.queuedDeliveries.isEmpty)
            #expect(await harness.pushWorker.deliverDueNotifications() == 0)
            #expect(harness.pushSender.sent.isEmpty, "dropped, not sent")
        }
    }

    /// Runs the delivery worker until `done`, failing (not hanging) after many rounds.
    static func drain(_ harness: RuntimeHarness, until done: () -> Bool) async throws {
        for _ in 0..<10_000 {
            if done() { return }
            await harness.pushWorker.deliverDueNotifications()
            try await Task.sleep(for: .milliseconds(1))
        }
        Issue.record("the outbox did not drain: \(harness.store.queuedDeliveries)")
    }

    @Test func theAddressPolicyKnowsItsRanges() throws {
        let policy = EgressPolicy(allowList: ["10.9.0.0/16", "hooks.internal"])
        let target = try policy.target(of: "https://example.com")
        for (address, restricted) in [
            ("8.8.8.8", false), ("10.0.0.1", true), ("10.9.3.4", false), ("172.20.1.1", true), ("192.168.1.1", true), ("127.0.0.1", true),
            ("169.254.169.254", true), ("100.64.0.1", true), ("0.0.0.0", true), ("224.0.0.1", true), ("2001:4860::8888", false),
            ("::1", true), ("fe80::1", true), ("fd12::1", true), ("::ffff:10.0.0.1", true), ("::ffff:8.8.8.8", false),
        ] {
            let refused = (try? policy.check(address: address, of: target)) == nil
            #expect(refused == restricted, "\(address)")
        }
        #expect((try? policy.check(address: "10.1.1.1", of: try policy.target(of: "https://hooks.internal"))) != nil, "an allowed host may be private")
        #expect(throws: EgressRefusal.self) { try policy.check(address: "garbage", of: target) }
        #expect(throws: EgressRefusal.self) { try policy.target(of: "http://example.com") }
        #expect(try EgressPolicy(allowPlainHTTP: true).target(of: "http://example.com:8080/x").port == 8080)
        #expect(throws: EgressRefusal.self) { try policy.target(of: "https://example.com/" + String(repeating: "a", count: 2100)) }
        #expect(CIDRRange("10.0.0.0/33") == nil)
        #expect(CIDRRange("nonsense") == nil)
    }

    @Test func backoffDoublesUpToItsCap() {
        let configuration = PushDeliveryWorker.Configuration(initialBackoff: .seconds(1), maximumBackoff: .seconds(5))
        #expect([1, 2, 3, 4, 5].map { configuration.backoff(afterAttempt: $0) } == [.seconds(1), .seconds(2), .seconds(4), .seconds(5), .seconds(5)])
    }
}
