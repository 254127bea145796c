import BerrysFoundation
import EventLog
import PostgresClient

/// Applies a batch of one partition's events to one projection version in one transaction:
/// the checkpoint moves from `from` to the batch's last position (only if it still is at
/// `from`), the handlers' statements run (pipelined), and a notification goes out — so an
/// event is applied exactly once however often it is delivered, even with two projectors.
struct BatchApplier: Sendable {
    let definition: ProjectionDefinition
    let registry: SchemaRegistry
    /// The clock a conflict's retries wait on.
    let clock: BerrysClock
    /// Events an operator skipped explicitly (`berrys projections skip`).
    var skipped: Set<Position> = []
    /// The live projector's name in the partition leases: each batch commits only while this
    /// process holds the partition's lease. Nil for rebuilds (one replay at a time).
    var leaseHolder: String?

    /// The NOTIFY channel of a projection; the payload is the position it reached.
    static func channel(_ name: String) -> String { "berrys_projection_\(name)" }

    /// - Parameter events: events as stored (not upcast); each is upcast for the handlers.
    /// - Throws: `HandlerFailure` naming the event whose handler failed (nothing is committed).
    /// - Parameter through: where the checkpoint goes (the last entry taken, which may be a
    ///   skipped corrupt entry after the last event).
    /// - Throws: `CheckpointMoved` when another projector applied this range first;
    ///   `LeaseLost` when `leaseHolder` no longer holds the partition's lease.
    func apply(_ events: [EventEnvelope], partition: Int, from previous: StreamID, through: StreamID,
               on connection: PostgresConnection) async throws {
        let last = Position(partition: partition, streamID: through)
        var statements: [PostgresStatement] = []
        var owners: [Int] = []
        // The handled events: where each is in `events`, its JSON, and what the schedule needs.
        var handled: [(event: Int, json: String)] = []
        var scheduled: [HandlerSchedule.Event] = []
        for (index, event) in events.enumerated() {
            guard let key = definition.handlerKey(for: event.type) else { continue }
            if let position = event.position, skipped.contains(position) { continue }
            handled.append((index, try ProjectionEvent.json(event, registry: registry)))
            scheduled.append(HandlerSchedule.Event(key: key, partitionKey: event.effectivePartitionKey,
                                                   isBatch: definition.batchHandlers.contains(key)))
        }
        for step in HandlerSchedule.plan(scheduled) {
            switch step {
            case .single(let key, let event):
                for (number, sql) in (definition.handlers[key] ?? []).enumerated() {
                    statements.append(PostgresStatement(sql, [handled[event].json], types: [PostgresType.jsonb],
                                                        preparedName: statementName(key, number)))
                    owners.append(handled[event].event)
                }
            case .batch(let key, let group):
                // A batch handler's `$1`: the events as a jsonb array, in log order.
                let array = "[" + group.map { handled[$0].json }.joined(separator: ",") + "]"
                for (number, sql) in (definition.handlers[key] ?? []).enumerated() {
                    statements.append(PostgresStatement(sql, [array], types: [PostgresType.jsonb],
                                                        preparedName: statementName(key + ".batch", number)))
                    owners.append(handled[group[0]].event)
                }
            }
        }
        let definition = definition
        let batch = statements
        let holder = leaseHolder
        // Partitions that update the same rows (commutative counters) can deadlock; the batch
        // rolled back whole, so it is simply applied again.
        let retry = RetryLoop(backoff: .transactionConflict, budget: .attempts(31), clock: clock)
        do {
            try await retry.run(isRetryable: { ($0 as? PostgresError)?.isTransient == true }) {
                try await connection.withTransaction { conn in
                    if let holder {
                        // FOR KEY SHARE: a takeover (holder is a key column) waits for this commit,
                        // a renewal does not (a renewal that waited for long batches let the leases
                        // expire: 10 ms handlers on one contended row, measured).
                        let held = try conn.query("""
                            SELECT 1 FROM berrys.projection_leases WHERE projection = $1 AND version = $2 AND partition = $3
                            AND holder = $4 AND expires_at > now() FOR KEY SHARE
                            """, [definition.name, definition.version, partition, holder])
                        guard held.values.count == 1 else { throw LeaseLost() }
                    }
                    // Moving the checkpoint first locks its row: a second projector waits here, then finds it moved.
                    let moved = try conn.query("""
                        UPDATE berrys.checkpoints SET stream_id = $5, updated_at = now()
                        WHERE projection = $1 AND version = $2 AND partition = $3 AND stream_id = $4
                        """, [definition.name, definition.version, partition, previous.description, last.streamID.description])
                    guard moved.affectedRows == 1 else { throw CheckpointMoved() }
                    try conn.execute("SET LOCAL search_path TO \(try conn.quotedIdentifier(definition.schemaName)), public")
                    if !batch.isEmpty { _ = try conn.pipeline(batch) }
                    try conn.notify(Self.channel(definition.name), payload: last.description)
                }
            }
        } catch let error as PostgresError where error.code == .server && !error.isTransient && error.statementIndex != nil {
            throw HandlerFailure(event: events[owners[error.statementIndex!]], message: error.message)
        }
    }
}

extension BatchApplier {
    /// A prepared-statement name unique to this projection version's handler statement (a
    /// digest: PostgreSQL cuts names at 63 bytes).
    func statementName(_ type: String, _ number: Int) -> String {
        "berrys_" + Checksum.fnv1a64([definition.name, String(definition.version), definition.checksum, type, String(number)])
    }
}

/// The checkpoint was not where this projector left it: someone else applied the range.
struct CheckpointMoved: Error {}

/// This process no longer holds the partition's lease (it expired, another took it over).
struct LeaseLost: Error {}

/// A handler statement failed on an event.
struct HandlerFailure: Error {
    let event: EventEnvelope
    let message: String
}
