INSERT INTO agent_tools AS t (tool_id, agent_id, permissions, integrated_at)
VALUES (($1->'data'->>'tool_id')::uuid, ($1->'data'->>'agent_id')::uuid,
        ARRAY(SELECT jsonb_array_elements_text(COALESCE($1->'data'->'permissions', '[]'))), ($1->>'time')::timestamptz)
ON CONFLICT (agent_id, tool_id) DO UPDATE SET permissions = EXCLUDED.permissions, integrated_at = EXCLUDED.integrated_at;
