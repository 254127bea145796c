import BerrysDomain
import EventLog
import PostgresClient
import Workers

/// Topic subscriptions as a history of (un)subscribe events with their log positions, in
/// `worker_state.topic_subscriptions`, so the subscribers of a topic can be asked for as of any
/// point of its partition, whatever has been processed since (redeliveries give the same answer).
struct TopicSubscriptions: Sendable {
    let postgres: PostgresPool

    func createTables() async throws {
        try await WorkerState.create(on: postgres, """
            CREATE TABLE IF NOT EXISTS worker_state.topic_subscriptions (
                topic text NOT NULL, agent_id text NOT NULL, stream_ms bigint NOT NULL, stream_seq bigint NOT NULL,
                subscribed boolean NOT NULL, PRIMARY KEY (topic, agent_id, stream_ms, stream_seq))
            """)
    }

    /// Records `agent.topic.subscribed` / `unsubscribed`. - Returns: false for other types.
    func record(_ event: EventEnvelope) async throws -> Bool {
        let subscribed: Bool
        switch event.type {
        case AgentTopicSubscribed.eventType: subscribed = true
        case AgentTopicUnsubscribed.eventType: subscribed = false
        default: return false
        }
        guard let position = event.position, let topic = event.data["topic"]?.stringValue,
              let agent = event.data["agent_id"]?.stringValue else {
            throw WorkerError.permanent("\(event.type) without topic, agent_id or position")
        }
        try await postgres.query("""
            INSERT INTO worker_state.topic_subscriptions (topic, agent_id, stream_ms, stream_seq, subscribed)
            VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING
            """, [topic, agent, Int64(position.streamID.milliseconds), Int64(position.streamID.sequence), subscribed])
        return true
    }

    /// The agents subscribed to `topic` just before `position`, sorted.
    func subscribers(of topic: String, before position: Position) async throws -> [String] {
        let result = try await postgres.query("""
            SELECT agent_id FROM (
                SELECT DISTINCT ON (agent_id) agent_id, subscribed FROM worker_state.topic_subscriptions
                WHERE topic = $1 AND (stream_ms, stream_seq) < ($2::bigint, $3::bigint)
                ORDER BY agent_id, stream_ms DESC, stream_seq DESC) latest
            WHERE subscribed ORDER BY agent_id
            """, [topic, Int64(position.streamID.milliseconds), Int64(position.streamID.sequence)])
        return result.values.compactMap { $0.first ?? nil }
    }
}
