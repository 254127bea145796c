/// One stream entry as read: a decoded event, or an entry that is not a valid envelope (for
/// example written by a raw XADD), kept with its position so readers can stop or skip there
/// instead of losing it.
public enum LogEntry: Sendable {
    case event(EventEnvelope)
    case corrupt(position: Position, reason: String)

    /// Where the entry is.
    public var position: Position? {
        switch self {
        case .event(let event): return event.position
        case .corrupt(let position, _): return position
        }
    }
}
