CREATE TABLE events (
    partition int NOT NULL,
    stream_id text NOT NULL,
    id text NOT NULL,
    type text NOT NULL,
    dataversion int NOT NULL,
    subject text NOT NULL,
    sequence bigint,
    partitionkey text NOT NULL,
    time timestamptz NOT NULL,
    source text NOT NULL,
    correlationid text,
    causationid text,
    data jsonb NOT NULL,
    -- The stream id's two numbers, so history reads back in log order (replay --from-archive).
    -- Written by the handler: a generated column costs a parse of its expression per INSERT.
    stream_ms bigint NOT NULL,
    stream_seq bigint NOT NULL,
    PRIMARY KEY (partition, stream_id)
);
CREATE INDEX events_log_order ON events (partition, stream_ms, stream_seq);
CREATE INDEX events_subject_sequence ON events (subject, sequence);
CREATE INDEX events_type ON events (type);
CREATE INDEX events_time ON events (time);
