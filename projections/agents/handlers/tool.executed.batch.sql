-- Only the agents' last activity: the events belong to other read models. One call per agent
-- with its latest time among these events (touch_agent keeps the maximum, so order does not
-- matter), in agent order so that partitions touching the same agents lock them alike.
SELECT touch_agent(latest.agent, latest.at) FROM (
    SELECT (e->'data'->>'agent_id')::uuid AS agent, max((e->>'time')::timestamptz) AS at
    FROM jsonb_array_elements($1) AS e
    GROUP BY 1
    ORDER BY 1
) latest;
