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
import MetricsTestKit
import Testing

/// The runtime records its metrics where things happen: task states, runs, the queue, pushes.
@Suite(.timeLimit(.minutes(2))) struct RuntimeMetricsTests {
    typealias Name = ServerMetrics.Name

    @Test func aCompletedTurnIsCountedFromSubmissionToOutcome() async throws {
        let recorded = TestMetrics()
        try await RuntimeHarness.with(metrics: ServerMetrics(factory: recorded)) { harness in
            let response = try await harness.service.handle(.sendMessage(SendMessageRequest(message: RuntimeHarness.message("x"))), context: harness.context())
            guard case .sendMessage(.task(let task)) = response else { throw RPCCallError(error: "no task") }
            #expect(task.status.state == .completed)
            try await Self.waitUntil { (try? recorded.expectMeter(Name.taskRunsActive).lastValue) == 0 }
            #expect(try recorded.expectCounter(Name.taskTransitions, [("state", "submitted")]).totalValue == 1)
            #expect(try recorded.expectCounter(Name.taskTransitions, [("state", "working")]).totalValue == 1)
            #expect(try recorded.expectCounter(Name.taskTransitions, [("state", "completed")]).totalValue == 1)
            #expect(try recorded.expectTimer(Name.executorRunDuration, [("outcome", "completed")]).values.count == 1)
            #expect(try recorded.expectTimer(Name.executorFirstEvent).values.count == 1)
            #expect(try recorded.expectMeter(Name.taskQueueDepth).lastValue == 0)
            #expect(try recorded.expectMeter(Name.taskQueueDepth).values.max() == 1, "the turn was queued once")
        }
    }

    @Test func aFailedRunIsCountedAsFailed() async throws {
        let recorded = TestMetrics()
        let executor = ScriptedExecutor(defaultScript: [.fail("the graph broke")])
        try await RuntimeHarness.with(executor: executor, metrics: ServerMetrics(factory: recorded)) { harness in
            _ = try await harness.service.handle(.sendMessage(SendMessageRequest(message: RuntimeHarness.message("x"))), context: harness.context())
            try await Self.waitUntil { (try? recorded.expectTimer(Name.executorRunDuration, [("outcome", "failed")]).values.count) == 1 }
            #expect(try recorded.expectCounter(Name.taskTransitions, [("state", "failed")]).totalValue == 1)
            #expect(try recorded.expectTimer(Name.executorFirstEvent).values.isEmpty, "the run failed before any event")
        }
    }

    @Test func pushDeliveriesAreCountedByResult() async throws {
        let recorded = TestMetrics()
        try await RuntimeHarness.with(metrics: ServerMetrics(factory: recorded)) { harness in
            // The harness allows three attempts: two retries, then the first event is given up.
            harness.pushSender.fail(.transient("503"), .transient("503"), .transient("503"))
            var params = SendMessageRequest(message: RuntimeHarness.message("x"))
            params.configuration = SendMessageConfiguration(
                taskPushNotificationConfig: TaskPushNotificationConfig(id: "cfg", taskId: "", url: "https://hooks.example.com/a2a", token: "t")
            )
            _ = try await harness.service.handle(.sendMessage(params), context: harness.context())
            try await PushNotificationTests.drain(harness) { harness.pushSender.sent.count >= 6 && harness.store.queuedDeliveries.allSatisfy(\.failed) }
            #expect(try recorded.expectCounter(Name.pushDeliveries, [("result", "retrying")]).totalValue == 2)
            #expect(try recorded.expectCounter(Name.pushDeliveries, [("result", "abandoned")]).totalValue == 1)
            #expect(try recorded.expectCounter(Name.pushDeliveries, [("result", "delivered")]).totalValue == 3)
            #expect(try recorded.expectTimer(Name.pushDeliveryDuration).values.count == 6)
        }
    }

    @Test func rpcCallsAreCountedByMethodAndResultWithTheNamespaceOnlyWhenAskedFor() throws {
        let recorded = TestMetrics()
        let namespace = NamespaceName("acme")!
        ServerMetrics(factory: recorded).recordRPC(method: "GetTask", errorCode: nil, namespace: namespace, duration: .milliseconds(3))
        ServerMetrics(factory: recorded).recordRPC(method: "bogus", errorCode: JSONRPCError.methodNotFoundCode, namespace: namespace, duration: .zero)
        #expect(try recorded.expectCounter(Name.rpcRequests, [("method", "GetTask"), ("result", "ok")]).totalValue == 1)
        #expect(try recorded.expectCounter(Name.rpcRequests, [("method", "unknown"), ("result", "method_not_found")]).totalValue == 1)
        #expect(try recorded.expectTimer(Name.rpcDuration, [("method", "GetTask")]).values == [3_000_000])
        // Extension methods the server serves count under their names; made-up ones do not.
        ServerMetrics(factory: recorded).recordRPC(method: "_cleveragents/sync/pull", errorCode: nil, namespace: namespace, duration: .zero)
        ServerMetrics(factory: recorded).recordRPC(method: "_cleveragents/admin/tokens/list", errorCode: nil, namespace: namespace, duration: .zero)
        ServerMetrics(factory: recorded).recordRPC(method: "_cleveragents/admin/bogus", errorCode: nil, namespace: namespace, duration: .zero)
        #expect(try recorded.expectCounter(Name.rpcRequests, [("method", "_cleveragents/sync/pull"), ("result", "ok")]).totalValue == 1)
        #expect(try recorded.expectCounter(Name.rpcRequests, [("method", "_cleveragents/admin/tokens/list"), ("result", "ok")]).totalValue == 1)
        #expect(try recorded.expectCounter(Name.rpcRequests, [("method", "unknown"), ("result", "ok")]).totalValue == 1)

        let labelled = ServerMetrics(factory: recorded, namespaceLabel: true)
        labelled.recordRPC(method: "GetTask", errorCode: nil, namespace: namespace, duration: .zero)
        labelled.recordRPC(method: "GetTask", errorCode: JSONRPCError.namespaceNotFoundCode, namespace: NamespaceName("typo"), duration: .zero)
        #expect(try recorded.expectCounter(Name.rpcRequests, [("method", "GetTask"), ("result", "ok"), ("namespace", "acme")]).totalValue == 1)
        #expect(try recorded.expectCounter(Name.rpcRequests, [("method", "GetTask"), ("result", "namespace_not_found"), ("namespace", "unknown")]).totalValue == 1)
    }

    @Test func requestSeriesMadeOnceCountEveryCallUnderTheirOwnLabels() throws {
        let recorded = TestMetrics()
        let metrics = ServerMetrics(factory: recorded, namespaceLabel: true)
        let acme = NamespaceName("acme")!
        let beta = NamespaceName("beta")!
        for _ in 0..<3 { metrics.recordRPC(method: "GetTask", errorCode: nil, namespace: acme, duration: .zero) }
        metrics.recordRPC(method: "GetTask", errorCode: nil, namespace: beta, duration: .zero)
        metrics.recordRPC(method: "SendMessage", errorCode: nil, namespace: acme, duration: .zero)
        #expect(try recorded.expectCounter(Name.rpcRequests, [("method", "GetTask"), ("result", "ok"), ("namespace", "acme")]).totalValue == 3)
        #expect(try recorded.expectCounter(Name.rpcRequests, [("method", "GetTask"), ("result", "ok"), ("namespace", "beta")]).totalValue == 1)
        #expect(try recorded.expectCounter(Name.rpcRequests, [("method", "SendMessage"), ("result", "ok"), ("namespace", "acme")]).totalValue == 1)
        #expect(try recorded.expectTimer(Name.rpcDuration, [("method", "GetTask")]).values.count == 4)

        for _ in 0..<2 { metrics.recordHTTP(route: "/ns/{namespace}", method: "POST", status: 200, duration: .zero) }
        metrics.recordHTTP(route: "/ns/{namespace}", method: "POST", status: 404, duration: .zero)
        #expect(try recorded.expectCounter(Name.httpRequests, [("route", "/ns/{namespace}"), ("method", "POST"), ("status", "200")]).totalValue == 2)
        #expect(try recorded.expectCounter(Name.httpRequests, [("route", "/ns/{namespace}"), ("method", "POST"), ("status", "404")]).totalValue == 1)
        #expect(try recorded.expectTimer(Name.httpDuration, [("route", "/ns/{namespace}"), ("method", "POST")]).values.count == 3)

        // A state without a series made in advance gets one when first entered.
        metrics.recordTaskTransition(to: .unspecified)
        metrics.recordTaskTransition(to: .unspecified)
        #expect(try recorded.expectCounter(Name.taskTransitions, [("state", "unspecified")]).totalValue == 2)
    }

    @Test func databaseOperationsAreTimedAndCountedInFlight() async throws {
        let recorded = TestMetrics()
        let metrics = ServerMetrics(factory: recorded)
        let value = try await metrics.measureDatabaseOperation { 42 }
        #expect(value == 42)
        await #expect(throws: StoreError.self) {
            try await metrics.measureDatabaseOperation { throw StoreError.conflict }
        }
        #expect(try recorded.expectTimer(Name.databaseOperationDuration, [("result", "ok")]).values.count == 1)
        #expect(try recorded.expectTimer(Name.databaseOperationDuration, [("result", "error")]).values.count == 1)
        #expect(try recorded.expectMeter(Name.databaseOperationsInFlight).values == [1, 0, 1, 0])
        metrics.recordDatabasePoolMaximum(20)
        #expect(try recorded.expectGauge(Name.databasePoolMaximum).lastValue == 20)
    }

    /// Polls `condition` (bounded), for what finishes after an answer was sent.
    static func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<2_000 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        Issue.record("the condition did not hold in time")
    }
}
