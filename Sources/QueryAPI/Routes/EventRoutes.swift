import BerrysJSON
import Hummingbird
import PostgresClient

/// Event history from the `archive` projection, as CloudEvents JSON.
struct EventRoutes {
    let dependencies: APIDependencies
    var reads: ReadStore { dependencies.reads }

    /// A row of `read.events` as a CloudEvent (plus its `position`), built by PostgreSQL.
    static let cloudEvent = """
        jsonb_strip_nulls(jsonb_build_object(
            'specversion', '1.0', 'id', id, 'source', source, 'type', type, 'dataversion', dataversion::text, 'subject', subject,
            'time', to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'datacontenttype', 'application/json',
            'sequence', sequence::text, 'partitionkey', CASE WHEN partitionkey <> subject THEN partitionkey END,
            'correlationid', correlationid, 'causationid', causationid, 'position', partition || '-' || stream_id))
        || jsonb_build_object('data', data)
        """

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/events") { request, context in
            let query = QueryParameters(request, context)
            let limit = try query.limit(default: 100, maximum: 1000)
            let subject = try query.string("subject"), type = try query.string("type")
            var after: (Int64, Int64, Int)?
            if let cursor = try query.string("after") {
                let parts = try Page.key(from: cursor).split(separator: "-").compactMap { Int64($0) }
                guard parts.count == 3 else { throw APIError.badParameter("after", "is not a cursor this API returned") }
                after = (parts[0], parts[1], Int(parts[2]))
            }
            try await Consistency.wait(for: request, projection: "archive", dependencies: dependencies)
            let rows = try await reads.list("""
                SELECT \(Self.cloudEvent) AS event, stream_ms || '-' || stream_seq || '-' || partition AS key FROM read.events
                WHERE ($1::text IS NULL OR subject = $1) AND ($2::text IS NULL OR type = $2)
                  AND ($3::bigint IS NULL OR (stream_ms, stream_seq, partition) > ($3::bigint, $4::bigint, $5::int))
                ORDER BY stream_ms, stream_seq, partition LIMIT $6
                """, [subject, type, after?.0, after?.1, after?.2, limit + 1])
            // Rows are {event, key}: the page shows the events, the cursor is the last key.
            return JSONResponse.make(try Page.body(rowsJSON: rows, limit: limit, key: { $0["key"]?.stringValue }, item: { $0["event"] }))
        }
        router.get("/v1/events/:id") { request, context in
            let id = try QueryParameters(request, context).path("id")
            try await Consistency.wait(for: request, projection: "archive", dependencies: dependencies)
            guard let event = try await reads.json("SELECT (\(Self.cloudEvent))::text FROM read.events WHERE id = $1 LIMIT 1", [id]) else {
                throw APIError.notFound("event \(id)")
            }
            return JSONResponse.make(event, contentType: "application/cloudevents+json")
        }
        router.get("/v1/subjects/:subject/events") { request, context in
            let subject = try QueryParameters(request, context).path("subject")
            try await Consistency.wait(for: request, projection: "archive", dependencies: dependencies)
            let events = try await reads.json("""
                SELECT coalesce(json_agg(e ORDER BY s), '[]'::json)::text FROM (SELECT \(Self.cloudEvent) AS e, sequence AS s
                FROM read.events WHERE subject = $1) x
                """, [subject]) ?? "[]"
            guard events != "[]" else { throw APIError.notFound("subject \(subject)") }
            return JSONResponse.make(events, contentType: "application/cloudevents-batch+json")
        }
    }
}
