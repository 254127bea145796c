import EventLog
import PostgresClient
import RedisClient

/// An error a handler throws to say how its failure should be treated.
public enum WorkerError: Error, Sendable, CustomStringConvertible {
    /// This event cannot be processed as it is: counted against `maxDeliveries`, then parked.
    case permanent(String)
    /// A dependency is missing or not ready yet: retried with backoff without being counted.
    case transient(String)
    /// Another service refused this event for good (a webhook's 4xx): parked at once with the
    /// message (`dlq_reason` `rejected`).
    case rejected(String)
    /// A dependency asked to be called again no sooner than `retryAfter` from now
    /// (an HTTP 429 or 503 with `Retry-After`): transient, retried after at least that long.
    case throttled(String, retryAfter: Duration)

    public var description: String {
        switch self {
        case .permanent(let message): return "permanent: \(message)"
        case .transient(let message): return "transient: \(message)"
        case .rejected(let message): return "rejected: \(message)"
        case .throttled(let message, let delay): return "throttled for \(delay.secondsText): \(message)"
        }
    }
}

/// Sorts handler errors into transient (retried while the cause lasts), permanent (counted) and
/// invalid (parked at once).
public enum FailureClassifier {
    /// The kind of a handler failure.
    public static func kind(of error: any Error) -> FailureKind {
        switch error {
        case let error as WorkerError:
            switch error {
            case .permanent: return .permanent
            case .rejected: return .rejected
            case .transient, .throttled: return .transient
            }
        case let error as RedisError:
            return error.isTransient ? .transient : .permanent
        case let error as PostgresError:
            return error.isTransient ? .transient : .permanent
        case let error as EventLogError:
            return error.code == .unavailable ? .transient : .permanent
        case is CancellationError:
            return .transient
        default:
            return .permanent
        }
    }

    /// The least delay before the next attempt that the failure asks for, if any.
    public static func retryAfter(of error: any Error) -> Duration? {
        if case WorkerError.throttled(_, let delay) = error { return max(.zero, delay) }
        return nil
    }
}
