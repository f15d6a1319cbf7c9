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
import Synchronization
import Testing

/// A task store in memory whose next task write meets another writer first: the competing
/// write (a cancel, the runner's progress) lands on the store, then the write is made as asked,
/// and the store refuses it as it would refuse any write against a stale version.
final class RacingTaskStore: WrappingTaskStore {
    typealias Competitor = @Sendable (InMemoryStore, TaskRecord) async throws -> Void

    let base = InMemoryStore()
    private let competitor = Mutex<Competitor?>(nil)
    private let failure = Mutex<(any Error & Sendable)?>(nil)

    /// The next task write is preceded by `competitor` (once).
    func race(_ competitor: @escaping Competitor) {
        self.competitor.withLock { $0 = competitor }
    }

    /// Every later task write fails with `error`.
    func refuseWrites(with error: any Error & Sendable) {
        failure.withLock { $0 = error }
    }

    func updateTask(_ task: TaskRecord, expectedVersion: Int64, appending events: [TaskEventRecord]) async throws {
        if let error = failure.withLock({ $0 }) { throw error }
        let competing = competitor.withLock { value -> Competitor? in
            defer { value = nil }
            return value
        }
        if let competing { try await competing(base, task) }
        try await base.updateTask(task, expectedVersion: expectedVersion, appending: events)
    }
}

/// CancelTask and follow-up messages when the task changes under them, its actor is gone, or
/// its run ends before the cancel reaches it.
@Suite(.timeLimit(.minutes(2))) struct CancelAndContinueRaceTests {
    /// An `A2AService` like ``RuntimeHarness``'s, whose task store is a ``RacingTaskStore`` (the
    /// runner writes to the store underneath, so only the service's own writes race).
    struct Fixture {
        let store: RacingTaskStore
        let executor: ScriptedExecutor
        let service: A2AService
        let bus: any TaskEventBus
        let namespace = NamespaceName("racing")!

        func context() -> RequestContext {
            RequestContext(namespace: namespace, caller: Caller(principalID: "anonymous", role: .owner), requestID: "test")
        }

        /// Another writer's change of the stored task, published as the runner's are.
        func write(_ updates: [TaskUpdate], to task: TaskRecord, on store: InMemoryStore) async throws {
            var current = try #require(try await store.task(namespace: task.namespace, id: task.id))
            try await TaskCommitter(store: store, bus: bus, clock: .system).commit(&current, updates: updates)
        }
    }

    static func with(executor: ScriptedExecutor = ScriptedExecutor(), _ body: (Fixture) async throws -> Void) async throws {
        let store = RacingTaskStore()
        let namespace = NamespaceName("racing")!
        try await store.base.createNamespace(Namespace(name: namespace, authMode: .disabled, createdAt: .init(millisecondsSinceEpoch: 1_000)))
        try await store.base.putActor(ActorDefinition(name: "echo", graphURL: "http://graphs.invalid", assistantID: "echo", isDefault: true), in: namespace)
        let directory = NamespaceDirectory(ports: .inMemory(store.base), actorSettings: NamespaceActor.Settings(snapshotTTL: .zero))
        var logger = Logger(label: "test-cancel")
        logger.logLevel = .critical
        let bus = LocalTaskEventBus(directory: directory)
        let runner = TaskRunner(store: store.base, executor: executor, bus: bus, ids: UUIDv7Generator(), clock: .system, logger: logger)
        let worker = TaskWorker(runner: runner, directory: directory)
        let service = A2AService(
            directory: directory, namespaces: store.base, tasks: store, pushConfigs: store.base, bus: bus, executor: executor, worker: worker,
            ids: UUIDv7Generator(), clock: .system, secrets: try AESGCMSecretBox(keyMaterial: Array(repeating: 7, count: 32)),
            cards: AgentCardBuilder(publicBaseURL: "https://agents.example.com", serverVersion: "test"),
            egress: EgressPolicy(allowList: ["127.0.0.1"]), logger: logger
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await worker.run() }
            defer { group.cancelAll() }
            try await body(Fixture(store: store, executor: executor, service: service, bus: bus))
        }
    }

    /// Sends a message that returns at once and the task it created.
    static func start(_ service: A2AService, _ context: RequestContext, _ text: String = "go") async throws -> A2ATask {
        let response = try await service.handle(
            .sendMessage(SendMessageRequest(message: RuntimeHarness.message(text), configuration: .init(returnImmediately: true))), context: context
        )
        guard case .sendMessage(.task(let task)) = response else { throw RPCCallError(error: "no task") }
        return task
    }

    /// Sends a message and waits for the task to stop for input (the script asks a question).
    static func interrupted(_ service: A2AService, _ context: RequestContext) async throws -> A2ATask {
        let response = try await service.handle(.sendMessage(SendMessageRequest(message: RuntimeHarness.message("start"))), context: context)
        guard case .sendMessage(.task(let task)) = response else { throw RPCCallError(error: "no task") }
        #expect(task.status.state == .inputRequired)
        return task
    }

    static func error(_ body: () async throws -> A2AResponse) async -> JSONRPCError? {
        do {
            let response = try await body()
            Issue.record("expected an error, got \(response)")
        } catch let error as JSONRPCError {
            return error
        } catch {
            Issue.record("expected a JSON-RPC error, got \(error)")
        }
        return nil
    }

    static let waitsToStart: [ScriptedExecutor.Step] = [.wait("start")] + ScriptedExecutor.completes(with: "done")

    // MARK: Cancel

    @Test func aTaskThatFinishesWhileTheCancelIsWrittenIsNotCancelable() async throws {
        let executor = ScriptedExecutor(defaultScript: Self.waitsToStart)
        try await Self.with(executor: executor) { fixture in
            let task = try await Self.start(fixture.service, fixture.context())
            // The run completes the task between the cancel's read and its write.
            fixture.store.race { base, record in
                try await fixture.write([.status(.working, message: nil), .status(.completed, message: nil)], to: record, on: base)
            }
            let error = await Self.error { try await fixture.service.handle(.cancelTask(CancelTaskRequest(id: task.id)), context: fixture.context()) }
            #expect(error?.code == JSONRPCError.taskNotCancelableCode)
            #expect(error?.message == "Task \(task.id) cannot be canceled in state TASK_STATE_COMPLETED")
            #expect(try await fixture.store.task(namespace: fixture.namespace, id: task.id)?.state == .completed, "the other writer's outcome stands")
        }
    }

    @Test func aTaskThatStopsForInputWhileTheCancelIsWrittenIsCanceledOnTheNewVersion() async throws {
        let executor = ScriptedExecutor(defaultScript: Self.waitsToStart)
        try await Self.with(executor: executor) { fixture in
            let task = try await Self.start(fixture.service, fixture.context())
            let question = Message(messageId: "q", role: .agent, parts: [.text("which one?")])
            fixture.store.race { base, record in
                try await fixture.write([.status(.inputRequired, message: question)], to: record, on: base)
            }
            let response = try await fixture.service.handle(.cancelTask(CancelTaskRequest(id: task.id)), context: fixture.context())
            guard case .task(let canceled) = response else { throw RPCCallError(error: "no task") }
            #expect(canceled.status.state == .canceled)
            let stored = try #require(try await fixture.store.task(namespace: fixture.namespace, id: task.id))
            #expect(stored.state == .canceled)
            #expect(stored.history.map(\.messageId).contains("q"), "written on top of the other writer's change, which is kept")
            #expect(fixture.executor.cancellations.isEmpty, "no run was going")
        }
    }

    @Test func aTaskWhoseRunStartsWhileTheCancelIsWrittenHasItsRunStopped() async throws {
        let executor = ScriptedExecutor(defaultScript: Self.waitsToStart)
        try await Self.with(executor: executor) { fixture in
            let task = try await Self.start(fixture.service, fixture.context())
            fixture.store.race { base, record in
                var current = try #require(try await base.task(namespace: record.namespace, id: record.id))
                current.runID = "run-late"
                try await TaskCommitter(store: base, bus: fixture.bus, clock: .system).commit(&current, updates: [.status(.working, message: nil)])
            }
            async let response = fixture.service.handle(.cancelTask(CancelTaskRequest(id: task.id)), context: fixture.context())
            #expect(await waitUntil(.seconds(60)) { !executor.cancellations.isEmpty })
            #expect(executor.cancellations.map(\.runID) == ["run-late"], "the run that started is the one stopped")
            // The graph server reports the run stopped.
            let stored = try #require(try await fixture.store.task(namespace: fixture.namespace, id: task.id))
            try await fixture.write([.status(.canceled, message: nil)], to: stored, on: fixture.store.base)
            guard case .task(let canceled) = try await response else { throw RPCCallError(error: "no task") }
            #expect(canceled.status.state == .canceled)
        }
    }

    @Test func aRunningTaskWhoseActorIsGoneCannotBeCanceled() async throws {
        let executor = ScriptedExecutor(defaultScript: [.event(.runStarted(runID: "r")), .event(.update(.status(.working, message: nil))), .wait("end")])
        try await RuntimeHarness.with(executor: executor) { harness in
            let task = try await Self.start(harness.service, harness.context())
            #expect(await waitUntil(.seconds(60)) { (try? await harness.store.task(namespace: harness.namespace, id: task.id))?.runID == "r" })
            #expect(try await harness.store.deleteActor(named: "echo", in: harness.namespace))
            let error = await Self.error { try await harness.service.handle(.cancelTask(CancelTaskRequest(id: task.id)), context: harness.context()) }
            #expect(error?.code == JSONRPCError.taskNotCancelableCode)
            #expect(error?.message == "Task \(task.id) cannot be canceled in state TASK_STATE_WORKING")
            #expect(executor.cancellations.isEmpty, "no graph server is known to stop the run on")
            executor.open("end")
        }
    }

    @Test func aRunThatCompletesBeforeTheCancelReachesItLeavesTheTaskCompleted() async throws {
        let executor = ScriptedExecutor(
            defaultScript: [.event(.runStarted(runID: "r")), .event(.update(.status(.working, message: nil))), .wait("end")]
                + ScriptedExecutor.completes(with: "done").dropFirst())
        try await RuntimeHarness.with(executor: executor) { harness in
            let task = try await Self.start(harness.service, harness.context())
            #expect(await waitUntil(.seconds(60)) { (try? await harness.store.task(namespace: harness.namespace, id: task.id))?.runID == "r" })
            let response = Task { try await harness.service.handle(.cancelTask(CancelTaskRequest(id: task.id)), context: harness.context()) }
            #expect(await waitUntil(.seconds(60)) { !executor.cancellations.isEmpty })
            // The graph server finishes the run instead of stopping it.
            executor.open("end")
            let error = await Self.error { try await response.value }
            #expect(error?.code == JSONRPCError.taskNotCancelableCode)
            #expect(error?.message == "Task \(task.id) cannot be canceled in state TASK_STATE_COMPLETED")
            #expect(try await harness.store.task(namespace: harness.namespace, id: task.id)?.state == .completed)
        }
    }

    // MARK: Follow-up messages

    static let asks: [ScriptedExecutor.Step] = FollowUpAndCancelTests.needsInputWithoutInterrupt()

    @Test func aFollowUpToATaskWhoseActorIsGoneIsRefused() async throws {
        let executor = ScriptedExecutor()
        executor.enqueue(Self.asks)
        try await RuntimeHarness.with(executor: executor) { harness in
            let task = try await Self.interrupted(harness.service, harness.context())
            #expect(try await harness.store.deleteActor(named: "echo", in: harness.namespace))
            let error = await Self.error {
                try await harness.service.handle(
                    .sendMessage(SendMessageRequest(message: RuntimeHarness.message("more", taskId: task.id))), context: harness.context())
            }
            #expect(error?.code == JSONRPCError.invalidParamsCode)
            #expect(error?.message == "Invalid params: 'message.taskId': the actor 'echo' of task \(task.id) no longer exists")
            let stored = try #require(try await harness.store.task(namespace: harness.namespace, id: task.id))
            #expect(stored.state == .inputRequired)
            #expect(stored.history.count == task.history.count, "the refused message is not kept")
            #expect(executor.requests.count == 1, "no new run")
        }
    }

    @Test func aFollowUpCarriesAPushConfigForTheRestOfTheTask() async throws {
        let executor = ScriptedExecutor()
        executor.enqueue(Self.asks)
        executor.enqueue(ScriptedExecutor.completes(with: "thanks"))
        try await RuntimeHarness.with(executor: executor) { harness in
            let task = try await Self.interrupted(harness.service, harness.context())
            let config = TaskPushNotificationConfig(id: "follow", taskId: task.id, url: "https://hooks.example.com/a2a", token: "t")
            let response = try await harness.service.handle(
                .sendMessage(
                    SendMessageRequest(message: RuntimeHarness.message("more", taskId: task.id), configuration: .init(taskPushNotificationConfig: config))),
                context: harness.context()
            )
            guard case .sendMessage(.task(let final)) = response else { throw RPCCallError(error: "no task") }
            #expect(final.status.state == .completed)
            let stored = try #require(try await harness.store.pushConfig(namespace: harness.namespace, taskId: task.id, id: "follow"))
            #expect(stored.url == "https://hooks.example.com/a2a")
            #expect(stored.token == "t")
        }
    }

    @Test func aFollowUpWithABadPushConfigChangesNothing() async throws {
        let executor = ScriptedExecutor()
        executor.enqueue(Self.asks)
        try await RuntimeHarness.with(executor: executor) { harness in
            let task = try await Self.interrupted(harness.service, harness.context())
            let config = TaskPushNotificationConfig(id: "bad", taskId: task.id, url: "ftp://hooks.example.com/a2a")
            let error = await Self.error {
                try await harness.service.handle(
                    .sendStreamingMessage(
                        SendMessageRequest(message: RuntimeHarness.message("more", taskId: task.id), configuration: .init(taskPushNotificationConfig: config))),
                    context: harness.context()
                )
            }
            #expect(error?.code == JSONRPCError.invalidParamsCode)
            #expect(error?.data?.first?.at("fieldViolations.0.field") == "configuration.taskPushNotificationConfig.url")
            let stored = try #require(try await harness.store.task(namespace: harness.namespace, id: task.id))
            #expect(stored.state == .inputRequired)
            #expect(stored.history.count == task.history.count)
            #expect(try await harness.store.pushConfigs(namespace: harness.namespace, taskId: task.id).isEmpty)
            #expect(executor.requests.count == 1)
        }
    }

    @Test func aFollowUpThatMeetsACancelIsRefusedAndTheCancelStands() async throws {
        let executor = ScriptedExecutor()
        executor.enqueue(Self.asks)
        try await Self.with(executor: executor) { fixture in
            let task = try await Self.interrupted(fixture.service, fixture.context())
            fixture.store.race { base, record in
                try await fixture.write([.status(.canceled, message: nil)], to: record, on: base)
            }
            let error = await Self.error {
                try await fixture.service.handle(
                    .sendMessage(SendMessageRequest(message: RuntimeHarness.message("more", taskId: task.id))), context: fixture.context())
            }
            #expect(error?.code == JSONRPCError.unsupportedOperationCode)
            #expect(error?.message == "Task \(task.id) changed while the message arrived (another message or a cancel); fetch it and retry")
            let stored = try #require(try await fixture.store.task(namespace: fixture.namespace, id: task.id))
            #expect(stored.state == .canceled)
            #expect(stored.runInput == nil, "nothing is left to run")
            #expect(executor.requests.count == 1, "no new run")
        }
    }

    @Test func aFollowUpWhoseWriteFailsReportsTheStoreError() async throws {
        let executor = ScriptedExecutor()
        executor.enqueue(Self.asks)
        try await Self.with(executor: executor) { fixture in
            let task = try await Self.interrupted(fixture.service, fixture.context())
            fixture.store.refuseWrites(with: StoreError.unavailable("the database restarts"))
            await #expect(throws: StoreError.unavailable("the database restarts")) {
                try await fixture.service.handle(
                    .sendMessage(SendMessageRequest(message: RuntimeHarness.message("more", taskId: task.id))), context: fixture.context())
            }
            #expect(try await fixture.store.task(namespace: fixture.namespace, id: task.id)?.state == .inputRequired)
            #expect(executor.requests.count == 1)
        }
    }
}
