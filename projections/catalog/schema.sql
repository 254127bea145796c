-- Models and their usage (owned by model_id).
CREATE TABLE models (
    id text PRIMARY KEY,
    provider text NOT NULL,
    capabilities text[] NOT NULL DEFAULT '{}',
    context_window int,
    cost_per_1k_tokens numeric,
    registered_at timestamptz NOT NULL
);
CREATE TABLE model_usage (
    model_id text PRIMARY KEY,
    requests bigint NOT NULL DEFAULT 0,
    failures bigint NOT NULL DEFAULT 0,
    tokens_in bigint NOT NULL DEFAULT 0,
    tokens_out bigint NOT NULL DEFAULT 0,
    total_cost numeric NOT NULL DEFAULT 0,
    total_latency_ms numeric NOT NULL DEFAULT 0,
    max_latency_ms numeric NOT NULL DEFAULT 0,
    average_latency_ms numeric GENERATED ALWAYS AS (CASE WHEN requests > 0 THEN total_latency_ms / requests END) STORED
);

-- Tools, which agents may use them, and how their runs went (owned by tool_id).
CREATE TABLE tools (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    category text,
    version text,
    capabilities text[] NOT NULL DEFAULT '{}',
    registered_at timestamptz NOT NULL
);
CREATE TABLE agent_tools (
    tool_id uuid NOT NULL,
    agent_id uuid NOT NULL,
    permissions text[] NOT NULL DEFAULT '{}',
    integrated_at timestamptz,
    executions bigint NOT NULL DEFAULT 0,
    failures bigint NOT NULL DEFAULT 0,
    total_duration_ms numeric NOT NULL DEFAULT 0,
    PRIMARY KEY (agent_id, tool_id)
);
