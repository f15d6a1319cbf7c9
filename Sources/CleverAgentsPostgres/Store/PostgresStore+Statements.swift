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
/// has no push configs yet), leased when asked and its namespace has a free place
/// (`cleveragents_lease_new_task_v2`, migration 10). One row: whether the task is leased.
struct InsertTaskStatement: PostgresPreparedStatement {
    typealias Row = Bool

    static let name = "cleveragents_insert_task_10"
    static let sql = """
        WITH lease AS (
            SELECT CASE WHEN $22::boolean THEN cleveragents_lease_new_task_v2($1, $21, $23, $2, $25) END AS slot
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
