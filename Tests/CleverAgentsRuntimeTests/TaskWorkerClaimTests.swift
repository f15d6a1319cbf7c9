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
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing

/// The worker on a shared queue (``MemoryTaskQueue``): claimed tasks it cannot run, hand-offs and
/// releases that fail, leased jobs that arrive while it shuts down, and a worker without a queue
/// whose run was cancelled.
@Suite(.timeLimit(.minutes(2))) struct TaskWorkerClaimTests {
    let store = InMemoryStore()
    let namespace = NamespaceName("queued")!
    let secrets = try! AESGCMSecretBox(keyMaterial: Array(repeating: 7, count: 32))
    let echo = ActorDefinition(name: "echo", graphURL: "http://graphs.invalid", assistantID: "echo", isDefault: true)

    static var logger: Logger {
        var logger = Logger(label: "test-worker")
        logger.logLevel = .critical
        return logger
    }

    func runner(_ executor: ScriptedExecutor) -> TaskRunner {
        TaskRunner(store: store, executor: executor, bus: CompositeTaskEventBus([]), ids: UUIDv7Generator(), clock: .system, logger: Self.logger)
    }

    /// A worker on `queue` that never polls: only wake-ups, submissions and ended runs move it.
    func worker(_ queue: MemoryTaskQueue, _ executor: ScriptedExecutor, maximumRuns: Int = 16) -> TaskWorker {
        let directory = NamespaceDirectory(ports: .inMemory(store), actorSettings: NamespaceActor.Settings(snapshotTTL: .zero))
        let jobs = TaskJobFactory(directory: directory, secrets: secrets)
        return TaskWorker(
            runner: runner(executor),
            directory: directory,
            queue: .init(queue: queue, jobs: jobs, owner: "replica-1", lease: .seconds(60), maximumRuns: maximumRuns, pollInterval: .seconds(600)),
            logger: Self.logger
        )
    }

    func setUp() async throws {
        try await store.createNamespace(Namespace(name: namespace, authMode: .disabled, createdAt: .init(millisecondsSinceEpoch: 1)))
        try await store.putActor(echo, in: namespace)
    }

    /// A submitted task of actor `actor` with something to run.
    func task(_ id: String, actor: String = "echo") -> TaskRecord {
        var record = TaskRecord(
            namespace: namespace, id: id, contextId: "c-\(id)", owner: "o", actorName: actor,
            status: TaskStatus(state: .submitted), threadID: "th-\(id)", createdAt: .init(millisecondsSinceEpoch: 1)
        )
        record.lastEventSequence = 1
        record.runInput = TaskRunInput(message: RuntimeHarness.message("run \(id)"))
        return record
    }

    func events(_ record: TaskRecord) -> [TaskEventRecord] {
        [TaskEventRecord(namespace: namespace, taskId: record.id, sequence: 1, event: .task(record.a2aTask()))]
    }

    /// Stores `record` and queues it, as another replica would have.
    func queueElsewhere(_ record: TaskRecord, on queue: MemoryTaskQueue) async throws {
        try await store.createTask(record, events: events(record))
        queue.enqueue(TaskKey(namespace: namespace, id: record.id))
    }

    func job(_ record: TaskRecord) throws -> TaskJob {
        TaskJob(task: record, request: GraphRunRequest(task: record, input: try #require(record.runInput), actor: echo, apiKey: nil))
    }

    func state(_ id: String) async throws -> TaskState? {
        try await store.task(namespace: namespace, id: id)?.state
    }

    static func running(_ worker: TaskWorker, _ body: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await worker.run() }
            defer { group.cancelAll() }
            try await body()
        }
    }

    @Test func claimedTasksThatCannotRunFailSayingWhy() async throws {
        try await setUp()
        let queue = MemoryTaskQueue(store: store)
        let executor = ScriptedExecutor()
        // Two tasks fill the two places: the claim takes a full batch, then stops for want of room.
        try await queueElsewhere(task("orphan", actor: "retired"), on: queue)
        try await queueElsewhere(task("stray", actor: "renamed"), on: queue)
        let worker = worker(queue, executor, maximumRuns: 2)
        try await Self.running(worker) { () async throws in
            worker.wake()
            #expect(
                await waitUntil(.seconds(60)) {
                    let orphan = try? await state("orphan")
                    let stray = try? await state("stray")
                    return orphan == .failed && stray == .failed
                })
            let orphan = try #require(try await store.task(namespace: namespace, id: "orphan"))
            #expect(orphan.status.message?.parts.first?.text == "The actor 'retired' of the task no longer exists")
            #expect(orphan.runInput == nil, "the queue does not pick it again")
            let stray = try await store.task(namespace: namespace, id: "stray")
            #expect(stray?.status.message?.parts.first?.text == "The actor 'renamed' of the task no longer exists")
            #expect(executor.requests.isEmpty, "no graph was asked to run")
            #expect(await waitUntil(.seconds(60)) { await worker.runningTasks.isEmpty })
        }
    }

    @Test func aClaimedTaskWhoseKeyCannotBeOpenedIsGivenBackUnchanged() async throws {
        try await setUp()
        // The actor's key was sealed under another server key: the job cannot be made here.
        var sealed = ActorDefinition(name: "sealed", graphURL: "http://graphs.invalid", assistantID: "s")
        try sealed.sealAPIKey("sk-1", in: namespace, with: AESGCMSecretBox(keyMaterial: Array(repeating: 9, count: 32)))
        try await store.putActor(sealed, in: namespace)
        let queue = MemoryTaskQueue(store: store)
        let executor = ScriptedExecutor()
        try await queueElsewhere(task("locked", actor: "sealed"), on: queue)
        let worker = worker(queue, executor)
        let key = TaskKey(namespace: namespace, id: "locked")
        try await Self.running(worker) { () async throws in
            worker.wake()
            #expect(await waitUntil(.seconds(60)) { queue.released.contains(key) })
            // Given back, it waits for the next poll (ten minutes here): not claimed again at
            // once, and again, in a loop. A task that can run is claimed and run meanwhile.
            try await queueElsewhere(task("runnable"), on: queue)
            worker.wake()
            #expect(await waitUntil(.seconds(60)) { (try? await state("runnable")) == .completed })
            #expect(queue.claims <= 3, "claims: \(queue.claims)")
        }
        let stored = try #require(try await store.task(namespace: namespace, id: "locked"))
        #expect(stored.state == .submitted, "not failed: another replica (with the right key) may run it")
        #expect(stored.runInput != nil)
        #expect(executor.requests.map(\.taskId) == ["runnable"], "the locked task never reached the graph server")
    }

    @Test func theTasksAWorkerRunsAreListedUntilTheyEnd() async throws {
        try await setUp()
        let queue = MemoryTaskQueue(store: store)
        let executor = ScriptedExecutor(defaultScript: [.wait("go")] + ScriptedExecutor.completes(with: "done"))
        let worker = worker(queue, executor)
        try await Self.running(worker) { () async throws in
            let record = task("listed")
            #expect(try await worker.create(record, events: events(record), pushConfigs: [], in: store), "leased here at creation")
            #expect(await worker.submit(try job(record), leased: true))
            #expect(await worker.runningTasks == [TaskKey(namespace: namespace, id: "listed")])
            executor.open("go")
            #expect(await waitUntil(.seconds(60)) { await worker.runningTasks.isEmpty })
            #expect(try await state("listed") == .completed)
        }
    }

    @Test func aFailedHandOffLeavesTheWaitingTaskToTheClaim() async throws {
        try await setUp()
        let queue = MemoryTaskQueue(store: store)
        try await queue.setRunningLimit(1, namespace: namespace)
        let executor = ScriptedExecutor(defaultScript: [.wait("go")] + ScriptedExecutor.completes(with: "done"))
        let worker = worker(queue, executor)
        try await Self.running(worker) { () async throws in
            let first = task("first")
            let second = task("second")
            #expect(try await worker.create(first, events: events(first), pushConfigs: [], in: store))
            #expect(await worker.submit(try job(first), leased: true))
            #expect(try await worker.create(second, events: events(second), pushConfigs: [], in: store) == false, "the namespace's one place is taken")
            #expect(await worker.submit(try job(second)))
            // No poll runs: once the hand-off fails, only the claim that follows can run the second task.
            queue.fail(.leaseNext)
            executor.open("go")
            #expect(await waitUntil(.seconds(60)) { (try? await state("second")) == .completed })
            #expect(try await state("first") == .completed)
            #expect(queue.handOffs >= 1, "the ended run tried to hand its place over")
        }
    }

    @Test func aPlaceHandedOverWhileTheWorkerShutsDownIsGivenBackAtOnce() async throws {
        try await setUp()
        let queue = MemoryTaskQueue(store: store)
        try await queue.setRunningLimit(1, namespace: namespace)
        // Only the hand-off's own release can give the task back.
        queue.fail(.releaseAll)
        let executor = ScriptedExecutor(defaultScript: [.wait("go")] + ScriptedExecutor.completes(with: "done"))
        let worker = worker(queue, executor)
        let first = task("first")
        let second = task("second")
        try await testGracefulShutdown { trigger in
            let running = Task { try await worker.run() }
            #expect(try await worker.create(first, events: events(first), pushConfigs: [], in: store))
            #expect(await worker.submit(try job(first), leased: true))
            #expect(try await worker.create(second, events: events(second), pushConfigs: [], in: store) == false)
            // The shutdown comes while the ended run's place is being handed to the second task.
            queue.beforeNextHandOff { trigger.triggerGracefulShutdown() }
            executor.open("go")
            try await running.value
        }
        #expect(try await state("first") == .completed)
        #expect(queue.handOffs == 1)
        #expect(queue.released == [TaskKey(namespace: namespace, id: "second")], "leased by the hand-off, then given back")
        #expect(queue.leases.isEmpty)
        #expect(try await state("second") == .submitted, "not started here")
        #expect(executor.requests.count == 1)
    }

    @Test func aWorkerWhoseReleaseFailsAtShutdownStillStops() async throws {
        try await setUp()
        let queue = MemoryTaskQueue(store: store)
        let executor = ScriptedExecutor(defaultScript: [.event(.runStarted(runID: "r")), .event(.update(.status(.working, message: nil))), .wait("never")])
        let worker = worker(queue, executor)
        queue.fail(.releaseAll)
        let record = task("held")
        let running = Task { try await worker.run() }
        #expect(try await worker.create(record, events: events(record), pushConfigs: [], in: store))
        #expect(await worker.submit(try job(record), leased: true))
        #expect(await waitUntil(.seconds(60)) { (try? await state("held")) == .working })
        running.cancel()
        try await running.value
        // The run was stopped and its own lease given back; the failed release of the rest only
        // means those leases expire.
        #expect(queue.released == [TaskKey(namespace: namespace, id: "held")])
        #expect(queue.releasedAll.isEmpty)
        #expect(try await state("held") == .working, "left for another replica to continue")
    }

    @Test func aLeasedJobArrivingDuringShutdownIsGivenBackToTheQueue() async throws {
        try await setUp()
        let queue = MemoryTaskQueue(store: store)
        let executor = ScriptedExecutor()
        let worker = worker(queue, executor)
        let record = task("late")
        let key = TaskKey(namespace: namespace, id: "late")
        // Only the refused job's own release can give the task back.
        queue.fail(.releaseAll)
        try await testGracefulShutdown { trigger in
            let running = Task { try await worker.run() }
            #expect(try await worker.create(record, events: events(record), pushConfigs: [], in: store))
            #expect(queue.leases[key] == "replica-1")
            trigger.triggerGracefulShutdown()
            // A wake-up is refused once the worker has taken the shutdown in.
            let leasedJob = try job(record)
            #expect(await waitUntil(.seconds(60)) { await !worker.submit(leasedJob) })
            #expect(await worker.submit(leasedJob, leased: true) == false, "not run here")
            #expect(await waitUntil(.seconds(60)) { queue.released.contains(key) })
            #expect(queue.leases[key] == nil)
            try await running.value
        }
        #expect(executor.requests.isEmpty)
        #expect(try await state("late") == .submitted)
        #expect(try await queue.waitingTaskCount() == 1, "another replica can claim it at once")
    }

    @Test func aWorkerWhoseRunWasCancelledRefusesJobs() async throws {
        try await setUp()
        let executor = ScriptedExecutor()
        let worker = TaskWorker(runner: runner(executor), directory: NamespaceDirectory(ports: .inMemory(store)))
        let running = Task { try await worker.run() }
        running.cancel()
        try await running.value
        let record = task("after")
        try await store.createTask(record, events: events(record))
        #expect(await worker.submit(try job(record)) == false, "nothing would run it")
        #expect(executor.requests.isEmpty)
    }
}
