DELETE FROM topic_subscriptions WHERE topic = $1->'data'->>'topic' AND agent_id = ($1->'data'->>'agent_id')::uuid;
