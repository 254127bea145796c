INSERT INTO models (id, provider, capabilities, context_window, cost_per_1k_tokens, registered_at)
VALUES ($1->'data'->>'model_id', $1->'data'->>'provider', ARRAY(SELECT jsonb_array_elements_text($1->'data'->'capabilities')),
        ($1->'data'->>'context_window')::int, ($1->'data'->>'cost_per_1k_tokens')::numeric, ($1->>'time')::timestamptz)
ON CONFLICT (id) DO UPDATE SET provider = EXCLUDED.provider, capabilities = EXCLUDED.capabilities,
    context_window = EXCLUDED.context_window, cost_per_1k_tokens = EXCLUDED.cost_per_1k_tokens;
