import EventLog
import PostgresClient
import RedisClient

/// An error a handler throws to say how its failure should be treated.
public enum WorkerError: Error, Sendable, CustomStringConvertible {
    /// This event cannot be processed as it is: counted against `maxDeliveries`, then parked.
    case permanent(String)
    /// A dependency is missing or not ready yet: retried with backoff without being counted.
    case transient(String)

    public var description: String {
        switch self {
        case .permanent(let message): return "permanent: \(message)"
        case .transient(let message): return "transient: \(message)"
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
            if case .transient = error { return .transient }
            return .permanent
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
}
