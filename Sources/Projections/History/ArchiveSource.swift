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
        let result = try await pool.query("""
            SELECT \(Self.columns) FROM read.events
            WHERE partition = $1 AND (stream_ms, stream_seq) > ($2::bigint, $3::bigint) AND (stream_ms, stream_seq) < ($5::bigint, $6::bigint)
            ORDER BY stream_ms, stream_seq
            LIMIT $4
            """, [partition, Int64(after.milliseconds), Int64(after.sequence), count,
                  Int64(clamping: end.milliseconds), Int64(clamping: end.sequence)])
        return try result.values.map { .event(try Self.envelope($0)) }
    }

    /// A subject's archived events in sequence order, as stored: from sequence `from` through
    /// `through`, and when given only those at or before `atTime` (RFC 3339), at most `limit`.
    public func subjectEvents(subject: String, from: Int, through: Int, atTime: String?, limit: Int) async throws -> [EventEnvelope] {
        let result = try await pool.query("""
            SELECT \(Self.columns) FROM read.events
            WHERE subject = $1 AND sequence >= $2 AND sequence <= $3 AND ($4::timestamptz IS NULL OR time <= $4::timestamptz)
            ORDER BY sequence
            LIMIT $5
            """, [subject, from, through, atTime, limit])
        return try result.values.map(Self.envelope)
    }

    private static let columns = """
        partition, stream_id, id, source, type, dataversion, subject, sequence, partitionkey,
        to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS time, correlationid, causationid, data::text AS data
        """

    /// A row (the columns of `columns`, in order) as the envelope the log held, through the
    /// stream decoder: `data`'s text is kept as stored and parsed once.
    private static func envelope(_ values: [String?]) throws -> EventEnvelope {
        guard values.count == 13, let partition = values[0].flatMap({ Int($0) }), let streamID = values[1].flatMap(StreamID.init),
              let subject = values[6] else {
            throw ProjectionError(.definition, "read.events has an incomplete row")
        }
        var fields: [(String, String)] = [("specversion", EventEnvelope.specVersion), ("subject", subject)]
        fields.reserveCapacity(12)
        for (index, name) in Self.fieldNames where values[index] != nil { fields.append((name, values[index]!)) }
        if let key = values[8], key != subject { fields.append(("partitionkey", key)) }
        do {
            return try EventEnvelope(fields: fields, position: Position(partition: partition, streamID: streamID))
        } catch let error as EventLogError {
            throw ProjectionError(.definition, "read.events has an unreadable row at \(partition)-\(streamID): \(error.message)")
        }
    }

    /// Envelope fields by their place in `columns`.
    private static let fieldNames: [(Int, String)] = [(2, "id"), (3, "source"), (4, "type"), (5, "dataversion"), (7, "sequence"),
                                                        (9, "time"), (10, "correlationid"), (11, "causationid"), (12, "data")]
}
