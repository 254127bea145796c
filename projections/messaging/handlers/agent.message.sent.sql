INSERT INTO agent_messages (id, from_agent_id, routing_kind, topic, recipient_id, content, priority, sent_at)
VALUES (($1->'data'->>'message_id')::uuid, ($1->'data'->>'from_agent_id')::uuid, $1->'data'->'routing'->>'kind',
        $1->'data'->'routing'->>'topic', ($1->'data'->'routing'->>'recipient_id')::uuid, $1->'data'->>'content',
        ($1->'data'->>'priority')::int, ($1->>'time')::timestamptz)
ON CONFLICT (id) DO NOTHING;
