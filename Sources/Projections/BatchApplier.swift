import EventLog
import PostgresClient

/// Applies a batch of one partition's events to one projection version in one transaction:
/// the handlers' statements (pipelined), then the checkpoint and a notification — so an event
/// is applied exactly once however often it is delivered.
struct BatchApplier: Sendable {
    let definition: ProjectionDefinition
    let registry: SchemaRegistry

    /// The NOTIFY channel of a projection; the payload is the position it reached.
    static func channel(_ name: String) -> String { "berrys_projection_\(name)" }

    /// - Parameter events: events as stored (not upcast); each is upcast for the handlers.
    /// - Throws: `HandlerFailure` naming the event whose handler failed (nothing is committed).
    func apply(_ events: [EventEnvelope], partition: Int, on connection: PostgresConnection) async throws {
        guard let last = events.last?.position else { return }
        var statements: [PostgresStatement] = []
        var owners: [Int] = []
        for (index, event) in events.enumerated() {
            guard let handler = definition.statements(for: event.type) else { continue }
            let json = try ProjectionEvent.json(event, registry: registry)
            for sql in handler {
                statements.append(PostgresStatement(sql, [json], types: [PostgresType.jsonb]))
                owners.append(index)
            }
        }
        let definition = definition
        let batch = statements
        let owner = owners
        do {
            try await connection.withTransaction { conn in
                try conn.execute("SET LOCAL search_path TO \(try conn.quotedIdentifier(definition.schemaName)), public")
                if !batch.isEmpty { _ = try conn.pipeline(batch) }
                try conn.query("""
                    UPDATE berrys.checkpoints SET stream_id = $4, updated_at = now()
                    WHERE projection = $1 AND version = $2 AND partition = $3
                    """, [definition.name, definition.version, partition, last.streamID.description])
                try conn.notify(Self.channel(definition.name), payload: last.description)
            }
        } catch let error as PostgresError where error.code == .server && error.statementIndex != nil {
            let event = events[owner[error.statementIndex!]]
            throw HandlerFailure(event: event, message: error.message)
        }
    }
}

/// A handler statement failed on an event.
struct HandlerFailure: Error {
    let event: EventEnvelope
    let message: String
}
