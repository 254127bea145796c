-- Every event, as stored: "stored" holds the schema version and payload before upcasting
-- (present only when the event was upcast). A batch handler: $1 is the batch's events, in
-- log order, and one INSERT stores them all.
INSERT INTO events (partition, stream_id, id, type, dataversion, subject, sequence, partitionkey, time, source,
                    correlationid, causationid, data, stream_ms, stream_seq)
SELECT (e->'position'->>'partition')::int, e->'position'->>'stream_id', e->>'id', e->>'type',
       COALESCE((e->'stored'->>'dataversion')::int, (e->>'dataversion')::int), e->>'subject', (e->>'sequence')::bigint,
       e->>'partitionkey', (e->>'time')::timestamptz, e->>'source', e->>'correlationid', e->>'causationid',
       COALESCE(e->'stored'->'data', e->'data'),
       split_part(e->'position'->>'stream_id', '-', 1)::bigint, split_part(e->'position'->>'stream_id', '-', 2)::bigint
FROM jsonb_array_elements($1) AS e
ON CONFLICT (partition, stream_id) DO NOTHING;
