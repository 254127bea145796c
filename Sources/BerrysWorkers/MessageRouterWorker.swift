import BerrysDomain
import BerrysJSON
import EventLog
import Workers

/// The platform's message routing: on `agent.message.sent`, one `agent.message.delivered` per
/// recipient chosen by the message's routing strategy (`routing.kind`). It also follows topic
/// subscriptions, which share their topic's partition key with topic messages, so "subscribed
/// at that point of the log" is well defined.
public struct MessageRouterWorker: Worker {
    public let name = "message-router"
    public let emittedTypes: Set<String> = [AgentMessageDelivered.eventType]
    public let handledTypes: Set<String> = [AgentMessageSent.eventType, AgentTopicSubscribed.eventType, AgentTopicUnsubscribed.eventType]

    /// The worker; it keeps no state in the process.
    public init() {}

    public func prepare(_ context: WorkerContext) async throws {
        try await TopicSubscriptions(postgres: try context.database()).createTables()
    }

    public func handle(_ event: EventEnvelope, context: WorkerContext) async throws -> [EventDraft] {
        let subscriptions = TopicSubscriptions(postgres: try context.database())
        if try await subscriptions.record(event) { return [] }
        let message = try AgentMessageSent(json: event.data)
        let strategy: any RoutingStrategy
        switch message.routing {
        case .direct: strategy = DirectRouting()
        case .topic: strategy = TopicRouting(subscriptions: subscriptions)
        }
        let recipients = try await strategy.recipients(of: message, at: event.position)
        return try recipients.map { recipient in
            try AgentMessageDelivered(messageID: message.messageID, recipientID: recipient, topic: message.routing.topic).draft()
        }
    }
}

/// Chooses the recipients of a message.
public protocol RoutingStrategy: Sendable {
    /// The recipients' agent ids, in a stable order.
    /// - Parameter position: where the message is in the log (subscriptions as of that point).
    func recipients(of message: AgentMessageSent, at position: Position?) async throws -> [String]
}

/// `routing.kind = direct`: the one named recipient.
public struct DirectRouting: RoutingStrategy {
    /// The direct strategy.
    public init() {}

    public func recipients(of message: AgentMessageSent, at position: Position?) async throws -> [String] {
        guard case .direct(let recipient) = message.routing else { return [] }
        return [recipient]
    }
}

/// `routing.kind = topic`: every agent subscribed to the topic at the message's point in the
/// log, except the sender.
struct TopicRouting: RoutingStrategy {
    let subscriptions: TopicSubscriptions

    func recipients(of message: AgentMessageSent, at position: Position?) async throws -> [String] {
        guard case .topic(let topic) = message.routing else { return [] }
        guard let position else { throw WorkerError.permanent("a topic message needs its log position") }
        return try await subscriptions.subscribers(of: topic, before: position).filter { $0 != message.fromAgentID }
    }
}

extension MessageRouting {
    /// The topic of a topic message.
    var topic: String? {
        if case .topic(let topic) = self { return topic }
        return nil
    }
}
