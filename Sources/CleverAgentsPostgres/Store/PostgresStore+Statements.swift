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
import Foundation
import PostgresNIO

// The statements of the write path, prepared once per connection: PostgreSQL then neither
// parses nor plans them again (measured: parse and plan were a fifth of its CPU per task). Their
// text is fixed, so what varies is bound: empty arrays when there are no events, flags for the
// parts of the task that are written.

/// The events a statement appends, as bound arrays, and the notice that announces them.
struct EventBinds {
    var sequences: [Int64] = []
    var payloads: [String] = []
    /// `nil` when there is nothing to announce.
    var notice: String?

    init(_ events: [TaskEventRecord], origin: String) throws {
        guard let last = events.last else { return }
        sequences = events.map(\.sequence)
        payloads = try events.map { String(decoding: try A2AJSONWriter.encode($0.event), as: UTF8.self) }
        notice = TaskEventNotice(task: TaskKey(namespace: last.namespace, id: last.taskId), sequence: last.sequence, origin: origin).payload
    }
}

/// Inserts a task, its context and its first events (which queue no push delivery: a new task
/// has no push configs yet), leased when asked and its namespace has a free place: no older task
/// of the namespace waits (`tasks_waiting`), no place above a lowered cap still runs, and a
/// place below the cap is free (taken with `FOR UPDATE SKIP LOCKED`). As plain parts of the
/// statement, not `cleveragents_lease_new_task_v3` (migration 11): that function and the one it
/// calls cost PostgreSQL about eight statements' worth of executor start-up per creation; it is
/// called only when no place is free and fewer exist than the cap, as it makes them. One row:
/// whether the task is leased.
struct InsertTaskStatement: PostgresPreparedStatement {
    typealias Row = Bool

    static let name = "cleveragents_insert_task_12"
    static let sql = """
        WITH cap AS (
            SELECT coalesce(ns.max_running_tasks, $23) AS cap FROM namespaces ns WHERE ns.name = $1 AND $22::boolean
        ), open AS (
            SELECT cap.cap FROM cap
            WHERE NOT EXISTS (
                SELECT 1 FROM tasks t
                WHERE t.queue_group = $21 AND t.namespace = $1 AND t.run_input IS NOT NULL AND t.lease_owner IS NULL
                  AND t.state IN ('TASK_STATE_SUBMITTED', 'TASK_STATE_WORKING')
            ) AND NOT EXISTS (
                SELECT 1 FROM task_slots s
                WHERE s.namespace = $1 AND s.slot >= cap.cap AND s.task_id IS NOT NULL AND s.lease_expires_at > now()
            )
        ), place AS (
            SELECT s.slot FROM task_slots s, open
            WHERE s.namespace = $1 AND s.slot < open.cap AND (s.task_id IS NULL OR s.lease_expires_at <= now())
            ORDER BY s.slot
            LIMIT 1
            FOR UPDATE OF s SKIP LOCKED
        ), placed AS (
            UPDATE task_slots s SET task_id = $2, lease_expires_at = now() + make_interval(secs => $25)
            FROM place
            WHERE s.namespace = $1 AND s.slot = place.slot
            RETURNING s.slot
        ), made AS (
            SELECT cleveragents_lease_new_task_v3($1, $21, $23, $2, $25) AS slot FROM open
            WHERE NOT EXISTS (SELECT 1 FROM place)
              AND (SELECT count(*) FROM task_slots s WHERE s.namespace = $1 AND s.slot < open.cap) < open.cap
        ), lease AS (
            SELECT coalesce((SELECT placed.slot FROM placed), (SELECT made.slot FROM made)) AS slot
        ), context AS (
            INSERT INTO contexts (namespace, owner, context_id, thread_id, created_at)
            VALUES ($1, $4, $3, $11::uuid, $17)
            ON CONFLICT DO NOTHING
        ), task AS (
            INSERT INTO tasks (namespace, id, context_id, owner, actor, state, status, artifacts, history, metadata,
                               thread_id, run_id, replied_with_message, version, last_event_seq, status_at, created_at, updated_at,
                               run_input, queued_at, queue_group, lease_owner, lease_expires_at, lease_slot)
            SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::uuid, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
                   CASE WHEN lease.slot IS NOT NULL THEN $24 END,
                   CASE WHEN lease.slot IS NOT NULL THEN now() + make_interval(secs => $25) END,
                   lease.slot
            FROM lease
            RETURNING lease_owner IS NOT NULL AS leased
        ), inserted AS (
            INSERT INTO task_events (namespace, task_id, seq, payload, created_at)
            SELECT $1, $2, e.seq, e.payload::jsonb, now()
            FROM unnest($26::bigint[], $27::text[]) AS e(seq, payload)
            WHERE EXISTS (SELECT 1 FROM task)
        )
        SELECT task.leased, CASE WHEN $28::text IS NOT NULL THEN pg_notify('cleveragents_task_events', $28::text) END FROM task
        """

    var task: TaskRecord
    var events: EventBinds
    var queueGroup: String
    var lease: TaskLeaseRequest?

    func makeBindings() throws -> PostgresBindings {
        var binds = PostgresBindings(capacity: 28)
        binds.append(task.namespace.rawValue)
        binds.append(task.id)
        binds.append(task.contextId)
        binds.append(task.owner)
        binds.append(task.actorName)
        binds.append(task.state.rawValue)
        try binds.append(JSONColumn(task.status))
        try binds.append(JSONColumn(task.artifacts))
        try binds.append(JSONColumn(task.history))
        try binds.append(task.metadata.map(JSONColumn.init))
        binds.append(task.threadID)
        binds.append(task.runID)
        binds.append(task.repliedWithMessage)
        binds.append(task.version)
        binds.append(task.lastEventSequence)
        binds.append(PostgresStore.statusDate(task))
        binds.append(task.createdAt.date)
        binds.append(task.updatedAt.date)
        try binds.append(task.runInput.map(JSONColumn.init))
        binds.append(task.runInput == nil ? nil : Date())
        binds.append(queueGroup)
        binds.append(lease != nil && task.runInput != nil)
        binds.append(Int64(lease?.defaultNamespaceLimit ?? 0))
        binds.append(lease?.owner)
        binds.append(PostgresStore.seconds(lease?.duration ?? .zero))
        binds.append(events.sequences)
        binds.append(events.payloads)
        binds.append(events.notice)
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> Bool {
        try row.makeRandomAccess()[0].decode(Bool.self)
    }
}

/// Updates a task if it still has the expected version, writing the parts of its document
/// that changed, and appends its events with a push delivery for each of the task's webhooks.
/// A run that ended frees its lease and its namespace's place (migration 10). One row when the
/// task was updated: how many deliveries were queued.
struct UpdateTaskStatement: PostgresPreparedStatement {
    typealias Row = Int

    static let name = "cleveragents_update_task_10"
    static let sql = """
        WITH task AS (
            UPDATE tasks
            SET state = $3, status = $4,
                artifacts = CASE WHEN $5::boolean THEN $6::jsonb ELSE artifacts END,
                history = CASE WHEN $7::boolean THEN $8::jsonb ELSE history END,
                metadata = CASE WHEN $9::boolean THEN $10::jsonb ELSE metadata END,
                run_id = $11, replied_with_message = $12, version = $13, last_event_seq = $14, status_at = $15, updated_at = $16,
                run_input = $17::jsonb,
                -- A run queued anew (a follow-up message) waits from now; a run that ended frees its lease.
                queued_at = CASE WHEN run_input IS NULL THEN $18::timestamptz ELSE queued_at END,
                lease_owner = CASE WHEN $17::jsonb IS NULL THEN NULL ELSE lease_owner END,
                lease_expires_at = CASE WHEN $17::jsonb IS NULL THEN NULL ELSE lease_expires_at END
            WHERE namespace = $1 AND id = $2 AND version = $19
            RETURNING lease_slot
        ), freed AS (
            UPDATE task_slots s SET task_id = NULL, lease_expires_at = NULL
            FROM task
            WHERE $17::jsonb IS NULL AND s.namespace = $1 AND s.slot = task.lease_slot AND s.task_id = $2
        ), inserted AS (
            INSERT INTO task_events (namespace, task_id, seq, payload, created_at)
            SELECT $1, $2, e.seq, e.payload::jsonb, now()
            FROM unnest($20::bigint[], $21::text[]) AS e(seq, payload)
            WHERE EXISTS (SELECT 1 FROM task)
            RETURNING seq
        ), queued AS (
            INSERT INTO push_deliveries (namespace, task_id, config_id, event_seq, next_attempt_at, created_at)
            SELECT c.namespace, c.task_id, c.id, i.seq, now(), now()
            FROM push_configs c, inserted i
            WHERE c.namespace = $1 AND c.task_id = $2
            ON CONFLICT DO NOTHING
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM queued), CASE WHEN $22::text IS NOT NULL THEN pg_notify('cleveragents_task_events', $22::text) END
        FROM task
        """

    var task: TaskRecord
    var expectedVersion: Int64
    var unchanged: TaskDocumentParts
    var events: EventBinds

    func makeBindings() throws -> PostgresBindings {
        var binds = PostgresBindings(capacity: 22)
        binds.append(task.namespace.rawValue)
        binds.append(task.id)
        binds.append(task.state.rawValue)
        try binds.append(JSONColumn(task.status))
        // What is unchanged is neither encoded nor sent.
        binds.append(!unchanged.contains(.artifacts))
        try binds.append(unchanged.contains(.artifacts) ? nil : JSONColumn(task.artifacts))
        binds.append(!unchanged.contains(.history))
        try binds.append(unchanged.contains(.history) ? nil : JSONColumn(task.history))
        binds.append(!unchanged.contains(.metadata))
        try binds.append(unchanged.contains(.metadata) ? nil : task.metadata.map(JSONColumn.init))
        binds.append(task.runID)
        binds.append(task.repliedWithMessage)
        binds.append(task.version)
        binds.append(task.lastEventSequence)
        binds.append(PostgresStore.statusDate(task))
        binds.append(task.updatedAt.date)
        try binds.append(task.runInput.map(JSONColumn.init))
        binds.append(task.runInput == nil ? nil : Date())
        binds.append(expectedVersion)
        binds.append(events.sequences)
        binds.append(events.payloads)
        binds.append(events.notice)
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> Int {
        try row.makeRandomAccess()[0].decode(Int.self)
    }
}

/// ``UpdateTaskStatement`` for several tasks at once: the group commit of concurrent task
/// updates (``PostgresStore/updateTasks(_:)``), one statement, one round trip and one commit
/// for all of them. A task whose version moved on is left alone, with its events; the rows say
/// which were updated. Nullable text is bound as `''` (no JSON document, run id or notice is
/// empty).
struct UpdateTasksStatement: PostgresPreparedStatement {
    /// The position of an updated task in the batch (from 1), and the deliveries its events queued.
    typealias Row = (position: Int, queued: Int)

    static let name = "cleveragents_update_tasks_10"
    static let sql = """
        WITH input AS (
            SELECT * FROM unnest(
                $1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::text[], $7::boolean[], $8::text[],
                $9::boolean[], $10::text[], $11::text[], $12::boolean[], $13::bigint[], $14::bigint[], $15::timestamptz[],
                $16::timestamptz[], $17::text[], $18::bigint[], $19::text[]
            ) WITH ORDINALITY AS i(namespace, id, state, status, write_artifacts, artifacts, write_history, history,
                                   write_metadata, metadata, run_id, replied, version, last_event_seq, status_at,
                                   updated_at, run_input, expected_version, notice, position)
        ), task AS (
            UPDATE tasks t
            SET state = i.state, status = i.status::jsonb,
                artifacts = CASE WHEN i.write_artifacts THEN i.artifacts::jsonb ELSE t.artifacts END,
                history = CASE WHEN i.write_history THEN i.history::jsonb ELSE t.history END,
                metadata = CASE WHEN i.write_metadata THEN nullif(i.metadata, '')::jsonb ELSE t.metadata END,
                run_id = nullif(i.run_id, ''), replied_with_message = i.replied, version = i.version,
                last_event_seq = i.last_event_seq, status_at = i.status_at, updated_at = i.updated_at,
                run_input = nullif(i.run_input, '')::jsonb,
                queued_at = CASE WHEN t.run_input IS NULL AND i.run_input <> '' THEN $20::timestamptz
                                 WHEN t.run_input IS NULL THEN NULL ELSE t.queued_at END,
                lease_owner = CASE WHEN i.run_input = '' THEN NULL ELSE t.lease_owner END,
                lease_expires_at = CASE WHEN i.run_input = '' THEN NULL ELSE t.lease_expires_at END
            FROM input i
            WHERE t.namespace = i.namespace AND t.id = i.id AND t.version = i.expected_version
            RETURNING i.position, t.namespace, t.id, t.lease_slot, i.run_input = '' AS ended, i.notice
        ), freed AS (
            UPDATE task_slots s SET task_id = NULL, lease_expires_at = NULL
            FROM task
            WHERE task.ended AND s.namespace = task.namespace AND s.slot = task.lease_slot AND s.task_id = task.id
        ), inserted AS (
            INSERT INTO task_events (namespace, task_id, seq, payload, created_at)
            SELECT task.namespace, task.id, e.seq, e.payload::jsonb, now()
            FROM unnest($21::bigint[], $22::bigint[], $23::text[]) AS e(position, seq, payload)
            JOIN task ON task.position = e.position
            RETURNING namespace, task_id, seq
        ), queued AS (
            INSERT INTO push_deliveries (namespace, task_id, config_id, event_seq, next_attempt_at, created_at)
            SELECT c.namespace, c.task_id, c.id, i.seq, now(), now()
            FROM inserted i JOIN push_configs c ON c.namespace = i.namespace AND c.task_id = i.task_id
            ON CONFLICT DO NOTHING
            RETURNING namespace, task_id
        )
        SELECT task.position, (SELECT count(*) FROM queued q WHERE q.namespace = task.namespace AND q.task_id = task.id),
               CASE WHEN task.notice <> '' THEN pg_notify('cleveragents_task_events', task.notice) END
        FROM task
        """

    var updates: [TaskUpdateWrite]
    var origin: String

    func makeBindings() throws -> PostgresBindings {
        var namespaces: [String] = []
        var ids: [String] = []
        var states: [String] = []
        var statuses: [String] = []
        var writesArtifacts: [Bool] = []
        var artifacts: [String] = []
        var writesHistory: [Bool] = []
        var histories: [String] = []
        var writesMetadata: [Bool] = []
        var metadata: [String] = []
        var runIDs: [String] = []
        var replied: [Bool] = []
        var versions: [Int64] = []
        var lastSequences: [Int64] = []
        var statusDates: [Date] = []
        var updatedDates: [Date] = []
        var runInputs: [String] = []
        var expectedVersions: [Int64] = []
        var notices: [String] = []
        var eventPositions: [Int64] = []
        var eventSequences: [Int64] = []
        var eventPayloads: [String] = []
        func json(_ value: some A2AJSONWritable) throws -> String {
            String(decoding: try A2AJSONWriter.encode(value), as: UTF8.self)
        }
        for (index, update) in updates.enumerated() {
            let task = update.task
            namespaces.append(task.namespace.rawValue)
            ids.append(task.id)
            states.append(task.state.rawValue)
            statuses.append(try json(task.status))
            // What is unchanged is neither encoded nor sent.
            writesArtifacts.append(!update.unchanged.contains(.artifacts))
            artifacts.append(update.unchanged.contains(.artifacts) ? "" : try json(task.artifacts))
            writesHistory.append(!update.unchanged.contains(.history))
            histories.append(update.unchanged.contains(.history) ? "" : try json(task.history))
            writesMetadata.append(!update.unchanged.contains(.metadata))
            metadata.append(update.unchanged.contains(.metadata) ? "" : try task.metadata.map(json) ?? "")
            runIDs.append(task.runID ?? "")
            replied.append(task.repliedWithMessage)
            versions.append(task.version)
            lastSequences.append(task.lastEventSequence)
            statusDates.append(PostgresStore.statusDate(task))
            updatedDates.append(task.updatedAt.date)
            runInputs.append(try task.runInput.map(json) ?? "")
            expectedVersions.append(update.expectedVersion)
            let events = try EventBinds(update.events, origin: origin)
            notices.append(events.notice ?? "")
            eventPositions.append(contentsOf: repeatElement(Int64(index + 1), count: events.sequences.count))
            eventSequences.append(contentsOf: events.sequences)
            eventPayloads.append(contentsOf: events.payloads)
        }
        var binds = PostgresBindings(capacity: 23)
        binds.append(namespaces)
        binds.append(ids)
        binds.append(states)
        binds.append(statuses)
        binds.append(writesArtifacts)
        binds.append(artifacts)
        binds.append(writesHistory)
        binds.append(histories)
        binds.append(writesMetadata)
        binds.append(metadata)
        binds.append(runIDs)
        binds.append(replied)
        binds.append(versions)
        binds.append(lastSequences)
        binds.append(statusDates)
        binds.append(updatedDates)
        binds.append(runInputs)
        binds.append(expectedVersions)
        binds.append(notices)
        binds.append(Date())
        binds.append(eventPositions)
        binds.append(eventSequences)
        binds.append(eventPayloads)
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let columns = row.makeRandomAccess()
        return (try columns[0].decode(Int.self), try columns[1].decode(Int.self))
    }
}

/// Leases the next waiting task of a namespace to the replica whose run there ended, in one
/// plain statement: the namespace's cap, its oldest waiting task (`tasks_waiting`) and a free
/// place, each taken with `FOR UPDATE SKIP LOCKED`, then the place and the task's lease. No
/// place is taken while places above a lowered cap still run. It does what
/// `cleveragents_lease_next_task_v3` (migration 11) does without the two PL/pgSQL calls and
/// their eight statements, which the headline profile put at a quarter of PostgreSQL's CPU per
/// task, except making a namespace's places: when a task waits, no place is free and fewer
/// places exist than the cap, the one row says so (``Row/needsPlaces``) and the function is
/// called. Otherwise at most one row: the leased task.
struct LeaseNextTaskStatement: PostgresPreparedStatement {
    enum Row {
        case leased(TaskRecord)
        case needsPlaces
    }

    static let name = "cleveragents_lease_next_task_12"
    static let sql = """
        WITH cap AS (
            SELECT coalesce(ns.max_running_tasks, $3) AS cap FROM namespaces ns WHERE ns.name = $1
        ), open AS (
            SELECT cap.cap FROM cap
            WHERE NOT EXISTS (
                SELECT 1 FROM task_slots s
                WHERE s.namespace = $1 AND s.slot >= cap.cap AND s.task_id IS NOT NULL AND s.lease_expires_at > now()
            )
        ), next AS (
            SELECT t.namespace, t.id FROM tasks t, open
            WHERE t.queue_group = $2 AND t.namespace = $1 AND t.run_input IS NOT NULL AND t.lease_owner IS NULL
              AND t.state IN ('TASK_STATE_SUBMITTED', 'TASK_STATE_WORKING')
            ORDER BY t.queued_at, t.id
            LIMIT 1
            FOR UPDATE OF t SKIP LOCKED
        ), place AS (
            SELECT s.slot FROM task_slots s, open, next
            WHERE s.namespace = $1 AND s.slot < open.cap AND (s.task_id IS NULL OR s.lease_expires_at <= now())
            ORDER BY s.slot
            LIMIT 1
            FOR UPDATE OF s SKIP LOCKED
        ), placed AS (
            UPDATE task_slots s SET task_id = next.id, lease_expires_at = now() + make_interval(secs => $5)
            FROM next, place
            WHERE s.namespace = $1 AND s.slot = place.slot
        ), leased AS (
            UPDATE tasks t
            SET lease_owner = $4, lease_expires_at = now() + make_interval(secs => $5), lease_slot = place.slot
            FROM next, place
            WHERE t.namespace = next.namespace AND t.id = next.id
            RETURNING t.namespace, t.id, t.context_id, t.owner, t.actor, t.status, t.artifacts, t.history, t.metadata,
                      t.thread_id::text, t.run_id, t.replied_with_message, t.version, t.last_event_seq, t.created_at,
                      t.updated_at, t.run_input
        )
        SELECT *, false FROM leased
        UNION ALL
        SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, true
        FROM next, open
        WHERE NOT EXISTS (SELECT 1 FROM place)
          AND (SELECT count(*) FROM task_slots s WHERE s.namespace = $1 AND s.slot < open.cap) < open.cap
        """

    var namespace: NamespaceName
    var queueGroup: String
    var lease: TaskLeaseRequest

    func makeBindings() throws -> PostgresBindings {
        var binds = PostgresBindings(capacity: 5)
        binds.append(namespace.rawValue)
        binds.append(queueGroup)
        binds.append(Int64(lease.defaultNamespaceLimit))
        binds.append(lease.owner)
        binds.append(PostgresStore.seconds(lease.duration))
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        if try row.makeRandomAccess()[17].decode(Bool.self) { return .needsPlaces }
        return .leased(try PostgresStore.decodeTask(row))
    }
}

/// `cleveragents_lease_next_task_v3` (migration 11): the hand-off that also makes a namespace's
/// places. At most one row: the leased task.
struct LeaseNextTaskFunctionStatement: PostgresPreparedStatement {
    typealias Row = TaskRecord

    static let name = "cleveragents_lease_next_task_11"
    static let sql = "SELECT * FROM cleveragents_lease_next_task_v3($1, $2, $3, $4, $5)"

    var next: LeaseNextTaskStatement

    func makeBindings() throws -> PostgresBindings {
        try next.makeBindings()
    }

    func decodeRow(_ row: PostgresRow) throws -> TaskRecord {
        try PostgresStore.decodeTask(row)
    }
}
