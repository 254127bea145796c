/// Why a projection could not be loaded, registered or applied.
public struct ProjectionError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// A file under `projections/` is missing or malformed.
        case definition = "PROJECTION_BAD_DEFINITION"
        /// The SQL changed but `version` did not.
        case changedWithoutVersionBump = "PROJECTION_CHANGED_WITHOUT_VERSION_BUMP"
        /// A handler failed on an event; the projection is faulted.
        case faulted = "PROJECTION_FAULTED"
        /// No such projection.
        case unknown = "PROJECTION_UNKNOWN"
        /// Someone else holds the projection (another replay or projector).
        case busy = "PROJECTION_BUSY"
        /// Redis was trimmed below where the archive reaches: the events in between are in neither tier.
        case archiveIncomplete = "PROJECTION_ARCHIVE_INCOMPLETE"
        /// A projection did not reach a position in time (a consistent read waited for it).
        case notReached = "PROJECTION_NOT_REACHED"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
