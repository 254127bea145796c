import BerrysJSON
import HTTPTypes
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
        let archive = router.group().add(middleware: ConsistencyMiddleware(projection: "archive", dependencies: dependencies))
        archive.get("/v1/events") { request, context in
            let query = QueryParameters(request, context)
            let limit = try query.limit(default: 100, maximum: 1000)
            var filters = SQLFilters()
            filters.add(try query.string("subject")) { "subject = \($0)" }
            filters.add(try query.string("type")) { "type = \($0)" }
            if let cursor = try query.string("after") {
                let parts = try Page.key(from: cursor).split(separator: "-").compactMap { Int64($0) }
                guard parts.count == 3 else { throw APIError.badParameter("after", "is not a cursor this API returned") }
                filters.add("(stream_ms, stream_seq, partition) > (\(filters.bind(parts[0]))::bigint, \(filters.bind(parts[1]))::bigint, "
                    + "\(filters.bind(Int(parts[2])))::int)")
            }
            let fetched = filters.bind(limit + 1)
            // The page shows the events; the cursor holds the last one's place in the log.
            return JSONResponse.make(try await reads.page("""
                SELECT \(Self.cloudEvent) AS event, stream_ms || '-' || stream_seq || '-' || partition AS key FROM read.events
                WHERE \(filters.sql) ORDER BY stream_ms, stream_seq, partition LIMIT \(fetched)
                """, filters.parameters, limit: limit, item: "r.event", key: "r.key"))
        }
        archive.get("/v1/events/:id") { request, context in
            let id = try QueryParameters(request, context).path("id")
            guard let event = try await reads.json("SELECT (\(Self.cloudEvent))::text FROM read.events WHERE id = $1 LIMIT 1", [id]) else {
                throw APIError.notFound("event \(id)")
            }
            return JSONResponse.make(event, contentType: "application/cloudevents+json")
        }
        archive.get("/v1/subjects/:subject/events") { request, context in try await subjectHistory(request, context) }
    }

    /// A subject's events in sequence order, up to its current sequence in Redis once the
    /// archive has reached it (so a publish acknowledged before the request is always in it);
    /// `from_sequence`, `at_sequence` and `at_time` cut it, `limit` pages it
    /// (`Berrys-Next-From-Sequence` names the next page's start).
    private func subjectHistory(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let query = QueryParameters(request, context)
        let subject = try query.path("subject")
        let partitionKey = try query.string("partitionkey")
        let from = try query.integer("from_sequence", in: 1...Int.max) ?? 1
        let atSequence = try query.integer("at_sequence", in: 1...Int.max)
        let atTime = try query.timestamp("at_time")
        let limit = try query.limit(default: 1000, maximum: 10_000)
        let log = dependencies.log
        guard let head = try await log.subjectHead(subject: subject, partitionKey: partitionKey) else {
            throw APIError.notFound("subject \(subject)" + (partitionKey == nil ? " (give partitionkey when its events carry one)" : ""))
        }
        guard try await Consistency.wait(projection: "archive", reached: head.position, dependencies: dependencies) else {
            throw try await Consistency.timedOut(projection: "archive", what: "\(subject)'s latest event (sequence \(head.sequence), position \(head.position))",
                                                 dependencies: dependencies)
        }
        let through = min(head.sequence, atSequence ?? head.sequence)
        let rows = try await reads.json("""
            SELECT coalesce(json_agg(e ORDER BY s), '[]'::json)::text FROM (SELECT \(Self.cloudEvent) AS e, sequence AS s
            FROM read.events WHERE subject = $1 AND sequence >= $2 AND sequence <= $3 AND ($4::timestamptz IS NULL OR time <= $4::timestamptz)
            ORDER BY sequence LIMIT $5) x
            """, [subject, from, through, atTime, limit]) ?? "[]"
        var response = JSONResponse.make(rows, contentType: "application/cloudevents-batch+json")
        response.headers[HTTPField.Name("Berrys-Subject-Sequence")!] = String(head.sequence)
        if let shown = try JSON(parsing: rows).arrayValue, shown.count == limit,
           let last = shown.last?["sequence"]?.stringValue.flatMap({ Int($0) }), last < through {
            response.headers[HTTPField.Name("Berrys-Next-From-Sequence")!] = String(last + 1)
        }
        return response
    }
}
