import BerrysJSON
import EventLog
import PostgresClient

/// The `archive` projection's `read.events`, in log order: the tier below Redis's trimmed
/// point (`TieredSource`), and the whole source of `berrys replay NAME --from-archive`.
public struct ArchiveSource: EventSource {
    let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    public func entries(partition: Int, after: StreamID, count: Int) async throws -> [LogEntry] {
        try await entries(partition: partition, after: after, before: nil, count: count)
    }

    /// Up to `count` archived entries of `partition` after `after` and, when given, below `before`.
    public func entries(partition: Int, after: StreamID, before: StreamID?, count: Int) async throws -> [LogEntry] {
        let end = before ?? StreamID(milliseconds: UInt64(Int64.max), sequence: UInt64(Int64.max))
        let rows = try await pool.query("""
            SELECT \(Self.columns) FROM read.events
            WHERE partition = $1 AND (stream_ms, stream_seq) > ($2::bigint, $3::bigint) AND (stream_ms, stream_seq) < ($5::bigint, $6::bigint)
            ORDER BY stream_ms, stream_seq
            LIMIT $4
            """, [partition, Int64(after.milliseconds), Int64(after.sequence), count,
                  Int64(clamping: end.milliseconds), Int64(clamping: end.sequence)]).rows
        return try rows.map { .event(try Self.envelope($0)) }
    }

    /// A subject's archived events in sequence order, as stored: from sequence `from` through
    /// `through`, and when given only those at or before `atTime` (RFC 3339), at most `limit`.
    public func subjectEvents(subject: String, from: Int, through: Int, atTime: String?, limit: Int) async throws -> [EventEnvelope] {
        let rows = try await pool.query("""
            SELECT \(Self.columns) FROM read.events
            WHERE subject = $1 AND sequence >= $2 AND sequence <= $3 AND ($4::timestamptz IS NULL OR time <= $4::timestamptz)
            ORDER BY sequence
            LIMIT $5
            """, [subject, from, through, atTime, limit]).rows
        return try rows.map(Self.envelope)
    }

    private static let columns = """
        partition, stream_id, id, source, type, dataversion, subject, sequence, partitionkey,
        to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS time, correlationid, causationid, data::text AS data
        """

    private static func envelope(_ row: PostgresRow) throws -> EventEnvelope {
        guard let partition = try row.int("partition"), let streamID = try row.text("stream_id").flatMap(StreamID.init), let id = try row.text("id"),
              let type = try row.text("type"), let subject = try row.text("subject"),
              let version = try row.int("dataversion"), let data = try row.text("data") else {
            throw ProjectionError(.definition, "read.events has an incomplete row")
        }
        let key = try row.text("partitionkey")
        return EventEnvelope(id: id, source: try row.text("source") ?? "", type: type, dataVersion: version, subject: subject,
                             time: try row.text("time") ?? "", data: try JSON(parsing: data), sequence: try row.int("sequence"),
                             partitionKey: key == subject ? nil : key, correlationID: try row.text("correlationid"),
                             causationID: try row.text("causationid"), position: Position(partition: partition, streamID: streamID))
    }
}
