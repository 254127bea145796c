-- Every event, as stored: "stored" holds the schema version and payload before upcasting
-- (present only when the event was upcast).
INSERT INTO events (partition, stream_id, id, type, dataversion, subject, sequence, partitionkey, time, source,
                    correlationid, causationid, data, stream_ms, stream_seq)
VALUES (($1->'position'->>'partition')::int, $1->'position'->>'stream_id', $1->>'id', $1->>'type',
        COALESCE(($1->'stored'->>'dataversion')::int, ($1->>'dataversion')::int), $1->>'subject', ($1->>'sequence')::bigint,
        $1->>'partitionkey', ($1->>'time')::timestamptz, $1->>'source', $1->>'correlationid', $1->>'causationid',
        COALESCE($1->'stored'->'data', $1->'data'),
        split_part($1->'position'->>'stream_id', '-', 1)::bigint, split_part($1->'position'->>'stream_id', '-', 2)::bigint)
ON CONFLICT (partition, stream_id) DO NOTHING;
