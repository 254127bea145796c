-- Messages (owned by their partition key: the topic, or the direct recipient), each
-- recipient's inbox, and topic subscriptions (owned by the topic).
CREATE TABLE agent_messages (
    id uuid PRIMARY KEY,
    from_agent_id uuid NOT NULL,
    routing_kind text NOT NULL,
    topic text,
    recipient_id uuid,
    content text NOT NULL,
    priority int NOT NULL,
    sent_at timestamptz NOT NULL
);
CREATE TABLE agent_inbox (
    message_id uuid NOT NULL,
    recipient_id uuid NOT NULL,
    from_agent_id uuid,
    topic text,
    content text,
    priority int,
    sent_at timestamptz,
    delivered_at timestamptz NOT NULL,
    PRIMARY KEY (recipient_id, message_id)
);
CREATE TABLE topic_subscriptions (
    topic text NOT NULL,
    agent_id uuid NOT NULL,
    subscribed_at timestamptz NOT NULL,
    PRIMARY KEY (topic, agent_id)
);
