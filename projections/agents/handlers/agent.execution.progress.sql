-- Only the agent's last activity: the event itself belongs to another read model.
SELECT touch_agent(($1->'data'->>'agent_id')::uuid, ($1->>'time')::timestamptz);
