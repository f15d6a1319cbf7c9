//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
import CleverAgentsPostgres
import CleverAgentsRuntime
import CleverAgentsSQLite
import CleverAgentsTestSupport
import Foundation
import Logging
import Testing

/// Every port a store implements.
typealias ContractStore = TaskStore & NamespaceStore & PushConfigStore & PushOutbox & EntityStore

/// One contract, three stores: the in-memory store the unit tests use and the SQLite store of
/// local mode must behave like PostgreSQL.
@Suite(.timeLimit(.minutes(2))) struct StoreContractTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible {
        case memory, sqlite, postgres
        var testDescription: String { rawValue }
    }

    static var backends: [Backend] { TestEnvironment.hasPostgres ? Backend.allCases : [.memory, .sqlite] }

    func withStore(_ backend: Backend, _ body: @Sendable (any ContractStore) async throws -> Void) async throws {
        switch backend {
        case .memory:
            try await body(InMemoryStore())
        case .sqlite:
            try await Self.withSQLiteStore(body)
        case .postgres:
            try await PostgresTestDatabase.withStore { store, _ in try await body(store) }
        }
    }

    /// An SQLite store in a file of its own (WAL mode, as local mode uses it).
    static func withSQLiteStore(_ body: @Sendable (SQLiteStore) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(TestEnvironment.uniqueName("sqlite-contract"))
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "sqlite-test")
        logger.logLevel = .critical
        try await body(try await SQLiteStore.open(path: directory.appendingPathComponent("store.sqlite").path, logger: logger))
    }

    /// The outbox is shared by the whole database (a worker serves every namespace), so its tests
    /// use a database of their own, where no other test's worker claims their notifications.
    func withIsolatedStore(_ backend: Backend, _ body: @Sendable @escaping (any ContractStore) async throws -> Void) async throws {
        switch backend {
        case .memory:
            try await body(InMemoryStore())
        case .sqlite:
            try await Self.withSQLiteStore(body)
        case .postgres:
            try await PostgresTestDatabase.withFreshDatabase { url in
                try await PostgresTestDatabase.withStore(url: url) { store, _ in try await body(store) }
            }
        }
    }

    static func makeNamespace(_ store: any NamespaceStore) async throws -> NamespaceName {
        let name = NamespaceName(TestEnvironment.uniqueName("store"))!
        try await store.createNamespace(Namespace(name: name, description: "d", authMode: .disabled, createdAt: .init(millisecondsSinceEpoch: 1_700_000_000_123)))
        return name
    }

    static func task(_ namespace: NamespaceName, id: String, owner: String = "alice", context: String = "ctx", at millis: Int64) -> TaskRecord {
        var record = TaskRecord(
            namespace: namespace, id: id, contextId: context, owner: owner, actorName: "echo",
            status: TaskStatus(state: .submitted, timestamp: .init(millisecondsSinceEpoch: millis)),
            history: [Message(messageId: "m-\(id)", contextId: context, taskId: id, role: .user, parts: [.text("hi \(id)")])],
            metadata: ["k": "v"],
            threadID: ThreadIdentifier.thread(namespace: namespace.rawValue, owner: owner, contextId: context),
            createdAt: .init(millisecondsSinceEpoch: millis)
        )
        record.lastEventSequence = 1
        return record
    }

    static func created(_ record: TaskRecord) -> [TaskEventRecord] {
        [TaskEventRecord(namespace: record.namespace, taskId: record.id, sequence: 1, event: .task(record.a2aTask()))]
    }

    @Test(arguments: backends)
    func namespacesAreCreatedOnceAndReadBack(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let name = try await Self.makeNamespace(store)
            let namespace = try #require(try await store.namespace(named: name))
            #expect(namespace.description == "d")
            #expect(namespace.authMode == .disabled)
            #expect(namespace.createdAt == .init(millisecondsSinceEpoch: 1_700_000_000_123))
            await #expect(throws: StoreError.alreadyExists) {
                try await store.createNamespace(Namespace(name: name, createdAt: .now))
            }
            #expect(try await store.namespace(named: NamespaceName(TestEnvironment.uniqueName("none"))!) == nil)
        }
    }

    @Test(arguments: backends)
    func actorsAreReplacedAndOnlyOneIsTheDefault(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let name = try await Self.makeNamespace(store)
            try await store.putActor(ActorDefinition(name: "b", graphURL: "http://g", assistantID: "b", isDefault: true), in: name)
            try await store.putActor(ActorDefinition(name: "a", graphURL: "http://g", assistantID: "a1"), in: name)
            try await store.putActor(ActorDefinition(name: "a", graphURL: "http://g", assistantID: "a2", config: ["configurable": ["x": 1]], isDefault: true), in: name)
            let actors = try await store.actors(in: name)
            #expect(actors.map(\.name) == ["a", "b"])
            #expect(actors.first?.assistantID == "a2")
            #expect(actors.first?.config?["configurable"]?["x"] == 1)
            #expect(actors.filter(\.isDefault).map(\.name) == ["a"])
        }
    }

    @Test(arguments: backends)
    func tasksRoundTripAndUpdatesNeedTheCurrentVersion(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let name = try await Self.makeNamespace(store)
            var record = Self.task(name, id: "t1", at: 1_700_000_001_000)
            try await store.createTask(record, events: Self.created(record))
            #expect(try await store.task(namespace: name, id: "t1") == record)
            await #expect(throws: StoreError.alreadyExists) { try await store.createTask(record, events: Self.created(record)) }

            let expected = record.version
            let event = try record.apply(.artifact(Artifact(artifactId: "a", name: "response", parts: [.text("out"), .data(["n": 1.5])]), append: false, lastChunk: true), at: .init(millisecondsSinceEpoch: 1_700_000_002_000))
            record.lastEventSequence += 1
            record.runID = "run-1"
            let stored = TaskEventRecord(namespace: name, taskId: "t1", sequence: 2, event: event)
            try await store.updateTask(record, expectedVersion: expected, appending: [stored])
            #expect(try await store.task(namespace: name, id: "t1") == record)
            await #expect(throws: StoreError.conflict) {
                try await store.updateTask(record, expectedVersion: expected, appending: [])
            }
            let events = try await store.events(namespace: name, taskId: "t1", afterSequence: 0)
            #expect(events.map(\.sequence) == [1, 2])
            #expect(events.last == stored)
            #expect(try await store.events(namespace: name, taskId: "t1", afterSequence: 1).map(\.sequence) == [2])

            let other = try await Self.makeNamespace(store)
            #expect(try await store.task(namespace: other, id: "t1") == nil, "tasks are scoped by namespace")
            #expect(try await store.events(namespace: other, taskId: "t1", afterSequence: 0).isEmpty)
        }
    }

    @Test(arguments: backends)
    func listingIsNewestFirstFilteredAndPagedWithoutGapsOrRepeats(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let name = try await Self.makeNamespace(store)
            // Two tasks share a timestamp, so the id must break the tie.
            let times: [Int64] = [1_000, 2_000, 2_000, 3_000, 4_000, 5_000]
            for (index, time) in times.enumerated() {
                let record = Self.task(name, id: "t\(index)", owner: index % 2 == 0 ? "alice" : "bob", context: index < 3 ? "c1" : "c2", at: 1_700_000_000_000 + time)
                try await store.createTask(record, events: Self.created(record))
            }
            var ids: [String] = []
            var cursor: TaskCursor?
            repeat {
                let page = try await store.listTasks(namespace: name, query: TaskQuery(pageSize: 4, after: cursor))
                #expect(page.totalSize == 6)
                ids.append(contentsOf: page.tasks.map(\.id))
                cursor = page.hasMore ? page.tasks.last.map { TaskCursor(statusTimestamp: $0.status.timestamp!, id: $0.id) } : nil
            } while cursor != nil
            #expect(ids == ["t5", "t4", "t3", "t2", "t1", "t0"])

            #expect(try await store.listTasks(namespace: name, query: TaskQuery(owner: "bob", pageSize: 10)).tasks.map(\.id) == ["t5", "t3", "t1"])
            #expect(try await store.listTasks(namespace: name, query: TaskQuery(contextId: "c1", pageSize: 10)).tasks.map(\.id) == ["t2", "t1", "t0"])
            #expect(try await store.listTasks(namespace: name, query: TaskQuery(state: .submitted, pageSize: 10)).totalSize == 6)
            #expect(try await store.listTasks(namespace: name, query: TaskQuery(state: .completed, pageSize: 10)).totalSize == 0)
            let after = try await store.listTasks(
                namespace: name,
                query: TaskQuery(statusTimestampAfter: .init(millisecondsSinceEpoch: 1_700_000_003_000), pageSize: 10)
            )
            #expect(after.tasks.map(\.id) == ["t5", "t4"])
            #expect(after.totalSize == 2)
        }
    }

    @Test(arguments: backends)
    func theOutboxQueuesEveryEventForEveryWebhookAndHandsThemOutInOrder(_ backend: Backend) async throws {
        try await withIsolatedStore(backend) { store in
            let name = try await Self.makeNamespace(store)
            var record = Self.task(name, id: "p1", at: 1_700_000_000_000)
            let first = PushConfigRecord(namespace: name, taskId: "p1", id: "a", url: "https://a.example", owner: "alice", createdAt: .init(millisecondsSinceEpoch: 1))
            try await store.createTask(record, events: Self.created(record), pushConfigs: [first])
            try await store.putPushConfig(
                PushConfigRecord(namespace: name, taskId: "p1", id: "b", url: "https://b.example", token: "t", authenticationScheme: "Bearer",
                                 credentials: SealedSecret(sealed: "v1:x"), owner: "alice", createdAt: .init(millisecondsSinceEpoch: 2))
            )
            #expect(try await store.pushConfigs(namespace: name, taskId: "p1").map(\.id) == ["a", "b"])
            #expect(try await store.pushConfig(namespace: name, taskId: "p1", id: "b")?.credentials?.sealed == "v1:x")
            for text in ["one", "two"] {
                let expected = record.version
                let event = try record.apply(.artifact(Artifact(artifactId: text, parts: [.text(text)]), append: false, lastChunk: true), at: .init(millisecondsSinceEpoch: 3))
                record.lastEventSequence += 1
                try await store.updateTask(record, expectedVersion: expected, appending: [TaskEventRecord(namespace: name, taskId: "p1", sequence: record.lastEventSequence, event: event)])
            }
            // Webhook a has events 1, 2, 3 queued; b (added later) has 2 and 3. One per webhook at a time, oldest first.
            var delivered: [String: [Int64]] = [:]
            for _ in 0..<10 {
                let batch = try await store.claimDueDeliveries(limit: 10, lease: .seconds(60)).filter { $0.namespace == name }
                if batch.isEmpty { break }
                #expect(Set(batch.map(\.configId)).count == batch.count, "never two of one webhook at once")
                for delivery in batch {
                    #expect(delivery.attempts == 1)
                    delivered[delivery.configId, default: []].append(delivery.eventSequence)
                    if delivery.eventSequence == 1 { #expect(delivery.event == Self.created(Self.task(name, id: "p1", at: 1_700_000_000_000))[0].event) }
                    try await store.completeDelivery(id: delivery.id)
                }
            }
            #expect(delivered["a"] == [1, 2, 3])
            #expect(delivered["b"] == [2, 3])
        }
    }

    @Test(arguments: backends)
    func aClaimedDeliveryIsLeasedRetriedAndAbandoned(_ backend: Backend) async throws {
        try await withIsolatedStore(backend) { store in
            let name = try await Self.makeNamespace(store)
            var record = Self.task(name, id: "p2", at: 1_700_000_000_000)
            let config = PushConfigRecord(namespace: name, taskId: "p2", id: "a", url: "https://a.example", owner: "alice", createdAt: .init(millisecondsSinceEpoch: 1))
            try await store.createTask(record, events: Self.created(record), pushConfigs: [config])
            let expected = record.version
            let event = try record.apply(.status(.working, message: nil), at: .init(millisecondsSinceEpoch: 2))
            record.lastEventSequence += 1
            try await store.updateTask(record, expectedVersion: expected, appending: [TaskEventRecord(namespace: name, taskId: "p2", sequence: 2, event: event)])

            func claim() async throws -> [PushDelivery] {
                try await store.claimDueDeliveries(limit: 10, lease: .seconds(60)).filter { $0.namespace == name }
            }
            let first = try #require(try await claim().first)
            #expect(first.eventSequence == 1)
            #expect(try await claim().isEmpty, "leased, and the next one waits behind it")
            try await store.retryDelivery(id: first.id, after: .zero, error: "503")
            let again = try #require(try await claim().first)
            #expect(again.id == first.id)
            #expect(again.attempts == 2)
            try await store.abandonDelivery(id: again.id, error: "gone")
            let next = try #require(try await claim().first)
            #expect(next.eventSequence == 2, "an abandoned delivery no longer holds back the next")
            try await store.deletePushConfig(namespace: name, taskId: "p2", id: "a")
            try await store.deletePushConfig(namespace: name, taskId: "p2", id: "a")
            #expect(try await store.pushConfigs(namespace: name, taskId: "p2").isEmpty)
            try await store.retryDelivery(id: next.id, after: .zero, error: "x")
            #expect(try await claim().isEmpty, "deleting a webhook drops its notifications")
        }
    }

    @Test(arguments: backends)
    func aReleasedDeliveryIsDueAtOnceAndItsAttemptDoesNotCount(_ backend: Backend) async throws {
        try await withIsolatedStore(backend) { store in
            let name = try await Self.makeNamespace(store)
            let record = Self.task(name, id: "p3", at: 1_700_000_000_000)
            let config = PushConfigRecord(namespace: name, taskId: "p3", id: "a", url: "https://a.example", owner: "alice", createdAt: .init(millisecondsSinceEpoch: 1))
            try await store.createTask(record, events: Self.created(record), pushConfigs: [config])
            func claim() async throws -> [PushDelivery] {
                try await store.claimDueDeliveries(limit: 10, lease: .seconds(60)).filter { $0.namespace == name }
            }
            let claimed = try #require(try await claim().first)
            #expect(claimed.attempts == 1)
            #expect(try await claim().isEmpty, "leased for a minute")
            try await store.releaseDeliveries(ids: [claimed.id])
            let again = try #require(try await claim().first, "due at once after the release")
            #expect(again.id == claimed.id)
            #expect(again.attempts == 1, "the given-back attempt did not count")
            try await store.abandonDelivery(id: again.id, error: "gone")
            try await store.releaseDeliveries(ids: [again.id])
            #expect(try await claim().isEmpty, "a release does not revive an abandoned delivery")
            try await store.releaseDeliveries(ids: [])
        }
    }

    static func config(_ namespace: NamespaceName, task: String, id: String, url: String = "https://hooks.example") -> PushConfigRecord {
        PushConfigRecord(namespace: namespace, taskId: task, id: id, url: url, owner: "alice", createdAt: .init(millisecondsSinceEpoch: 1))
    }

    @Test(arguments: backends)
    func aTaskHasAtMostItsCapOfPushConfigsAndReplacingOneIsNotAnother(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let name = try await Self.makeNamespace(store)
            for id in ["q1", "q2"] {
                let record = Self.task(name, id: id, at: 1_700_000_000_000)
                try await store.createTask(record, events: Self.created(record), pushConfigs: [])
            }
            for id in ["a", "b", "c"] {
                try await store.putPushConfig(Self.config(name, task: "q1", id: id), limit: 3)
            }
            await #expect(throws: PushConfigLimitExceeded(limit: 3)) {
                try await store.putPushConfig(Self.config(name, task: "q1", id: "d"), limit: 3)
            }
            try await store.putPushConfig(Self.config(name, task: "q1", id: "b", url: "https://other.example"), limit: 3)
            #expect(try await store.pushConfig(namespace: name, taskId: "q1", id: "b")?.url == "https://other.example", "replaced within the cap")
            try await store.putPushConfig(Self.config(name, task: "q2", id: "a"), limit: 3)
            try await store.deletePushConfig(namespace: name, taskId: "q1", id: "a")
            try await store.putPushConfig(Self.config(name, task: "q1", id: "d"), limit: 3)
            #expect(try await store.pushConfigs(namespace: name, taskId: "q1").map(\.id).sorted() == ["b", "c", "d"])
        }
    }

    /// Forty creations at once for the last places of one task: exactly the cap succeeds.
    @Test(arguments: backends)
    func concurrentCreationsCannotBothTakeTheLastPlace(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let name = try await Self.makeNamespace(store)
            let record = Self.task(name, id: "race", at: 1_700_000_000_000)
            try await store.createTask(record, events: Self.created(record), pushConfigs: [])
            for round in 0..<5 {
                let created = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for index in 0..<12 {
                        group.addTask {
                            do {
                                try await store.putPushConfig(Self.config(name, task: "race", id: "r\(round)-\(index)"), limit: 5 * (round + 1))
                                return true
                            } catch is PushConfigLimitExceeded {
                                return false
                            }
                        }
                    }
                    return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                }
                #expect(created == 5, "round \(round)")
                #expect(try await store.pushConfigs(namespace: name, taskId: "race").count == 5 * (round + 1))
            }
        }
    }

    /// PostgreSQL leaves the parts an update names unchanged out of its write.
    @Test(.enabled(if: TestEnvironment.hasPostgres)) func unchangedDocumentPartsAreNotWritten() async throws {
        try await PostgresTestDatabase.withStore { store, _ in
            let name = try await Self.makeNamespace(store)
            let record = Self.task(name, id: "parts", at: 1_700_000_000_000)
            try await store.createTask(record, events: Self.created(record))
            var changed = record
            changed.artifacts = [Artifact(artifactId: "a", parts: [.text("new")])]
            changed.history.append(Message(messageId: "m2", role: .agent, parts: [.text("more")]))
            changed.status = TaskStatus(state: .working, timestamp: .init(millisecondsSinceEpoch: 1_700_000_000_001))
            changed.version += 1
            try await store.updateTask(changed, expectedVersion: record.version, appending: [], unchanged: [.artifacts, .history, .metadata])
            let kept = try #require(try await store.task(namespace: name, id: "parts"))
            #expect(kept.state == .working, "the status is written")
            #expect(kept.artifacts.isEmpty && kept.history == record.history && kept.metadata == record.metadata, "what was named unchanged is not")
            changed.version += 1
            try await store.updateTask(changed, expectedVersion: changed.version - 1, appending: [], unchanged: [.metadata])
            #expect(try await store.task(namespace: name, id: "parts") == changed)
        }
    }
}
