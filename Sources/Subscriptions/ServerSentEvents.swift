import BerrysJSON
import EventLog

/// The text of server-sent event messages (the `text/event-stream` format).
public enum ServerSentEvents {
    /// The `event:` and `data:` lines of an event (CloudEvents JSON with its `position`, on
    /// one line) and the blank line that ends a message.
    public static func body(of event: EventEnvelope, position: Position) -> String {
        var json = event.cloudEvent
        if case .object(var members) = json {
            members["position"] = .string(position.description)
            json = .object(members)
        }
        return "event: \(event.type)\ndata: \(json.serialized)\n\n"
    }

    /// A message: `id:` then `body`.
    public static func message(id: String, body: String) -> String {
        "id: \(id)\n" + body
    }

    /// A message of an id alone: it moves the client's `Last-Event-ID` without an event.
    public static func resumePoint(_ token: ResumeToken) -> String {
        "id: \(token)\n\n"
    }

    /// Tells browsers to reconnect after a second, and opens the stream at once.
    public static let opening = "retry: 1000\n: berrys stream\n\n"

    /// A comment that keeps proxies and clients from timing the connection out.
    public static let keepAlive = ": keep-alive\n\n"

    /// The last message to a subscriber that fell too far behind, before the connection closes.
    public static func overflow(_ token: ResumeToken, capacity: Int) -> String {
        let data: JSON = .object([
            "token": .string(token.description),
            "reason": .string("more than \(capacity) events waited for this client; reconnect with Last-Event-ID (or from=) set to token to resume"),
        ])
        return "id: \(token)\nevent: overflow\ndata: \(data.serialized)\n\n"
    }
}
