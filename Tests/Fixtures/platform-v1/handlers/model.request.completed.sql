INSERT INTO model_usage AS u (model_id, requests, tokens_in, tokens_out, total_cost, total_latency_ms, max_latency_ms)
VALUES ($1->'data'->>'model_id', 1, ($1->'data'->>'tokens_in')::bigint, ($1->'data'->>'tokens_out')::bigint,
        COALESCE(($1->'data'->>'cost')::numeric, 0), ($1->'data'->>'latency_ms')::numeric, ($1->'data'->>'latency_ms')::numeric)
ON CONFLICT (model_id) DO UPDATE SET
    requests = u.requests + 1, tokens_in = u.tokens_in + EXCLUDED.tokens_in, tokens_out = u.tokens_out + EXCLUDED.tokens_out,
    total_cost = u.total_cost + EXCLUDED.total_cost, total_latency_ms = u.total_latency_ms + EXCLUDED.total_latency_ms,
    max_latency_ms = GREATEST(u.max_latency_ms, EXCLUDED.max_latency_ms);
