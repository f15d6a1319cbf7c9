//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// One forward-only schema change, applied in its own transaction.
public struct Migration: Sendable, Hashable {
    /// Applied in increasing order; never reused or renumbered once released.
    public var version: Int
    public var name: String
    /// SQL statements, run one after another.
    public var statements: [String]

    public init(version: Int, name: String, statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }
}

extension Migration {
    /// Every migration of the server schema, in order.
    public static let all: [Migration] = [
        .initialSchema,
        .pushNotifications,
        .identity,
        .taskQueue,
        .entitySync,
        .claimFunction,
        .containment,
        .writePath,
        .handOff,
        .slots,
        .waitingIndex,
    ]

    /// Namespaces, entities (actors), contexts, tasks and their event logs.
    static let initialSchema = Migration(
        version: 1,
        name: "initial schema",
        statements: [
            """
            CREATE TABLE namespaces (
                name text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
                display_name text NOT NULL,
                description text NOT NULL DEFAULT '',
                auth_mode text NOT NULL CHECK (auth_mode IN ('required', 'disabled')),
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL
            )
            """,
            """
            CREATE TABLE entities (
                namespace text NOT NULL REFERENCES namespaces (name) ON DELETE CASCADE,
                kind text NOT NULL,
                name text NOT NULL,
                body jsonb NOT NULL,
                revision bigint NOT NULL DEFAULT 1,
                deleted boolean NOT NULL DEFAULT false,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                PRIMARY KEY (namespace, kind, name)
            )
            """,
            """
            CREATE TABLE contexts (
                namespace text NOT NULL REFERENCES namespaces (name) ON DELETE CASCADE,
                owner text NOT NULL,
                context_id text NOT NULL,
                thread_id uuid NOT NULL,
                created_at timestamptz NOT NULL,
                PRIMARY KEY (namespace, owner, context_id)
            )
            """,
            """
            CREATE TABLE tasks (
                namespace text NOT NULL REFERENCES namespaces (name) ON DELETE CASCADE,
                id text NOT NULL,
                context_id text NOT NULL,
                owner text NOT NULL,
                actor text NOT NULL,
                state text NOT NULL,
                status jsonb NOT NULL,
                artifacts jsonb NOT NULL,
                history jsonb NOT NULL,
                metadata jsonb,
                thread_id uuid NOT NULL,
                run_id text,
                replied_with_message boolean NOT NULL DEFAULT false,
                version bigint NOT NULL,
                last_event_seq bigint NOT NULL,
                status_at timestamptz NOT NULL,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                PRIMARY KEY (namespace, id)
            )
            """,
            "CREATE INDEX tasks_by_status_time ON tasks (namespace, status_at DESC, id DESC)",
            "CREATE INDEX tasks_by_owner_status_time ON tasks (namespace, owner, status_at DESC, id DESC)",
            "CREATE INDEX tasks_by_context ON tasks (namespace, context_id)",
            """
            CREATE TABLE task_events (
                namespace text NOT NULL,
                task_id text NOT NULL,
                seq bigint NOT NULL CHECK (seq > 0),
                payload jsonb NOT NULL,
                created_at timestamptz NOT NULL,
                PRIMARY KEY (namespace, task_id, seq),
                FOREIGN KEY (namespace, task_id) REFERENCES tasks (namespace, id) ON DELETE CASCADE
            )
            """,
        ]
    )

    /// Webhook configurations and the durable outbox of notifications.
    static let pushNotifications = Migration(
        version: 2,
        name: "push notifications",
        statements: [
            """
            CREATE TABLE push_configs (
                namespace text NOT NULL,
                task_id text NOT NULL,
                id text NOT NULL,
                url text NOT NULL,
                token text,
                auth_scheme text,
                credentials text,
                owner text NOT NULL,
                created_at timestamptz NOT NULL,
                PRIMARY KEY (namespace, task_id, id),
                FOREIGN KEY (namespace, task_id) REFERENCES tasks (namespace, id) ON DELETE CASCADE
            )
            """,
            """
            CREATE TABLE push_deliveries (
                id bigserial PRIMARY KEY,
                namespace text NOT NULL,
                task_id text NOT NULL,
                config_id text NOT NULL,
                event_seq bigint NOT NULL,
                attempts integer NOT NULL DEFAULT 0,
                next_attempt_at timestamptz NOT NULL,
                last_error text,
                failed_at timestamptz,
                created_at timestamptz NOT NULL,
                UNIQUE (namespace, task_id, config_id, event_seq),
                FOREIGN KEY (namespace, task_id, config_id) REFERENCES push_configs (namespace, task_id, id) ON DELETE CASCADE
            )
            """,
            "CREATE INDEX push_deliveries_due ON push_deliveries (next_attempt_at) WHERE failed_at IS NULL",
        ]
    )

    /// Principals, teams, role bindings, API tokens and the audit log.
    static let identity = Migration(
        version: 3,
        name: "identity",
        statements: [
            """
            CREATE TABLE principals (
                id text PRIMARY KEY,
                kind text NOT NULL CHECK (kind IN ('user', 'service')),
                display_name text NOT NULL,
                is_superadmin boolean NOT NULL DEFAULT false,
                disabled boolean NOT NULL DEFAULT false,
                created_at timestamptz NOT NULL
            )
            """,
            """
            CREATE TABLE teams (
                namespace text NOT NULL REFERENCES namespaces (name) ON DELETE CASCADE,
                name text NOT NULL,
                created_at timestamptz NOT NULL,
                PRIMARY KEY (namespace, name)
            )
            """,
            """
            CREATE TABLE team_members (
                namespace text NOT NULL,
                team text NOT NULL,
                principal text NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
                PRIMARY KEY (namespace, team, principal),
                FOREIGN KEY (namespace, team) REFERENCES teams (namespace, name) ON DELETE CASCADE
            )
            """,
            """
            CREATE TABLE role_bindings (
                namespace text NOT NULL REFERENCES namespaces (name) ON DELETE CASCADE,
                subject_kind text NOT NULL CHECK (subject_kind IN ('principal', 'team')),
                subject text NOT NULL,
                role text NOT NULL CHECK (role IN ('viewer', 'member', 'admin', 'owner')),
                created_at timestamptz NOT NULL,
                PRIMARY KEY (namespace, subject_kind, subject)
            )
            """,
            """
            CREATE TABLE api_tokens (
                id text PRIMARY KEY,
                principal text NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
                namespace text REFERENCES namespaces (name) ON DELETE CASCADE,
                secret_hash bytea NOT NULL,
                name text NOT NULL DEFAULT '',
                created_at timestamptz NOT NULL,
                expires_at timestamptz,
                revoked_at timestamptz
            )
            """,
            "CREATE INDEX api_tokens_by_namespace ON api_tokens (namespace)",
            """
            CREATE TABLE audit_log (
                id bigserial PRIMARY KEY,
                namespace text,
                actor text NOT NULL,
                action text NOT NULL,
                target text NOT NULL,
                details jsonb NOT NULL,
                at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX audit_log_by_namespace ON audit_log (namespace, id DESC)",
        ]
    )

    /// The durable task queue: a task's run input while it needs a run, the lease of the replica
    /// running it, and each namespace's cap of running tasks.
    static let taskQueue = Migration(
        version: 4,
        name: "task queue",
        statements: [
            "ALTER TABLE tasks ADD COLUMN run_input jsonb",
            "ALTER TABLE tasks ADD COLUMN queued_at timestamptz",
            "ALTER TABLE tasks ADD COLUMN lease_owner text",
            "ALTER TABLE tasks ADD COLUMN lease_expires_at timestamptz",
            "ALTER TABLE tasks ADD COLUMN queue_group text NOT NULL DEFAULT ''",
            "CREATE INDEX tasks_queued ON tasks (queue_group, namespace, queued_at) WHERE run_input IS NOT NULL",
            "CREATE INDEX tasks_by_lease_owner ON tasks (lease_owner) WHERE lease_owner IS NOT NULL",
            "ALTER TABLE namespaces ADD COLUMN max_running_tasks integer CHECK (max_running_tasks > 0)",
        ]
    )

    /// The per-namespace sync log of entities, its heads, and the applied push batches.
    ///
    /// Entities that exist already get sequence numbers in the order they last changed.
    static let entitySync = Migration(
        version: 5,
        name: "entity sync",
        statements: [
            "ALTER TABLE entities ADD COLUMN sync_seq bigint NOT NULL DEFAULT 0",
            """
            CREATE TABLE sync_heads (
                namespace text PRIMARY KEY REFERENCES namespaces (name) ON DELETE CASCADE,
                head_seq bigint NOT NULL CHECK (head_seq >= 0)
            )
            """,
            """
            CREATE TABLE sync_log (
                namespace text NOT NULL REFERENCES namespaces (name) ON DELETE CASCADE,
                seq bigint NOT NULL CHECK (seq > 0),
                kind text NOT NULL,
                name text NOT NULL,
                revision bigint NOT NULL,
                deleted boolean NOT NULL,
                changed_at timestamptz NOT NULL,
                PRIMARY KEY (namespace, seq)
            )
            """,
            """
            UPDATE entities e SET sync_seq = n.seq
            FROM (SELECT namespace, kind, name, row_number() OVER (PARTITION BY namespace ORDER BY updated_at, kind, name) AS seq FROM entities) n
            WHERE e.namespace = n.namespace AND e.kind = n.kind AND e.name = n.name
            """,
            """
            INSERT INTO sync_log (namespace, seq, kind, name, revision, deleted, changed_at)
            SELECT namespace, sync_seq, kind, name, revision, deleted, updated_at FROM entities
            """,
            "INSERT INTO sync_heads (namespace, head_seq) SELECT namespace, max(sync_seq) FROM entities GROUP BY namespace",
            "CREATE INDEX entities_by_sync_seq ON entities (namespace, sync_seq)",
            """
            CREATE TABLE sync_batches (
                namespace text NOT NULL REFERENCES namespaces (name) ON DELETE CASCADE,
                principal text NOT NULL,
                batch_id text NOT NULL,
                fingerprint text NOT NULL,
                response jsonb NOT NULL,
                created_at timestamptz NOT NULL,
                PRIMARY KEY (namespace, principal, batch_id)
            )
            """,
            "CREATE INDEX sync_batches_by_age ON sync_batches (namespace, created_at)",
        ]
    )

    /// The task queue's claim as one function: a claim is then one statement (one round trip)
    /// instead of a transaction of four. A volatile PL/pgSQL function reads with a fresh snapshot
    /// per statement, so its query, run after the lock, sees every earlier claim; the lock is held
    /// until the calling statement's transaction ends.
    static let claimFunction = Migration(
        version: 6,
        name: "claim function",
        statements: [
            """
            CREATE FUNCTION cleveragents_claim_tasks(
                p_default_limit bigint, p_limit bigint, p_owner text, p_lease_seconds double precision, p_queue_group text
            )
            RETURNS TABLE (
                namespace text, id text, context_id text, owner text, actor text, status jsonb, artifacts jsonb, history jsonb,
                metadata jsonb, thread_id text, run_id text, replied_with_message boolean, version bigint, last_event_seq bigint,
                created_at timestamptz, updated_at timestamptz, run_input jsonb, still_waiting bigint
            )
            LANGUAGE plpgsql VOLATILE AS $$
            #variable_conflict use_column
            BEGIN
                -- Serializes claims across replicas, so that namespace caps hold exactly.
                PERFORM pg_advisory_xact_lock(73947816478037);
                -- Each namespace's n-th waiting task is ranked n: rank 1 of every namespace goes
                -- before any rank 2 (fair shares), and a namespace stops at its cap of leased tasks.
                RETURN QUERY
                WITH leased AS (
                    SELECT t.namespace, count(*) AS n FROM tasks t
                    WHERE t.run_input IS NOT NULL AND t.lease_expires_at > now()
                    GROUP BY t.namespace
                ), waiting AS (
                    SELECT t.namespace, t.id, t.queued_at,
                           row_number() OVER (PARTITION BY t.namespace ORDER BY t.queued_at, t.id) AS rank
                    FROM tasks t
                    WHERE t.run_input IS NOT NULL AND t.queue_group = p_queue_group
                      AND t.state IN ('TASK_STATE_SUBMITTED', 'TASK_STATE_WORKING')
                      AND (t.lease_expires_at IS NULL OR t.lease_expires_at <= now())
                ), eligible AS (
                    SELECT w.namespace, w.id FROM waiting w
                    JOIN namespaces ns ON ns.name = w.namespace
                    LEFT JOIN leased l ON l.namespace = w.namespace
                    WHERE w.rank + coalesce(l.n, 0) <= coalesce(ns.max_running_tasks, p_default_limit)
                    ORDER BY w.rank, w.queued_at
                    LIMIT p_limit
                ), locked AS (
                    SELECT t.namespace, t.id FROM tasks t
                    JOIN eligible e ON e.namespace = t.namespace AND e.id = t.id
                    FOR UPDATE OF t SKIP LOCKED
                ), claimed AS (
                    UPDATE tasks t
                    SET lease_owner = p_owner, lease_expires_at = now() + make_interval(secs => p_lease_seconds)
                    FROM locked
                    WHERE t.namespace = locked.namespace AND t.id = locked.id
                    RETURNING t.namespace, t.id, t.context_id, t.owner, t.actor, t.status, t.artifacts, t.history, t.metadata,
                              t.thread_id::text AS thread_id, t.run_id, t.replied_with_message, t.version, t.last_event_seq,
                              t.created_at, t.updated_at, t.run_input
                )
                -- The claimed tasks, and how many wait still (at least one row, for the count).
                SELECT c.*, (SELECT count(*) FROM waiting) - (SELECT count(*) FROM claimed)
                FROM (SELECT 1) AS one LEFT JOIN claimed c ON true;
            END
            $$
            """
        ]
    )

    /// Tenant containment: a token remembers the most power its minter could give it, and audit
    /// entries belong to their namespace (they go when it goes; entries of namespaces deleted
    /// before this migration go now, so that a namespace made again under a name sees none).
    static let containment = Migration(
        version: 7,
        name: "containment",
        statements: [
            "ALTER TABLE api_tokens ADD COLUMN max_role text CHECK (max_role IN ('viewer', 'member', 'admin', 'owner'))",
            """
            DELETE FROM audit_log a
            WHERE a.namespace IS NOT NULL AND NOT EXISTS (SELECT 1 FROM namespaces n WHERE n.name = a.namespace)
            """,
            """
            ALTER TABLE audit_log ADD CONSTRAINT audit_log_namespace_fkey
            FOREIGN KEY (namespace) REFERENCES namespaces (name) ON DELETE CASCADE
            """,
        ]
    )

    /// The durable write path at the database's speed.
    ///
    /// - A task accepted by a replica with room is leased in the statement that creates it
    ///   (`cleveragents_lease_new_task`): no claim, no queue notification, no second read.
    /// - Claims scale with what they return (`cleveragents_claim_tasks_v2`): namespaces with
    ///   queued work are found by a skip scan, and each gives at most its free places, read in
    ///   queue order from `tasks_queue`; leased tasks are counted through `tasks_leased`. The
    ///   version 6 function stays for replicas of the previous release during a rolling upgrade.
    /// - Caps hold through a lock per namespace (an advisory lock on the name's hash): a leased
    ///   creation takes its namespace's, a claim takes the claim lock and then those of the
    ///   namespaces it claims from, in name order; a creation that finds its namespace at its cap
    ///   or with older tasks waiting takes none. (Two names with the same hash share a lock; a
    ///   deadlock that this could make is broken by PostgreSQL and retried.)
    /// - Event rows are inserted without a foreign-key check: an event is written only by the
    ///   statement that inserts its task, by the statement that updates it under its version
    ///   guard, or in the transaction that inserted it; tasks are deleted only with their
    ///   namespace, whose deletion removes their events in the same transaction.
    /// - A task row keeps room on its page (`fillfactor`), so that updates which change no indexed
    ///   column (artifacts, history, lease renewals) are heap-only.
    static let writePath = Migration(
        version: 8,
        name: "write path",
        statements: [
            "ALTER TABLE task_events DROP CONSTRAINT IF EXISTS task_events_namespace_task_id_fkey",
            "ALTER TABLE tasks SET (fillfactor = 70)",
            "CREATE INDEX tasks_queue ON tasks (queue_group, namespace, queued_at, id) WHERE run_input IS NOT NULL",
            "DROP INDEX tasks_queued",
            "CREATE INDEX tasks_leased ON tasks (namespace) WHERE lease_owner IS NOT NULL",
            """
            CREATE FUNCTION cleveragents_lease_new_task(p_namespace text, p_queue_group text, p_default_limit bigint)
            RETURNS boolean
            LANGUAGE plpgsql VOLATILE AS $$
            DECLARE
                v_cap bigint;
            BEGIN
                SELECT coalesce(ns.max_running_tasks, p_default_limit) INTO v_cap FROM namespaces ns WHERE ns.name = p_namespace;
                IF v_cap IS NULL THEN
                    RETURN false;
                END IF;
                -- Looked at twice: without the lock first (a namespace at its cap, or with older
                -- tasks waiting, is the common case under load, and then needs no lock), then
                -- under the namespace's lock, which claims take too: a volatile function's
                -- queries run with fresh snapshots, so after the lock they see every claim and
                -- every leased creation of the namespace committed before.
                FOR v_round IN 1..2 LOOP
                    IF v_round = 2 THEN
                        PERFORM pg_advisory_xact_lock(73947816, hashtext(p_namespace));
                    END IF;
                    -- An older task of the namespace that waits goes first.
                    IF EXISTS (
                        SELECT 1 FROM tasks t
                        WHERE t.queue_group = p_queue_group AND t.namespace = p_namespace AND t.run_input IS NOT NULL
                          AND t.state IN ('TASK_STATE_SUBMITTED', 'TASK_STATE_WORKING')
                          AND (t.lease_expires_at IS NULL OR t.lease_expires_at <= now())
                    ) OR (
                        SELECT count(*) FROM tasks t
                        WHERE t.namespace = p_namespace AND t.lease_owner IS NOT NULL AND t.lease_expires_at > now()
                    ) >= v_cap THEN
                        RETURN false;
                    END IF;
                END LOOP;
                RETURN true;
            END
            $$
            """,
            """
            CREATE FUNCTION cleveragents_claimable_tasks(
                p_default_limit bigint, p_limit bigint, p_queue_group text, p_namespaces text[]
            )
            RETURNS TABLE (namespace text, id text)
            LANGUAGE sql STABLE AS $$
                WITH RECURSIVE scanned AS (
                    -- Each namespace with queued or running tasks in this group, by a skip scan.
                    (SELECT t.namespace FROM tasks t
                     WHERE t.queue_group = p_queue_group AND t.run_input IS NOT NULL
                     ORDER BY t.namespace LIMIT 1)
                    UNION ALL
                    SELECT (SELECT t.namespace FROM tasks t
                            WHERE t.queue_group = p_queue_group AND t.run_input IS NOT NULL AND t.namespace > q.namespace
                            ORDER BY t.namespace LIMIT 1)
                    FROM scanned q WHERE q.namespace IS NOT NULL
                ), queued_namespaces AS (
                    -- The namespaces given, or else those found.
                    SELECT q.namespace FROM scanned q WHERE p_namespaces IS NULL AND q.namespace IS NOT NULL
                    UNION ALL
                    SELECT unnest(p_namespaces) WHERE p_namespaces IS NOT NULL
                ), room AS (
                    SELECT q.namespace, coalesce(ns.max_running_tasks, p_default_limit) - (
                        SELECT count(*) FROM tasks l
                        WHERE l.namespace = q.namespace AND l.lease_owner IS NOT NULL AND l.lease_expires_at > now()
                    ) AS free
                    FROM queued_namespaces q JOIN namespaces ns ON ns.name = q.namespace
                )
                -- A namespace's n-th waiting task is ranked n: rank 1 of every namespace goes before
                -- any rank 2 (fair shares); each namespace gives at most its free places.
                SELECT w.namespace, w.id FROM room r
                CROSS JOIN LATERAL (
                    SELECT t.namespace, t.id, t.queued_at, row_number() OVER (ORDER BY t.queued_at, t.id) AS rank
                    FROM (
                        SELECT t.namespace, t.id, t.queued_at FROM tasks t
                        WHERE t.queue_group = p_queue_group AND t.namespace = r.namespace AND t.run_input IS NOT NULL
                          AND t.state IN ('TASK_STATE_SUBMITTED', 'TASK_STATE_WORKING')
                          AND (t.lease_expires_at IS NULL OR t.lease_expires_at <= now())
                        ORDER BY t.queued_at, t.id
                        LIMIT least(r.free, p_limit)
                    ) t
                ) w
                WHERE r.free > 0
                ORDER BY w.rank, w.queued_at, w.id
                LIMIT p_limit
            $$
            """,
            """
            CREATE FUNCTION cleveragents_claim_tasks_v2(
                p_default_limit bigint, p_limit bigint, p_owner text, p_lease_seconds double precision, p_queue_group text
            )
            RETURNS TABLE (
                namespace text, id text, context_id text, owner text, actor text, status jsonb, artifacts jsonb, history jsonb,
                metadata jsonb, thread_id text, run_id text, replied_with_message boolean, version bigint, last_event_seq bigint,
                created_at timestamptz, updated_at timestamptz, run_input jsonb
            )
            LANGUAGE plpgsql VOLATILE AS $$
            #variable_conflict use_column
            DECLARE
                v_namespaces text[];
                v_namespace text;
            BEGIN
                -- Claims take turns; each then takes the lock of every namespace it may claim from
                -- (in name order), which leased creations of that namespace take too.
                PERFORM pg_advisory_xact_lock(73947816478037);
                SELECT array_agg(DISTINCT c.namespace ORDER BY c.namespace) INTO v_namespaces
                FROM cleveragents_claimable_tasks(p_default_limit, p_limit, p_queue_group, NULL) c;
                IF v_namespaces IS NULL THEN
                    RETURN;
                END IF;
                FOREACH v_namespace IN ARRAY v_namespaces LOOP
                    PERFORM pg_advisory_xact_lock(73947816, hashtext(v_namespace));
                END LOOP;
                -- Looked at again after the locks, with a fresh snapshot.
                RETURN QUERY
                WITH locked AS (
                    SELECT t.namespace, t.id FROM tasks t
                    JOIN cleveragents_claimable_tasks(p_default_limit, p_limit, p_queue_group, v_namespaces) e
                      ON e.namespace = t.namespace AND e.id = t.id
                    FOR UPDATE OF t SKIP LOCKED
                ), claimed AS (
                    UPDATE tasks t
                    SET lease_owner = p_owner, lease_expires_at = now() + make_interval(secs => p_lease_seconds)
                    FROM locked
                    WHERE t.namespace = locked.namespace AND t.id = locked.id
                    RETURNING t.namespace, t.id, t.context_id, t.owner, t.actor, t.status, t.artifacts, t.history, t.metadata,
                              t.thread_id::text AS thread_id, t.run_id, t.replied_with_message, t.version, t.last_event_seq,
                              t.created_at, t.updated_at, t.run_input
                )
                SELECT * FROM claimed;
            END
            $$
            """,
        ]
    )

    /// A replica whose run ended leases the next waiting task of the same namespace
    /// (`cleveragents_lease_next_task`): one statement on one namespace, instead of a claim over
    /// every namespace with queued work. Under the namespace's lock, as claims and leased
    /// creations take it; a namespace with nothing waiting costs one index probe and no lock.
    static let handOff = Migration(
        version: 9,
        name: "hand-off",
        statements: [
            """
            CREATE FUNCTION cleveragents_lease_next_task(
                p_namespace text, p_queue_group text, p_default_limit bigint, p_owner text, p_lease_seconds double precision
            )
            RETURNS TABLE (
                namespace text, id text, context_id text, owner text, actor text, status jsonb, artifacts jsonb, history jsonb,
                metadata jsonb, thread_id text, run_id text, replied_with_message boolean, version bigint, last_event_seq bigint,
                created_at timestamptz, updated_at timestamptz, run_input jsonb
            )
            LANGUAGE plpgsql VOLATILE AS $$
            #variable_conflict use_column
            DECLARE
                v_cap bigint;
            BEGIN
                IF NOT EXISTS (
                    SELECT 1 FROM tasks t
                    WHERE t.queue_group = p_queue_group AND t.namespace = p_namespace AND t.run_input IS NOT NULL
                      AND t.state IN ('TASK_STATE_SUBMITTED', 'TASK_STATE_WORKING')
                      AND (t.lease_expires_at IS NULL OR t.lease_expires_at <= now())
                ) THEN
                    RETURN;
                END IF;
                SELECT coalesce(ns.max_running_tasks, p_default_limit) INTO v_cap FROM namespaces ns WHERE ns.name = p_namespace;
                IF v_cap IS NULL THEN
                    RETURN;
                END IF;
                PERFORM pg_advisory_xact_lock(73947816, hashtext(p_namespace));
                -- After the lock, with a fresh snapshot: every claim and leased creation of the
                -- namespace committed before is counted.
                RETURN QUERY
                WITH next AS (
                    SELECT t.namespace, t.id FROM tasks t
                    WHERE t.queue_group = p_queue_group AND t.namespace = p_namespace AND t.run_input IS NOT NULL
                      AND t.state IN ('TASK_STATE_SUBMITTED', 'TASK_STATE_WORKING')
                      AND (t.lease_expires_at IS NULL OR t.lease_expires_at <= now())
                      AND (
                          SELECT count(*) FROM tasks l
                          WHERE l.namespace = p_namespace AND l.lease_owner IS NOT NULL AND l.lease_expires_at > now()
                      ) < v_cap
                    ORDER BY t.queued_at, t.id
                    LIMIT 1
                    FOR UPDATE OF t SKIP LOCKED
                ), leased AS (
                    UPDATE tasks t
                    SET lease_owner = p_owner, lease_expires_at = now() + make_interval(secs => p_lease_seconds)
                    FROM next
                    WHERE t.namespace = next.namespace AND t.id = next.id
                    RETURNING t.namespace, t.id, t.context_id, t.owner, t.actor, t.status, t.artifacts, t.history, t.metadata,
                              t.thread_id::text AS thread_id, t.run_id, t.replied_with_message, t.version, t.last_event_seq,
                              t.created_at, t.updated_at, t.run_input
                )
                SELECT * FROM leased;
            END
            $$
            """,
        ]
    )

    /// A namespace's cap as rows: one row per place (`task_slots`), taken with `FOR UPDATE SKIP
    /// LOCKED` by whoever leases a task of the namespace (a creation, a hand-off, a claim) and
    /// freed by the write that ends the task's run or gives its lease back.
    ///
    /// Migrations 8 and 9 held caps by counting a namespace's leased tasks under a lock per
    /// namespace held to commit: every leased creation and hand-off of a namespace waited for
    /// the one before it to flush its commit, and each count walked index entries that every
    /// lease and release leave behind. A place now is a row: concurrent leases of a namespace
    /// take different rows and never wait for each other, and nothing is counted.
    ///
    /// - A place is free when it holds no task or its lease has run out (its replica died).
    ///   Its lease mirrors its task's (`tasks.lease_slot` names the place): every statement
    ///   that sets, renews or clears a task's lease does the same to its place, tasks first.
    /// - Places are created when first needed, 16 at a time, up to the cap (`slot < cap`). After
    ///   a cap was lowered, the places above it drain first: no lease is granted until they have.
    /// - Claims no longer take turns (no claim lock): two claims take different places and skip
    ///   each other's tasks. The functions of migrations 6, 8 and 9 stay for replicas of the
    ///   previous releases during a rolling upgrade; their leases take no place, so until the
    ///   last old replica stops a namespace can run more tasks than its cap.
    static let slots = Migration(
        version: 10,
        name: "slots",
        statements: [
            """
            CREATE TABLE task_slots (
                namespace text NOT NULL REFERENCES namespaces (name) ON DELETE CASCADE,
                slot integer NOT NULL CHECK (slot >= 0),
                task_id text,
                lease_expires_at timestamptz,
                PRIMARY KEY (namespace, slot)
            ) WITH (fillfactor = 50)
            """,
            "ALTER TABLE tasks ADD COLUMN lease_slot integer",
            // The tasks leased now take the first places of their namespace.
            """
            WITH leased AS (
                SELECT namespace, id, lease_expires_at,
                       (row_number() OVER (PARTITION BY namespace ORDER BY lease_expires_at, id) - 1)::integer AS slot
                FROM tasks WHERE lease_owner IS NOT NULL AND run_input IS NOT NULL
            ), placed AS (
                INSERT INTO task_slots (namespace, slot, task_id, lease_expires_at)
                SELECT namespace, slot, id, lease_expires_at FROM leased
            )
            UPDATE tasks t SET lease_slot = l.slot FROM leased l WHERE t.namespace = l.namespace AND t.id = l.id
            """,
            "DROP INDEX tasks_leased",
            """
            CREATE FUNCTION cleveragents_take_slots(p_namespace text, p_cap bigint, p_count bigint)
            RETURNS SETOF integer
            LANGUAGE plpgsql VOLATILE AS $$
            DECLARE
                v_slots integer[];
                v_existing bigint;
            BEGIN
                -- After a cap was lowered, no place is taken until the places above it have drained.
                IF EXISTS (
                    SELECT 1 FROM task_slots s
                    WHERE s.namespace = p_namespace AND s.slot >= p_cap AND s.task_id IS NOT NULL AND s.lease_expires_at > now()
                ) THEN
                    RETURN;
                END IF;
                FOR v_round IN 1..2 LOOP
                    -- Free places, locked until commit; those another transaction holds are skipped
                    -- (the second round finds again the ones this one locked).
                    SELECT array_agg(f.slot) INTO v_slots FROM (
                        SELECT s.slot FROM task_slots s
                        WHERE s.namespace = p_namespace AND s.slot < p_cap
                          AND (s.task_id IS NULL OR s.lease_expires_at <= now())
                        ORDER BY s.slot
                        LIMIT p_count
                        FOR UPDATE SKIP LOCKED
                    ) f;
                    EXIT WHEN coalesce(cardinality(v_slots), 0) >= p_count OR v_round = 2;
                    -- Too few: the places below the cap may not all exist yet. One transaction at a
                    -- time creates a namespace's places, and no other waits for it: until it
                    -- commits, the others see none of the places it made, and their tasks wait in
                    -- the queue.
                    SELECT count(*) INTO v_existing FROM task_slots s WHERE s.namespace = p_namespace AND s.slot < p_cap;
                    EXIT WHEN v_existing >= p_cap OR NOT pg_try_advisory_xact_lock(73947817, hashtext(p_namespace));
                    INSERT INTO task_slots (namespace, slot)
                    SELECT p_namespace, g FROM generate_series(v_existing, least(p_cap, v_existing + greatest(p_count, 16)) - 1) AS g
                    ON CONFLICT DO NOTHING;
                END LOOP;
                IF v_slots IS NOT NULL THEN
                    RETURN QUERY SELECT unnest(v_slots);
                END IF;
            END
            $$
            """,
            """
            CREATE FUNCTION cleveragents_lease_new_task_v2(
                p_namespace text, p_queue_group text, p_default_limit bigint, p_task_id text, p_lease_seconds double precision
            )
            RETURNS integer
            LANGUAGE plpgsql VOLATILE AS $$
            DECLARE
                v_cap bigint;
                v_slot integer;
            BEGIN
                SELECT coalesce(ns.max_running_tasks, p_default_limit) INTO v_cap FROM namespaces ns WHERE ns.name = p_namespace;
                IF v_cap IS NULL THEN
                    RETURN NULL;
                END IF;
                -- An older task of the namespace that waits goes first.
                IF EXISTS (
                    SELECT 1 FROM tasks t
                    WHERE t.queue_group = p_queue_group AND t.namespace = p_namespace AND t.run_input IS NOT NULL
                      AND t.state IN ('TASK_STATE_SUBMITTED', 'TASK_STATE_WORKING')
                      AND (t.lease_expires_at IS NULL OR t.lease_expires_at <= now())
                ) THEN
                    RETURN NULL;
                END IF;
                SELECT f.slot INTO v_slot FROM cleveragents_take_slots(p_namespace, v_cap, 1) AS f(slot) LIMIT 1;
                IF v_slot IS NULL THEN
                    RETURN NULL;
                END IF;
                UPDATE task_slots SET task_id = p_task_id, lease_expires_at = now() + make_interval(secs => p_lease_seconds)
                WHERE namespace = p_namespace AND slot = v_slot;
                RETURN v_slot;
            END
            $$
            """,
            """
            CREATE FUNCTION cleveragents_lease_next_task_v2(
                p_namespace text, p_queue_group text, p_default_limit bigint, p_owner text, p_lease_seconds double precision
            )
            RETURNS TABLE (
                namespace text, id text, context_id text, owner text, actor text, status jsonb, artifacts jsonb, history jsonb,
                metadata jsonb, thread_id text, run_id text, replied_with_message boolean, version bigint, last_event_seq bigint,
                created_at timestamptz, updated_at timestamptz, run_input jsonb
            )
            LANGUAGE plpgsql VOLATILE AS $$
            #variable_conflict use_column
            DECLARE
                v_cap bigint;
                v_slot integer;
            BEGIN
                IF NOT EXISTS (
                    SELECT 1 FROM tasks t
                    WHERE t.queue_group = p_queue_group AND t.namespace = p_namespace AND t.run_input IS NOT NULL
                      AND t.state IN ('TASK_STATE_SUBMITTED', 'TASK_STATE_WORKING')
                      AND (t.lease_expires_at IS NULL OR t.lease_expires_at <= now())
                ) THEN
                    RETURN;
                END IF;
                SELECT coalesce(ns.max_running_tasks, p_default_limit) INTO v_cap FROM namespaces ns WHERE ns.name = p_namespace;
                IF v_cap IS NULL THEN
                    RETURN;
                END IF;
                SELECT f.slot INTO v_slot FROM cleveragents_take_slots(p_namespace, v_cap, 1) AS f(slot) LIMIT 1;
                IF v_slot IS NULL THEN
                    RETURN;
                END IF;
                RETURN QUERY
                WITH next AS (
                    SELECT t.namespace, t.id FROM tasks t
                    WHERE t.queue_group = p_queue_group AND t.namespace = p_namespace AND t.run_input IS NOT NULL
                      AND t.state IN ('TASK_STATE_SUBMITTED', 'TASK_STATE_WORKING')
                      AND (t.lease_expires_at IS NULL OR t.lease_expires_at <= now())
                    ORDER BY t.queued_at, t.id
                    LIMIT 1
                    FOR UPDATE OF t SKIP LOCKED
                ), placed AS (
                    UPDATE task_slots s SET task_id = next.id, lease_expires_at = now() + make_interval(secs => p_lease_seconds)
                    FROM next
                    WHERE s.namespace = p_namespace AND s.slot = v_slot
                ), leased AS (
                    UPDATE tasks t
                    SET lease_owner = p_owner, lease_expires_at = now() + make_interval(secs => p_lease_seconds), lease_slot = v_slot
                    FROM next
                    WHERE t.namespace = next.namespace AND t.id = next.id
                    RETURNING t.namespace, t.id, t.context_id, t.owner, t.actor, t.status, t.artifacts, t.history, t.metadata,
                              t.thread_id::text AS thread_id, t.run_id, t.replied_with_message, t.version, t.last_event_seq,
                              t.created_at, t.updated_at, t.run_input
                )
                SELECT * FROM leased;
            END
            $$
            """,
            """
            CREATE FUNCTION cleveragents_claim_tasks_v3(
                p_default_limit bigint, p_limit bigint, p_owner text, p_lease_seconds double precision, p_queue_group text
            )
            RETURNS TABLE (
                namespace text, id text, context_id text, owner text, actor text, status jsonb, artifacts jsonb, history jsonb,
                metadata jsonb, thread_id text, run_id text, replied_with_message boolean, version bigint, last_event_seq bigint,
                created_at timestamptz, updated_at timestamptz, run_input jsonb
            )
            LANGUAGE plpgsql VOLATILE AS $$
            #variable_conflict use_column
            DECLARE
                v_namespace text;
                v_cap bigint;
                v_wanted bigint;
                v_slots integer[];
            BEGIN
                -- What each namespace would give, from its free places read without locks (the
                -- turns of migration 8's claim), then, namespace by namespace, the places taken
                -- with locks and as many of its oldest waiting tasks that no one else holds.
                FOR v_namespace, v_cap, v_wanted IN
                    SELECT c.namespace, coalesce(ns.max_running_tasks, p_default_limit), count(*)
                    FROM cleveragents_claimable_tasks_v2(p_default_limit, p_limit, p_queue_group) c
                    JOIN namespaces ns ON ns.name = c.namespace
                    GROUP BY c.namespace, ns.max_running_tasks
                    ORDER BY c.namespace
                LOOP
                    v_slots := ARRAY(SELECT cleveragents_take_slots(v_namespace, v_cap, v_wanted));
                    CONTINUE WHEN cardinality(v_slots) = 0;
                    RETURN QUERY
                    WITH next AS (
                        SELECT w.id, row_number() OVER (ORDER BY w.queued_at, w.id)::integer AS n
                        FROM (
                            SELECT t.id, t.queued_at FROM tasks t
                            WHERE t.queue_group = p_queue_group AND t.namespace = v_namespace AND t.run_input IS NOT NULL
                              AND t.state IN ('TASK_STATE_SUBMITTED', 'TASK_STATE_WORKING')
                              AND (t.lease_expires_at IS NULL OR t.lease_expires_at <= now())
                            ORDER BY t.queued_at, t.id
                            LIMIT cardinality(v_slots)
                            FOR UPDATE OF t SKIP LOCKED
                        ) w
                    ), pairs AS (
                        SELECT next.id, v_slots[next.n] AS slot FROM next
                    ), placed AS (
                        UPDATE task_slots s SET task_id = p.id, lease_expires_at = now() + make_interval(secs => p_lease_seconds)
                        FROM pairs p
                        WHERE s.namespace = v_namespace AND s.slot = p.slot
                    ), claimed AS (
                        UPDATE tasks t
                        SET lease_owner = p_owner, lease_expires_at = now() + make_interval(secs => p_lease_seconds), lease_slot = p.slot
                        FROM pairs p
                        WHERE t.namespace = v_namespace AND t.id = p.id
                        RETURNING t.namespace, t.id, t.context_id, t.owner, t.actor, t.status, t.artifacts, t.history, t.metadata,
                                  t.thread_id::text AS thread_id, t.run_id, t.replied_with_message, t.version, t.last_event_seq,
                                  t.created_at, t.updated_at, t.run_input
                    )
                    SELECT * FROM claimed;
                END LOOP;
            END
            $$
            """,
            """
            CREATE FUNCTION cleveragents_claimable_tasks_v2(p_default_limit bigint, p_limit bigint, p_queue_group text)
            RETURNS TABLE (namespace text, id text)
            LANGUAGE sql STABLE AS $$
                WITH RECURSIVE scanned AS (
                    -- Each namespace with queued or running tasks in this group, by a skip scan.
                    (SELECT t.namespace FROM tasks t
                     WHERE t.queue_group = p_queue_group AND t.run_input IS NOT NULL
                     ORDER BY t.namespace LIMIT 1)
                    UNION ALL
                    SELECT (SELECT t.namespace FROM tasks t
                            WHERE t.queue_group = p_queue_group AND t.run_input IS NOT NULL AND t.namespace > q.namespace
                            ORDER BY t.namespace LIMIT 1)
                    FROM scanned q WHERE q.namespace IS NOT NULL
                ), capped AS (
                    SELECT q.namespace, coalesce(ns.max_running_tasks, p_default_limit) AS cap
                    FROM scanned q JOIN namespaces ns ON ns.name = q.namespace
                    WHERE q.namespace IS NOT NULL
                ), room AS (
                    -- Free places: the cap less the places held (above it too, after it was lowered).
                    SELECT c.namespace, c.cap - count(s.slot) FILTER (WHERE s.task_id IS NOT NULL AND s.lease_expires_at > now()) AS free
                    FROM capped c LEFT JOIN task_slots s ON s.namespace = c.namespace
                    GROUP BY c.namespace, c.cap
                )
                -- A namespace's n-th waiting task is ranked n: rank 1 of every namespace goes before
                -- any rank 2 (fair shares); each namespace gives at most its free places.
                SELECT w.namespace, w.id FROM room r
                CROSS JOIN LATERAL (
                    SELECT t.namespace, t.id, t.queued_at, row_number() OVER (ORDER BY t.queued_at, t.id) AS rank
                    FROM (
                        SELECT t.namespace, t.id, t.queued_at FROM tasks t
                        WHERE t.queue_group = p_queue_group AND t.namespace = r.namespace AND t.run_input IS NOT NULL
                          AND t.state IN ('TASK_STATE_SUBMITTED', 'TASK_STATE_WORKING')
                          AND (t.lease_expires_at IS NULL OR t.lease_expires_at <= now())
                        ORDER BY t.queued_at, t.id
                        LIMIT least(r.free, p_limit)
                    ) t
                ) w
                WHERE r.free > 0
                ORDER BY w.rank, w.queued_at, w.id
                LIMIT p_limit
            $$
            """,
        ]
    )

    /// The waiting tasks get an index of their own (`tasks_waiting`: a run to do, no lease).
    ///
    /// A leased creation asks whether older tasks of its namespace wait, and a hand-off takes
    /// the oldest; both read `tasks_queue`, which holds the running tasks too (and every version
    /// that their updates leave behind until it is pruned). Under load a namespace's running
    /// tasks are its oldest, so each look walked past all of them: the profile of the headline
    /// benchmark put a third of PostgreSQL's CPU in these two functions. They now read the waiting
    /// tasks only.
    ///
    /// A task whose lease ran out (its replica died) is not in the new index: the claims of every
    /// replica (`cleveragents_claim_tasks_v3`, on `tasks_queue`) take it up again, at the latest
    /// one poll later; until then a creation of its namespace may be leased before it. The
    /// functions of migration 10 stay for replicas of the previous release.
    static let waitingIndex = Migration(
        version: 11,
        name: "waiting index",
        statements: [
            "CREATE INDEX tasks_waiting ON tasks (queue_group, namespace, queued_at, id) WHERE run_input IS NOT NULL AND lease_owner IS NULL",
            """
            CREATE FUNCTION cleveragents_lease_new_task_v3(
                p_namespace text, p_queue_group text, p_default_limit bigint, p_task_id text, p_lease_seconds double precision
            )
            RETURNS integer
            LANGUAGE plpgsql VOLATILE AS $$
            DECLARE
                v_cap bigint;
                v_slot integer;
            BEGIN
                -- An older task of the namespace that waits goes first.
                IF EXISTS (
                    SELECT 1 FROM tasks t
                    WHERE t.queue_group = p_queue_group AND t.namespace = p_namespace AND t.run_input IS NOT NULL AND t.lease_owner IS NULL
                      AND t.state IN ('TASK_STATE_SUBMITTED', 'TASK_STATE_WORKING')
                ) THEN
                    RETURN NULL;
                END IF;
                SELECT coalesce(ns.max_running_tasks, p_default_limit) INTO v_cap FROM namespaces ns WHERE ns.name = p_namespace;
                IF v_cap IS NULL THEN
                    RETURN NULL;
                END IF;
                SELECT f.slot INTO v_slot FROM cleveragents_take_slots(p_namespace, v_cap, 1) AS f(slot) LIMIT 1;
                IF v_slot IS NULL THEN
                    RETURN NULL;
                END IF;
                UPDATE task_slots SET task_id = p_task_id, lease_expires_at = now() + make_interval(secs => p_lease_seconds)
                WHERE namespace = p_namespace AND slot = v_slot;
                RETURN v_slot;
            END
            $$
            """,
            """
            CREATE FUNCTION cleveragents_lease_next_task_v3(
                p_namespace text, p_queue_group text, p_default_limit bigint, p_owner text, p_lease_seconds double precision
            )
            RETURNS TABLE (
                namespace text, id text, context_id text, owner text, actor text, status jsonb, artifacts jsonb, history jsonb,
                metadata jsonb, thread_id text, run_id text, replied_with_message boolean, version bigint, last_event_seq bigint,
                created_at timestamptz, updated_at timestamptz, run_input jsonb
            )
            LANGUAGE plpgsql VOLATILE AS $$
            #variable_conflict use_column
            DECLARE
                v_cap bigint;
                v_slot integer;
            BEGIN
                IF NOT EXISTS (
                    SELECT 1 FROM tasks t
                    WHERE t.queue_group = p_queue_group AND t.namespace = p_namespace AND t.run_input IS NOT NULL AND t.lease_owner IS NULL
                      AND t.state IN ('TASK_STATE_SUBMITTED', 'TASK_STATE_WORKING')
                ) THEN
                    RETURN;
                END IF;
                SELECT coalesce(ns.max_running_tasks, p_default_limit) INTO v_cap FROM namespaces ns WHERE ns.name = p_namespace;
                IF v_cap IS NULL THEN
                    RETURN;
                END IF;
                SELECT f.slot INTO v_slot FROM cleveragents_take_slots(p_namespace, v_cap, 1) AS f(slot) LIMIT 1;
                IF v_slot IS NULL THEN
                    RETURN;
                END IF;
                RETURN QUERY
                WITH next AS (
                    SELECT t.namespace, t.id FROM tasks t
                    WHERE t.queue_group = p_queue_group AND t.namespace = p_namespace AND t.run_input IS NOT NULL AND t.lease_owner IS NULL
                      AND t.state IN ('TASK_STATE_SUBMITTED', 'TASK_STATE_WORKING')
                    ORDER BY t.queued_at, t.id
                    LIMIT 1
                    FOR UPDATE OF t SKIP LOCKED
                ), placed AS (
                    UPDATE task_slots s SET task_id = next.id, lease_expires_at = now() + make_interval(secs => p_lease_seconds)
                    FROM next
                    WHERE s.namespace = p_namespace AND s.slot = v_slot
                ), leased AS (
                    UPDATE tasks t
                    SET lease_owner = p_owner, lease_expires_at = now() + make_interval(secs => p_lease_seconds), lease_slot = v_slot
                    FROM next
                    WHERE t.namespace = next.namespace AND t.id = next.id
                    RETURNING t.namespace, t.id, t.context_id, t.owner, t.actor, t.status, t.artifacts, t.history, t.metadata,
                              t.thread_id::text AS thread_id, t.run_id, t.replied_with_message, t.version, t.last_event_seq,
                              t.created_at, t.updated_at, t.run_input
                )
                SELECT * FROM leased;
            END
            $$
            """,
        ]
    )
}
