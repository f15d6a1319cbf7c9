//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import A2AProtocol
import CleverAgentsDomain
@testable import CleverAgentsPostgres
import CleverAgentsRuntime
import CleverAgentsTestSupport
import Foundation
import Logging
import PostgresNIO
import Testing

/// The queue: a claim takes tasks in turn across namespaces within each namespace's cap, reads
/// about as much as it returns, and a task created by a replica with room is leased in the same
/// write.
@Suite(.enabled(if: TestEnvironment.hasPostgres), .timeLimit(.minutes(5))) struct TaskQueueTests {
    /// A store with a queue group of its own: no other test's tasks, and no other worker, in this queue.
    static func withQueue(_ body: @Sendable (PostgresStore, PostgresClient) async throws -> Void) async throws {
        try await PostgresTestDatabase.withStore { shared, client in
            try await body(PostgresStore(client: client, logger: shared.logger, queueGroup: TestEnvironment.uniqueName("queue"), groupCommit: false), client)
        }
    }

    static func runnable(_ namespace: NamespaceName, _ id: String, at offset: Int64 = 0) -> TaskRecord {
        var record = StoreContractTests.task(namespace, id: id, at: 1_700_000_000_000 + offset)
        record.runInput = TaskRunInput(message: RuntimeHarness.message("run \(id)"))
        return record
    }

    static func lease(_ owner: String, limit: Int = 2) -> TaskLeaseRequest {
        TaskLeaseRequest(owner: owner, duration: .seconds(60), defaultNamespaceLimit: limit)
    }

    @Test func aClaimTakesTasksInTurnWithinCapsAndTheQueueCountsWhatStillWaits() async throws {
        try await Self.withQueue { store, _ in
            let busy = try await StoreContractTests.makeNamespace(store)
            let quiet = try await StoreContractTests.makeNamespace(store)
            for (namespace, count) in [(busy, 3), (quiet, 1)] {
                for index in 0..<count {
                    let record = Self.runnable(namespace, "t\(index)", at: Int64(index))
                    try await store.createTask(record, events: StoreContractTests.created(record))
                }
            }
            #expect(try await store.waitingTaskCount() == 4)

            let first = try await store.claimTasks(owner: "a", limit: 2, lease: .seconds(60), defaultNamespaceLimit: 2)
            // Each namespace's first task before any namespace's second.
            #expect(Set(first.map { "\($0.namespace)/\($0.id)" }) == ["\(busy)/t0", "\(quiet)/t0"])
            #expect(try await store.waitingTaskCount() == 2)

            let second = try await store.claimTasks(owner: "b", limit: 5, lease: .seconds(60), defaultNamespaceLimit: 2)
            // The busy namespace reaches its cap of 2 leased tasks: its third waits.
            #expect(second.map(\.id) == ["t1"])
            #expect(try await store.waitingTaskCount() == 1)

            let third = try await store.claimTasks(owner: "c", limit: 5, lease: .seconds(60), defaultNamespaceLimit: 2)
            #expect(third.isEmpty)
            #expect(try await store.waitingTaskCount() == 1)
        }
    }

    /// A replica of another queue group (a canary, a test server with a stricter egress policy)
    /// never claims the notifications of this group's tasks, so it cannot give up on them.
    @Test func notificationsAreDeliveredByTheQueueGroupOfTheirTask() async throws {
        try await Self.withQueue { store, client in
            let other = PostgresStore(client: client, logger: store.logger, queueGroup: TestEnvironment.uniqueName("queue"), groupCommit: false)
            let namespace = try await StoreContractTests.makeNamespace(store)
            let record = Self.runnable(namespace, "pushed")
            let config = StoreContractTests.config(namespace, task: "pushed", id: "hook")
            try await store.createTask(record, events: StoreContractTests.created(record), pushConfigs: [config])
            // Other tests' deliveries may be due in this shared database: look at this task's only.
            func claims(_ replica: PostgresStore) async throws -> [PushDelivery] {
                try await replica.claimDueDeliveries(limit: 1000, lease: .seconds(60)).filter { $0.namespace == namespace }
            }
            #expect(try await claims(other).isEmpty, "another group's replica leaves it alone")
            let claimed = try await claims(store)
            #expect(claimed.map(\.eventSequence) == [1], "its own group's replica delivers it")
        }
    }

    @Test func aTaskCreatedWithRoomIsLeasedAtOnceAndOneCreatedWithoutWaitsItsTurn() async throws {
        try await Self.withQueue { store, _ in
            let namespace = try await StoreContractTests.makeNamespace(store)
            let owner = TestEnvironment.uniqueName("replica")
            var leased: [Bool] = []
            for index in 0..<3 {
                let record = Self.runnable(namespace, "t\(index)", at: Int64(index))
                leased.append(try await store.createTask(record, events: StoreContractTests.created(record), pushConfigs: [], lease: Self.lease(owner)))
            }
            // The cap is 2: the third is created but waits.
            #expect(leased == [true, true, false])
            #expect(try await store.waitingTaskCount() == 1)
            #expect(try await store.claimTasks(owner: "b", limit: 5, lease: .seconds(60), defaultNamespaceLimit: 2).isEmpty)
            #expect(try await store.renewLeases(owner: owner, lease: .seconds(60)) == [TaskKey(namespace: namespace, id: "t0"), TaskKey(namespace: namespace, id: "t1")])
            // Room again, but the waiting task is older than a new one: the new one waits behind it.
            try await store.releaseLease(owner: owner, task: TaskKey(namespace: namespace, id: "t0"))
            let newer = Self.runnable(namespace, "t3", at: 3)
            #expect(try await store.createTask(newer, events: StoreContractTests.created(newer), pushConfigs: [], lease: Self.lease(owner)) == false)
            let claimed = try await store.claimTasks(owner: "b", limit: 1, lease: .seconds(60), defaultNamespaceLimit: 2)
            #expect(claimed.map(\.id) == ["t0"], "the released task, which waited longest (t0 was queued first)")
            // A task without a run (nothing to run) is never leased.
            var idle = StoreContractTests.task(namespace, id: "idle", at: 9)
            idle.runInput = nil
            #expect(try await store.createTask(idle, events: StoreContractTests.created(idle), pushConfigs: [], lease: Self.lease(owner, limit: 100)) == false)
            #expect(try await store.task(namespace: namespace, id: "idle") == idle)
        }
    }

    /// A run that ends hands its place to the oldest waiting task of its namespace; the cap holds
    /// against concurrent hand-offs, and a namespace with nothing waiting gives nothing.
    @Test func aRunThatEndsHandsItsPlaceToTheNextWaitingTaskOfItsNamespace() async throws {
        try await Self.withQueue { store, _ in
            let namespace = try await StoreContractTests.makeNamespace(store)
            let owner = TestEnvironment.uniqueName("replica")
            var records: [TaskRecord] = []
            for index in 0..<6 {
                let record = Self.runnable(namespace, "h\(index)", at: Int64(index))
                records.append(record)
                _ = try await store.createTask(record, events: StoreContractTests.created(record), pushConfigs: [], lease: Self.lease(owner))
            }
            // h0 and h1 run (cap 2); h2 … h5 wait.
            #expect(try await store.leaseNextTask(in: namespace, lease: Self.lease(owner)) == nil, "at its cap")
            // h0 ends: its run input goes, and with it the lease.
            var ended = records[0]
            let expected = ended.version
            let event = try ended.apply(.status(.completed, message: nil), at: .init(millisecondsSinceEpoch: 1_700_000_001_000))
            ended.runInput = nil
            ended.lastEventSequence += 1
            try await store.updateTask(ended, expectedVersion: expected, appending: [TaskEventRecord(namespace: namespace, taskId: "h0", sequence: ended.lastEventSequence, event: event)])
            // Three replicas hand off at once: one place, one task.
            let handed = try await withThrowingTaskGroup(of: String?.self) { group in
                for replica in 0..<3 {
                    group.addTask { try await store.leaseNextTask(in: namespace, lease: Self.lease("\(owner)-\(replica)"))?.id }
                }
                var handed: [String] = []
                for try await id in group { if let id { handed.append(id) } }
                return handed
            }
            #expect(handed == ["h2"], "the oldest waiting task, once")
            #expect(try await store.waitingTaskCount() == 3)
            #expect(try await store.task(namespace: namespace, id: "h2")?.runInput != nil)
            // Another namespace with nothing waiting.
            let quiet = try await StoreContractTests.makeNamespace(store)
            #expect(try await store.leaseNextTask(in: quiet, lease: Self.lease(owner)) == nil)
        }
    }

    /// A hand-off in a namespace whose places were never made (its tasks were queued, not
    /// leased) makes them, and takes one.
    @Test func aHandOffInANamespaceWithoutPlacesMakesThem() async throws {
        try await Self.withQueue { store, client in
            let namespace = try await StoreContractTests.makeNamespace(store)
            for index in 0..<2 {
                let record = Self.runnable(namespace, "q\(index)", at: Int64(index))
                try await store.createTask(record, events: StoreContractTests.created(record), pushConfigs: [])
            }
            #expect(try await store.leaseNextTask(in: namespace, lease: Self.lease("r", limit: 3))?.id == "q0")
            #expect(try await store.leaseNextTask(in: namespace, lease: Self.lease("r", limit: 3))?.id == "q1")
            #expect(try await store.leaseNextTask(in: namespace, lease: Self.lease("r", limit: 3)) == nil, "nothing waits")
            let places = try await client.query(
                "SELECT slot, task_id FROM task_slots WHERE namespace = \(namespace.rawValue) AND task_id IS NOT NULL ORDER BY slot",
                logger: store.logger
            ).collect().map { try $0.decode((Int, String).self) }
            #expect(places.map(\.0) == [0, 1])
            #expect(places.map(\.1) == ["q0", "q1"])
        }
    }

    @Test func concurrentLeasedCreationsNeverPassTheNamespacesCap() async throws {
        try await Self.withQueue { store, _ in
            let namespace = try await StoreContractTests.makeNamespace(store)
            let leased = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<16 {
                    group.addTask {
                        let record = Self.runnable(namespace, "c\(index)", at: Int64(index))
                        return try await store.createTask(record, events: StoreContractTests.created(record), pushConfigs: [], lease: Self.lease("r\(index % 3)", limit: 5))
                    }
                }
                var leased = 0
                for try await granted in group where granted { leased += 1 }
                return leased
            }
            // A creation that meets the namespace's first, which makes its places, does not wait
            // for it: its task waits in the queue, and a claim fills what places are left.
            #expect(leased <= 5)
            let claimed = try await store.claimTasks(owner: "r3", limit: 16, lease: .seconds(60), defaultNamespaceLimit: 5)
            #expect(leased + claimed.count == 5)
            #expect(try await store.waitingTaskCount() == 11)
        }
    }

    /// A namespace's places are rows: a leased creation takes a free one and skips those other
    /// transactions hold, so it never waits for another creation of its namespace to commit
    /// (migration 8's lock per namespace made it wait: here that wait meets the lock timeout).
    @Test func aLeasedCreationDoesNotWaitForAnotherOfItsNamespaceToCommit() async throws {
        try await Self.withQueue { store, client in
            let namespace = try await StoreContractTests.makeNamespace(store)
            let logger = store.logger
            func lease(_ task: String, on connection: PostgresConnection) async throws -> Int? {
                try await connection.query(
                    "SELECT cleveragents_lease_new_task_v2(\(namespace.rawValue), \(store.queueGroup), 3, \(task), 60)",
                    logger: logger
                ).collect().first?.decode(Int?.self)
            }
            // The namespace's first lease makes its places (committed here).
            let warm = Self.runnable(namespace, "warm")
            #expect(try await store.createTask(warm, events: StoreContractTests.created(warm), pushConfigs: [], lease: Self.lease("r", limit: 3)))
            try await client.withConnection { held in
                try await held.query("BEGIN", logger: logger)
                #expect(try await lease("first", on: held) == 1)
                // While the first holds its place uncommitted, a second creation takes the next.
                let second = try await client.withTransaction(logger: logger) { connection in
                    try await connection.query("SET LOCAL lock_timeout = '5s'", logger: logger)
                    return try await lease("second", on: connection)
                }
                #expect(second == 2)
                // The cap is 3: two places held and committed, one held by an open transaction.
                let third = try await client.withTransaction(logger: logger) { connection in
                    try await connection.query("SET LOCAL lock_timeout = '5s'", logger: logger)
                    return try await lease("third", on: connection)
                }
                #expect(third == nil)
                try await held.query("ROLLBACK", logger: logger)
            }
            // The rolled-back place is free again.
            let record = Self.runnable(namespace, "fourth")
            #expect(try await store.createTask(record, events: StoreContractTests.created(record), pushConfigs: [], lease: Self.lease("r", limit: 3)))
        }
    }

    /// After a namespace's cap was lowered, no lease is granted until the running tasks above
    /// the new cap have ended, even when a place below it is free.
    @Test func aLoweredCapHoldsWhileTheTasksAboveItDrain() async throws {
        try await Self.withQueue { store, _ in
            let namespace = try await StoreContractTests.makeNamespace(store)
            var running: [TaskRecord] = []
            for index in 0..<3 {
                let record = Self.runnable(namespace, "r\(index)", at: Int64(index))
                #expect(try await store.createTask(record, events: StoreContractTests.created(record), pushConfigs: [], lease: Self.lease("r", limit: 3)))
                running.append(record)
            }
            func end(_ record: TaskRecord) async throws {
                var ended = record
                let expected = ended.version
                let event = try ended.apply(.status(.completed, message: nil), at: .init(millisecondsSinceEpoch: 1_700_000_001_000))
                ended.runInput = nil
                ended.lastEventSequence += 1
                try await store.updateTask(ended, expectedVersion: expected, appending: [TaskEventRecord(namespace: namespace, taskId: ended.id, sequence: ended.lastEventSequence, event: event)])
            }
            // The cap goes down to 1; the task in place 0 ends: places 1 and 2 still run.
            try await end(running[0])
            let early = Self.runnable(namespace, "early", at: 10)
            #expect(try await store.createTask(early, events: StoreContractTests.created(early), pushConfigs: [], lease: Self.lease("r", limit: 1)) == false)
            #expect(try await store.leaseNextTask(in: namespace, lease: Self.lease("h", limit: 1)) == nil, "no hand-off either")
            #expect(try await store.claimTasks(owner: "c", limit: 5, lease: .seconds(60), defaultNamespaceLimit: 1).isEmpty)
            try await end(running[1])
            try await end(running[2])
            #expect(try await store.claimTasks(owner: "c", limit: 5, lease: .seconds(60), defaultNamespaceLimit: 1).map(\.id) == ["early"])
        }
    }

    @Test func aLeasedCreationThroughTheGroupCommitTellsEachCallerItsLease() async throws {
        try await PostgresTestDatabase.withStore { shared, client in
            let store = PostgresStore(client: client, logger: shared.logger, queueGroup: TestEnvironment.uniqueName("queue"), groupCommit: true)
            let namespace = try await StoreContractTests.makeNamespace(store)
            let owner = TestEnvironment.uniqueName("replica")
            let leased = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
                for index in 0..<12 {
                    group.addTask {
                        let record = Self.runnable(namespace, "g\(index)", at: Int64(index))
                        return (record.id, try await store.createTask(record, events: StoreContractTests.created(record), pushConfigs: [], lease: Self.lease(owner, limit: 4)))
                    }
                }
                var leased: Set<String> = []
                for try await (id, granted) in group where granted { leased.insert(id) }
                return leased
            }
            // Up to the cap (a write that met the one making the namespace's places leased none).
            #expect((1...4).contains(leased.count))
            // What each caller was told is what is stored.
            let held = try await store.renewLeases(owner: owner, lease: .seconds(60))
            #expect(Set(held.map(\.id)) == leased)
            let claimed = try await store.claimTasks(owner: owner, limit: 12, lease: .seconds(60), defaultNamespaceLimit: 4)
            #expect(leased.count + claimed.count == 4)
        }
    }

    /// 100,000 waiting tasks in 100 namespaces: a claim of 10 reads a few hundred index entries
    /// and rows (a skip scan over the namespaces and each one's free places), not every waiting task.
    @Test func aClaimAmongAHundredThousandWaitingTasksReadsAboutWhatItReturns() async throws {
        try await PostgresTestDatabase.withFreshDatabase { url in
            try await PostgresTestDatabase.withStore(url: url) { shared, client in
                let store = PostgresStore(client: client, logger: shared.logger, queueGroup: "", groupCommit: false)
                let logger = shared.logger
                try await client.query(
                    """
                    INSERT INTO namespaces (name, display_name, description, auth_mode, created_at, updated_at)
                    SELECT 'ns-' || n, 'ns-' || n, '', 'disabled', now(), now() FROM generate_series(1, 100) AS n
                    """,
                    logger: logger
                )
                let run = String(decoding: try JSONEncoder().encode(TaskRunInput(message: RuntimeHarness.message("go"))), as: UTF8.self)
                try await client.query(
                    """
                    INSERT INTO tasks (namespace, id, context_id, owner, actor, state, status, artifacts, history, thread_id, version,
                                       last_event_seq, status_at, created_at, updated_at, run_input, queued_at, queue_group)
                    SELECT 'ns-' || (i % 100 + 1), 't' || i, 'ctx', 'alice', 'echo', 'TASK_STATE_SUBMITTED',
                           '{"state": "TASK_STATE_SUBMITTED"}', '[]', '[]', gen_random_uuid(), 1, 1, now(), now(), now(),
                           \(run)::jsonb, now() + i * interval '1 microsecond', ''
                    FROM generate_series(1, 100000) AS i
                    """,
                    logger: logger
                )
                try await client.query("ANALYZE tasks", logger: logger)
                // The claim's statement, in a transaction whose own counts of rows read are then asked for.
                let (claimed, read) = try await client.withTransaction(logger: logger) { connection in
                    let rows = try await connection.query("SELECT namespace FROM cleveragents_claim_tasks_v3(2, 10, 'a', 60, '')", logger: logger)
                    var claimed: [String] = []
                    for try await namespace in rows.decode(String.self) { claimed.append(namespace) }
                    return (claimed, try await Self.rowsRead(in: connection, logger))
                }
                // Rank 1 of ten namespaces: the oldest waiting task of each of the ten whose heads are oldest.
                #expect(claimed.count == 10)
                #expect(Set(claimed).count == 10, "one task per namespace first: \(claimed)")
                #expect(read >= 10 && read < 2_000, "the claim read \(read) index entries and rows of tasks")
                #expect(try await store.waitingTaskCount() == 100_000 - 10)
                // The claim of migration 6 (kept for replicas of the previous release), in the same state.
                let ranked = try await client.withTransaction(logger: logger) { connection in
                    _ = try await connection.query("SELECT * FROM cleveragents_claim_tasks(2, 10, 'b', 60, '')", logger: logger).collect()
                    return try await Self.rowsRead(in: connection, logger)
                }
                #expect(ranked > 10 * read, "the ranking claim reads every waiting task")
                print("the same claim by migration 6's function read \(ranked)")
                print("claim of 10 among 100000 waiting tasks in 100 namespaces read \(read) index entries and rows of tasks")
            }
        }
    }

    /// A namespace with 2,000 running tasks, older than the few that wait: a hand-off and a
    /// leased creation read the waiting tasks (`tasks_waiting`, migration 11), not the running ones.
    @Test func aHandOffAndALeasedCreationReadTheWaitingTasksNotTheRunningOnes() async throws {
        try await PostgresTestDatabase.withFreshDatabase { url in
            try await PostgresTestDatabase.withStore(url: url) { shared, client in
                let store = PostgresStore(client: client, logger: shared.logger, queueGroup: "", groupCommit: false)
                let logger = shared.logger
                try await client.query(
                    """
                    INSERT INTO namespaces (name, display_name, description, auth_mode, created_at, updated_at, max_running_tasks)
                    VALUES ('busy', 'busy', '', 'disabled', now(), now(), 100000)
                    """,
                    logger: logger
                )
                let run = String(decoding: try JSONEncoder().encode(TaskRunInput(message: RuntimeHarness.message("go"))), as: UTF8.self)
                // Running: leased for an hour by another replica. Waiting: w1, w2, w3, queued after them.
                try await client.query(
                    """
                    INSERT INTO tasks (namespace, id, context_id, owner, actor, state, status, artifacts, history, thread_id, version,
                                       last_event_seq, status_at, created_at, updated_at, run_input, queued_at, queue_group,
                                       lease_owner, lease_expires_at)
                    SELECT 'busy', CASE WHEN i <= 2000 THEN 'r' || i ELSE 'w' || (i - 2000) END, 'ctx', 'alice', 'echo', 'TASK_STATE_WORKING',
                           '{"state": "TASK_STATE_WORKING"}', '[]', '[]', gen_random_uuid(), 1, 1, now(), now(), now(),
                           \(run)::jsonb, now() + i * interval '1 microsecond', '',
                           CASE WHEN i <= 2000 THEN 'other' END, CASE WHEN i <= 2000 THEN now() + interval '1 hour' END
                    FROM generate_series(1, 2003) AS i
                    """,
                    logger: logger
                )
                try await client.query("ANALYZE tasks", logger: logger)
                // Migration 10's hand-off, kept for replicas of the previous release, walks the running tasks.
                // (A session's counts of rows read are flushed about once a second: each read is the
                // difference of two counts in one transaction.)
                let (previous, previousRead) = try await client.withTransaction(logger: logger) { connection in
                    let before = try await Self.rowsRead(in: connection, logger)
                    let rows = try await connection.query("SELECT id FROM cleveragents_lease_next_task_v2('busy', '', 32, 'me', 60)", logger: logger)
                    let ids = try await rows.collect().map { try $0.decode(String.self) }
                    return (ids, try await Self.rowsRead(in: connection, logger) - before)
                }
                #expect(previous == ["w1"])
                #expect(previousRead > 2_000, "migration 10's hand-off read \(previousRead)")
                let (next, read) = try await client.withTransaction(logger: logger) { connection in
                    let before = try await Self.rowsRead(in: connection, logger)
                    let statement = LeaseNextTaskStatement(namespace: NamespaceName("busy")!, queueGroup: "", lease: Self.lease("me", limit: 32))
                    let next = try await PostgresStore.first(of: connection.execute(LeaseNextTaskFunctionStatement(next: statement), logger: logger))
                    return (next, try await Self.rowsRead(in: connection, logger) - before)
                }
                #expect(next?.id == "w2")
                #expect(read < 100, "the hand-off read \(read) index entries and rows of tasks")
                // A creation finds w3 waiting, and is not leased.
                let (slot, creationRead) = try await client.withTransaction(logger: logger) { connection in
                    let before = try await Self.rowsRead(in: connection, logger)
                    let slot = try await connection.query("SELECT cleveragents_lease_new_task_v3('busy', '', 32, 'new', 60)", logger: logger)
                        .collect().first?.decode(Int?.self)
                    return (slot, try await Self.rowsRead(in: connection, logger) - before)
                }
                #expect(slot == nil, "an older task waits")
                #expect(creationRead < 100, "the creation read \(creationRead)")
                // The same through the store's statement, which inserts the task (waiting).
                let (leased, insertRead) = try await client.withTransaction(logger: logger) { connection in
                    let before = try await Self.rowsRead(in: connection, logger)
                    let record = Self.runnable(NamespaceName("busy")!, "new", at: 10_000)
                    let statement = InsertTaskStatement(
                        task: record,
                        events: try EventBinds(StoreContractTests.created(record), origin: "test"),
                        queueGroup: "",
                        lease: Self.lease("me", limit: 32)
                    )
                    let leased = try await PostgresStore.first(of: connection.execute(statement, logger: logger))
                    return (leased, try await Self.rowsRead(in: connection, logger) - before)
                }
                #expect(leased == false, "an older task waits")
                #expect(insertRead < 100, "the insert read \(insertRead)")
                // The store's hand-off (one plain statement: the places exist now) leases w3 in turn.
                let (plain, plainRead) = try await client.withTransaction(logger: logger) { connection in
                    let before = try await Self.rowsRead(in: connection, logger)
                    let statement = LeaseNextTaskStatement(namespace: NamespaceName("busy")!, queueGroup: "", lease: Self.lease("me", limit: 32))
                    let next = try await PostgresStore.first(of: connection.execute(statement, logger: logger))
                    return (next, try await Self.rowsRead(in: connection, logger) - before)
                }
                guard case .leased(let third) = plain else {
                    Issue.record("the hand-off leased nothing: \(String(describing: plain))")
                    return
                }
                #expect(third.id == "w3")
                #expect(plainRead < 100, "the plain hand-off read \(plainRead)")
                #expect(try await store.leaseNextTask(in: NamespaceName("busy")!, lease: Self.lease("me", limit: 32))?.id == "new")
                #expect(try await store.leaseNextTask(in: NamespaceName("busy")!, lease: Self.lease("me", limit: 32)) == nil)
                print("hand-off among 2000 running tasks read \(read), \(plainRead) as one statement (migration 10: \(previousRead)); creation read \(creationRead), \(insertRead) with its insert")
            }
        }
    }

    /// Index entries and rows of `tasks` read by the transaction so far.
    static func rowsRead(in connection: PostgresConnection, _ logger: Logger) async throws -> Int {
        try await connection.query(
            """
            SELECT sum(pg_stat_get_xact_tuples_returned(r) + pg_stat_get_xact_tuples_fetched(r))::bigint
            FROM (SELECT 'tasks'::regclass::oid AS r UNION ALL SELECT indexrelid FROM pg_index WHERE indrelid = 'tasks'::regclass) AS relations
            """,
            logger: logger
        ).collect().first?.decode(Int.self) ?? -1
    }

    /// A database written by the schema of migration 7 keeps its tasks, events and queue.
    @Test func migrationEightKeepsWhatTheSchemaBeforeItWrote() async throws {
        try await PostgresTestDatabase.withFreshDatabase { url in
            try await PostgresTestDatabase.withClient(url: url) { client in
                var logger = Logger(label: "migrate")
                logger.logLevel = .critical
                try await PostgresMigrator(client: client, migrations: Migration.all.filter { $0.version <= 7 }, logger: logger).migrate()
                let run = String(decoding: try JSONEncoder().encode(TaskRunInput(message: RuntimeHarness.message("go"))), as: UTF8.self)
                let event = String(decoding: try A2AJSONWriter.encode(StreamResponse.task(StoreContractTests.task(NamespaceName("old")!, id: "done", at: 1).a2aTask())), as: UTF8.self)
                for sql in [
                    "INSERT INTO namespaces (name, display_name, auth_mode, created_at, updated_at) VALUES ('old', 'old', 'disabled', now(), now())",
                    """
                    INSERT INTO tasks (namespace, id, context_id, owner, actor, state, status, artifacts, history, thread_id, version,
                                       last_event_seq, status_at, created_at, updated_at, run_input, queued_at, queue_group)
                    VALUES ('old', 'waiting', 'ctx', 'alice', 'echo', 'TASK_STATE_SUBMITTED', '{"state": "TASK_STATE_SUBMITTED"}', '[]', '[]',
                            gen_random_uuid(), 1, 1, now(), now(), now(), '\(run)'::jsonb, now(), ''),
                           ('old', 'done', 'ctx', 'alice', 'echo', 'TASK_STATE_COMPLETED', '{"state": "TASK_STATE_COMPLETED"}', '[]', '[]',
                            gen_random_uuid(), 3, 1, now(), now(), now(), NULL, NULL, '')
                    """,
                    "INSERT INTO task_events (namespace, task_id, seq, payload, created_at) VALUES ('old', 'done', 1, '\(event)'::jsonb, now())",
                ] {
                    try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
                }
                #expect(try await PostgresMigrator(client: client, logger: logger).migrate() == [8, 9, 10, 11])
                let store = PostgresStore(client: client, logger: logger, groupCommit: false)
                let old = NamespaceName("old")!
                #expect(try await store.task(namespace: old, id: "done")?.state == .completed)
                #expect(try await store.events(namespace: old, taskId: "done", afterSequence: 0).map(\.sequence) == [1])
                #expect(try await store.waitingTaskCount() == 1)
                // The waiting task goes first: a new one is not leased past it, and the claim takes it.
                let newer = Self.runnable(old, "new", at: 5)
                #expect(try await store.createTask(newer, events: StoreContractTests.created(newer), pushConfigs: [], lease: Self.lease("r")) == false)
                #expect(try await store.claimTasks(owner: "r", limit: 1, lease: .seconds(60), defaultNamespaceLimit: 2).map(\.id) == ["waiting"])
                // The events went without a foreign key: they go with their namespace all the same.
                #expect(try await store.deleteNamespace(named: old))
                let left = try await client.query("SELECT count(*) FROM task_events", logger: logger).collect().first?.decode(Int.self)
                #expect(left == 0)
            }
        }
    }

    /// A database written by the schema of migration 9, with a task running under a live lease
    /// and one waiting: the running task gets a place, its lease renews, it holds the cap until
    /// its run ends, and then the waiting task takes its place.
    @Test func migrationTenGivesTheRunningTasksTheirPlaces() async throws {
        try await PostgresTestDatabase.withFreshDatabase { url in
            try await PostgresTestDatabase.withClient(url: url) { client in
                var logger = Logger(label: "migrate")
                logger.logLevel = .critical
                try await PostgresMigrator(client: client, migrations: Migration.all.filter { $0.version <= 9 }, logger: logger).migrate()
                let run = String(decoding: try JSONEncoder().encode(TaskRunInput(message: RuntimeHarness.message("go"))), as: UTF8.self)
                for sql in [
                    "INSERT INTO namespaces (name, display_name, auth_mode, created_at, updated_at) VALUES ('old', 'old', 'disabled', now(), now())",
                    """
                    INSERT INTO tasks (namespace, id, context_id, owner, actor, state, status, artifacts, history, thread_id, version,
                                       last_event_seq, status_at, created_at, updated_at, run_input, queued_at, queue_group,
                                       lease_owner, lease_expires_at)
                    VALUES ('old', 'running', 'ctx', 'alice', 'echo', 'TASK_STATE_WORKING', '{"state": "TASK_STATE_WORKING"}', '[]', '[]',
                            gen_random_uuid(), 2, 1, now(), now(), now(), '\(run)'::jsonb, now() - interval '1 minute', '',
                            'old-replica', now() + interval '1 minute'),
                           ('old', 'waiting', 'ctx', 'alice', 'echo', 'TASK_STATE_SUBMITTED', '{"state": "TASK_STATE_SUBMITTED"}', '[]', '[]',
                            gen_random_uuid(), 1, 1, now(), now(), now(), '\(run)'::jsonb, now(), '', NULL, NULL)
                    """,
                ] {
                    try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
                }
                #expect(try await PostgresMigrator(client: client, logger: logger).migrate() == [10, 11])
                let store = PostgresStore(client: client, logger: logger, groupCommit: false)
                let old = NamespaceName("old")!
                let place = try await client.query("SELECT slot, task_id FROM task_slots WHERE namespace = 'old'", logger: logger)
                    .collect().map { try $0.decode((Int, String).self) }
                #expect(place.count == 1 && place.first?.1 == "running")
                #expect(try await store.renewLeases(owner: "old-replica", lease: .seconds(60)) == [TaskKey(namespace: old, id: "running")])
                // Cap 1: the running task holds it.
                #expect(try await store.leaseNextTask(in: old, lease: Self.lease("new-replica", limit: 1)) == nil)
                var ended = try #require(try await store.task(namespace: old, id: "running"))
                let expected = ended.version
                let event = try ended.apply(.status(.completed, message: nil), at: .init(millisecondsSinceEpoch: 1_700_000_001_000))
                ended.runInput = nil
                ended.lastEventSequence += 1
                try await store.updateTask(ended, expectedVersion: expected, appending: [TaskEventRecord(namespace: old, taskId: "running", sequence: ended.lastEventSequence, event: event)])
                #expect(try await store.leaseNextTask(in: old, lease: Self.lease("new-replica", limit: 1))?.id == "waiting")
                // The places go with their namespace.
                #expect(try await store.deleteNamespace(named: old))
                #expect(try await client.query("SELECT count(*) FROM task_slots", logger: logger).collect().first?.decode(Int.self) == 0)
            }
        }
    }
}
