INSERT INTO topic_subscriptions (topic, agent_id, subscribed_at)
VALUES ($1->'data'->>'topic', ($1->'data'->>'agent_id')::uuid, ($1->>'time')::timestamptz)
ON CONFLICT (topic, agent_id) DO NOTHING;
