import Foundation

/// What the append function did with one event.
public struct AppendResult: Sendable, Hashable {
    /// The event's id.
    public var id: String
    /// Where it is (for a duplicate: where the original is).
    public var position: Position
    /// The subject's sequence after it.
    public var sequence: Int
    /// True when the id was already in the log and nothing was written.
    public var duplicate: Bool
    /// Set when the event is held until then (`EventDraft.deliverAt`); its position and
    /// sequence come when it is appended.
    public var scheduledFor: Date?

    public init(id: String, position: Position, sequence: Int, duplicate: Bool, scheduledFor: Date? = nil) {
        self.id = id
        self.position = position
        self.sequence = sequence
        self.duplicate = duplicate
        self.scheduledFor = scheduledFor
    }
}

/// The optimistic-concurrency condition of an append.
public enum ExpectedSequence: Sendable, Hashable, CustomStringConvertible {
    /// No condition.
    case any
    /// The subject must have no events yet.
    case none
    /// The subject's current sequence must be exactly this.
    case exactly(Int)

    /// The CloudEvents extension attribute that carries an event's own condition on the publish
    /// paths (HTTP, NDJSON files); read there, never stored with the event.
    public static let attribute = "expectedsequence"

    /// Parses `any`, `none` or a non-negative number.
    public init?(_ text: String) {
        switch text {
        case "any": self = .any
        case "none": self = .none
        default:
            guard let number = Int(text), number >= 0 else { return nil }
            self = .exactly(number)
        }
    }

    /// The argument `berrys_append` takes.
    public var description: String {
        switch self {
        case .any: return "any"
        case .none: return "none"
        case .exactly(let number): return String(number)
        }
    }
}
