import PostgresClient

/// The platform schema `berrys`, as versioned migrations.
///
/// `berrys migrate` applies the missing ones in one transaction under an advisory lock, so it
/// is safe to run concurrently and repeatedly. Downgrades are not provided: a migration only
/// adds, and `DROP SCHEMA berrys CASCADE` (plus the `proj_*` schemas and `read`) resets a
/// database completely, after which the read models are rebuilt from the log.
public enum Migrations {
    /// (version, name, SQL), in order; never edit a released one, add a new one.
    public static let all: [(version: Int, name: String, sql: String)] = [
        (1, "projection catalog and checkpoints", """
        CREATE SCHEMA IF NOT EXISTS read;
        CREATE TABLE berrys.projections (
            name text NOT NULL,
            version int NOT NULL,
            checksum text NOT NULL,
            state text NOT NULL CHECK (state IN ('building', 'live', 'retired', 'faulted')),
            schema_name text NOT NULL,
            started_at timestamptz NOT NULL DEFAULT now(),
            finished_at timestamptz,
            error text,
            faulted_event_id text,
            faulted_position text,
            definition jsonb NOT NULL,
            PRIMARY KEY (name, version)
        );
        CREATE TABLE berrys.checkpoints (
            projection text NOT NULL,
            version int NOT NULL,
            partition int NOT NULL,
            stream_id text NOT NULL DEFAULT '0-0',
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (projection, version, partition),
            FOREIGN KEY (projection, version) REFERENCES berrys.projections (name, version) ON DELETE CASCADE
        );
        CREATE TABLE berrys.skipped_events (
            projection text NOT NULL,
            version int NOT NULL,
            position text NOT NULL,
            skipped_by text NOT NULL,
            skipped_at timestamptz NOT NULL DEFAULT now(),
            reason text,
            PRIMARY KEY (projection, version, position),
            FOREIGN KEY (projection, version) REFERENCES berrys.projections (name, version) ON DELETE CASCADE
        );
        """),
        (2, "read-only role for the query API", """
        DO $$ BEGIN
            CREATE ROLE berrys_reader NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END $$;
        GRANT USAGE ON SCHEMA read TO berrys_reader;
        GRANT SELECT ON ALL TABLES IN SCHEMA read TO berrys_reader;
        ALTER DEFAULT PRIVILEGES IN SCHEMA read GRANT SELECT ON TABLES TO berrys_reader;
        DO $$ BEGIN
            EXECUTE format('GRANT berrys_reader TO %I', current_user);
        EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'berrys_reader not granted to %: %', current_user, SQLERRM;
        END $$;
        """),
        (3, "projection partition leases and projector members", """
        CREATE TABLE berrys.projection_leases (
            projection text NOT NULL,
            version int NOT NULL,
            partition int NOT NULL,
            holder text NOT NULL,
            expires_at timestamptz NOT NULL,
            PRIMARY KEY (projection, version, partition),
            -- Makes holder a key column for row locks: a takeover (holder changes) takes FOR
            -- UPDATE and waits for a batch fenced FOR KEY SHARE; a renewal (expires_at only)
            -- takes FOR NO KEY UPDATE and does not.
            UNIQUE (projection, version, partition, holder),
            FOREIGN KEY (projection, version) REFERENCES berrys.projections (name, version) ON DELETE CASCADE
        );
        CREATE TABLE berrys.projector_members (
            member text PRIMARY KEY,
            expires_at timestamptz NOT NULL
        );
        """),
        (4, "data owners' keys for erasure, in a schema of their own", """
        CREATE SCHEMA IF NOT EXISTS berrys_keys;
        CREATE TABLE berrys_keys.data_keys (
            key_id text PRIMARY KEY,
            owner text NOT NULL,
            -- The data key wrapped with the master key (base64); NULL once the owner is erased.
            wrapped text,
            created_at timestamptz NOT NULL DEFAULT now(),
            erased_at timestamptz,
            CHECK ((wrapped IS NULL) = (erased_at IS NOT NULL))
        );
        CREATE UNIQUE INDEX data_keys_live_owner ON berrys_keys.data_keys (owner) WHERE erased_at IS NULL;
        """),
    ]

    /// Applies the missing migrations; returns the versions it applied.
    public static func run(on connection: PostgresConnection) async throws -> [Int] {
        try await connection.withTransaction { conn in
            try conn.query("SELECT pg_advisory_xact_lock(hashtext('berrys.migrate'))")
            try conn.execute("""
                CREATE SCHEMA IF NOT EXISTS berrys;
                CREATE TABLE IF NOT EXISTS berrys.schema_migrations (
                    version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                """)
            let applied = Set(try conn.query("SELECT version FROM berrys.schema_migrations").values.compactMap { $0[0].flatMap { Int($0) } })
            var done: [Int] = []
            for migration in Migrations.all where !applied.contains(migration.version) {
                try conn.execute(migration.sql)
                try conn.query("INSERT INTO berrys.schema_migrations (version, name) VALUES ($1, $2)", [migration.version, migration.name])
                done.append(migration.version)
            }
            return done
        }
    }
}
