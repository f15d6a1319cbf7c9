//===----------------------------------------------------------------------===//
//
// This source file is part of the CleverAgents Server open source project
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import GRDB

/// The local schema: the server's tables, in SQLite's terms (times are milliseconds since the
/// epoch, JSON is text), plus the replica state of sync. Forward-only, like the server's.
enum SQLiteSchema {
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("1 local schema") { db in
            for statement in initialSchema {
                try db.execute(sql: statement)
            }
        }
        migrator.registerMigration("2 identity") { db in
            for statement in identity {
                try db.execute(sql: statement)
            }
        }
        return migrator
    }()

    static let initialSchema = [
        """
        CREATE TABLE namespaces (
            name TEXT PRIMARY KEY NOT NULL,
            display_name TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            auth_mode TEXT NOT NULL CHECK (auth_mode IN ('required', 'disabled')),
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        )
        """,
        """
        CREATE TABLE entities (
            namespace TEXT NOT NULL REFERENCES namespaces (name) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            body TEXT NOT NULL,
            revision INTEGER NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0,
            sync_seq INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (namespace, kind, name)
        )
        """,
        "CREATE INDEX entities_by_sync_seq ON entities (namespace, sync_seq)",
        """
        CREATE TABLE sync_heads (
            namespace TEXT PRIMARY KEY NOT NULL REFERENCES namespaces (name) ON DELETE CASCADE,
            head_seq INTEGER NOT NULL
        )
        """,
        """
        CREATE TABLE sync_log (
            namespace TEXT NOT NULL REFERENCES namespaces (name) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            revision INTEGER NOT NULL,
            deleted INTEGER NOT NULL,
            changed_at INTEGER NOT NULL,
            PRIMARY KEY (namespace, seq)
        )
        """,
        """
        CREATE TABLE sync_batches (
            namespace TEXT NOT NULL REFERENCES namespaces (name) ON DELETE CASCADE,
            principal TEXT NOT NULL,
            batch_id TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            response TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (namespace, principal, batch_id)
        )
        """,
        """
        CREATE TABLE sync_remotes (
            namespace TEXT NOT NULL,
            remote TEXT NOT NULL,
            pull_cursor INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (namespace, remote)
        )
        """,
        """
        CREATE TABLE sync_remote_entities (
            namespace TEXT NOT NULL,
            remote TEXT NOT NULL,
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            remote_revision INTEGER NOT NULL,
            local_revision INTEGER NOT NULL,
            PRIMARY KEY (namespace, remote, kind, name)
        )
        """,
        """
        CREATE TABLE tasks (
            namespace TEXT NOT NULL REFERENCES namespaces (name) ON DELETE CASCADE,
            id TEXT NOT NULL,
            context_id TEXT NOT NULL,
            owner TEXT NOT NULL,
            actor TEXT NOT NULL,
            state TEXT NOT NULL,
            status TEXT NOT NULL,
            artifacts TEXT NOT NULL,
            history TEXT NOT NULL,
            metadata TEXT,
            thread_id TEXT NOT NULL,
            run_id TEXT,
            replied_with_message INTEGER NOT NULL DEFAULT 0,
            version INTEGER NOT NULL,
            last_event_seq INTEGER NOT NULL,
            status_at INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (namespace, id)
        )
        """,
        "CREATE INDEX tasks_by_status_time ON tasks (namespace, status_at DESC, id DESC)",
        "CREATE INDEX tasks_by_owner_status_time ON tasks (namespace, owner, status_at DESC, id DESC)",
        "CREATE INDEX tasks_by_context ON tasks (namespace, context_id)",
        """
        CREATE TABLE task_events (
            namespace TEXT NOT NULL,
            task_id TEXT NOT NULL,
            seq INTEGER NOT NULL CHECK (seq > 0),
            payload TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (namespace, task_id, seq),
            FOREIGN KEY (namespace, task_id) REFERENCES tasks (namespace, id) ON DELETE CASCADE
        )
        """,
        """
        CREATE TABLE push_configs (
            namespace TEXT NOT NULL,
            task_id TEXT NOT NULL,
            id TEXT NOT NULL,
            url TEXT NOT NULL,
            token TEXT,
            auth_scheme TEXT,
            credentials TEXT,
            owner TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (namespace, task_id, id),
            FOREIGN KEY (namespace, task_id) REFERENCES tasks (namespace, id) ON DELETE CASCADE
        )
        """,
        """
        CREATE TABLE push_deliveries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            namespace TEXT NOT NULL,
            task_id TEXT NOT NULL,
            config_id TEXT NOT NULL,
            event_seq INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER NOT NULL,
            last_error TEXT,
            failed_at INTEGER,
            created_at INTEGER NOT NULL,
            UNIQUE (namespace, task_id, config_id, event_seq),
            FOREIGN KEY (namespace, task_id, config_id) REFERENCES push_configs (namespace, task_id, id) ON DELETE CASCADE
        )
        """,
        "CREATE INDEX push_deliveries_due ON push_deliveries (next_attempt_at) WHERE failed_at IS NULL",
    ]

    /// Principals, teams, role bindings, API tokens and the audit log, as the server keeps them
    /// (its migration 3 and the token's `max_role` of migration 7), for administration over stdio.
    static let identity = [
        """
        CREATE TABLE principals (
            id TEXT PRIMARY KEY NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('user', 'service')),
            display_name TEXT NOT NULL,
            is_superadmin INTEGER NOT NULL DEFAULT 0,
            disabled INTEGER NOT NULL DEFAULT 0,
            created_at INTEGER NOT NULL
        )
        """,
        """
        CREATE TABLE teams (
            namespace TEXT NOT NULL REFERENCES namespaces (name) ON DELETE CASCADE,
            name TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (namespace, name)
        )
        """,
        """
        CREATE TABLE team_members (
            namespace TEXT NOT NULL,
            team TEXT NOT NULL,
            principal TEXT NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
            PRIMARY KEY (namespace, team, principal),
            FOREIGN KEY (namespace, team) REFERENCES teams (namespace, name) ON DELETE CASCADE
        )
        """,
        """
        CREATE TABLE role_bindings (
            namespace TEXT NOT NULL REFERENCES namespaces (name) ON DELETE CASCADE,
            subject_kind TEXT NOT NULL CHECK (subject_kind IN ('principal', 'team')),
            subject TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('viewer', 'member', 'admin', 'owner')),
            created_at INTEGER NOT NULL,
            PRIMARY KEY (namespace, subject_kind, subject)
        )
        """,
        """
        CREATE TABLE api_tokens (
            id TEXT PRIMARY KEY NOT NULL,
            principal TEXT NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
            namespace TEXT REFERENCES namespaces (name) ON DELETE CASCADE,
            secret_hash BLOB NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            created_at INTEGER NOT NULL,
            expires_at INTEGER,
            revoked_at INTEGER,
            max_role TEXT CHECK (max_role IN ('viewer', 'member', 'admin', 'owner'))
        )
        """,
        "CREATE INDEX api_tokens_by_namespace ON api_tokens (namespace)",
        """
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            namespace TEXT REFERENCES namespaces (name) ON DELETE CASCADE,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            details TEXT NOT NULL,
            at INTEGER NOT NULL
        )
        """,
        "CREATE INDEX audit_log_by_namespace ON audit_log (namespace, id DESC)",
    ]
}
