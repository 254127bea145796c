-- The message's own "sent" event shares this one's partition key, so it is already applied.
INSERT INTO agent_inbox (message_id, recipient_id, from_agent_id, topic, content, priority, sent_at, delivered_at)
SELECT ($1->'data'->>'message_id')::uuid, ($1->'data'->>'recipient_id')::uuid, m.from_agent_id,
       COALESCE($1->'data'->>'topic', m.topic), m.content, m.priority, m.sent_at, ($1->>'time')::timestamptz
FROM (SELECT 1) one LEFT JOIN agent_messages m ON m.id = ($1->'data'->>'message_id')::uuid
ON CONFLICT (recipient_id, message_id) DO NOTHING;
