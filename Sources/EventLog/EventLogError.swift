import JSONSchema

/// Why an event was refused or the log could not be used; each has a code scripts can match.
public struct EventLogError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// A CloudEvents attribute is missing or malformed (`field` names it).
        case invalidEnvelope = "BERRYS_INVALID"
        /// The payload does not match its schema (`details` lists JSON Pointers and rules).
        case schemaViolation = "BERRYS_SCHEMA_VIOLATION"
        /// No schema exists for this event type.
        case unknownType = "BERRYS_UNKNOWN_TYPE"
        /// The event type has no schema of this version.
        case unknownVersion = "BERRYS_UNKNOWN_VERSION"
        /// The payload is over the configured size limit.
        case payloadTooLarge = "BERRYS_PAYLOAD_TOO_LARGE"
        /// The expected sequence did not match the subject's actual sequence.
        case conflict = "BERRYS_CONFLICT"
        /// Redis could not be reached within the retry time.
        case unavailable = "BERRYS_UNAVAILABLE"
        /// With `BERRYS_DURABILITY=replicated`: the primary has the event but no replica
        /// confirmed it in time; it may or may not survive a failover (a retry is safe).
        case notReplicated = "BERRYS_NOT_REPLICATED"
        /// The schemas folder or an upcaster is wrong; the registry refuses to start.
        case registry = "BERRYS_REGISTRY"
        /// A stored entry could not be decoded.
        case corruptEntry = "BERRYS_CORRUPT_ENTRY"
        /// Redis alone was asked for entries the retention trimmed (they are in the archive:
        /// read through the tiered log).
        case trimmed = "BERRYS_TRIMMED"
        /// An atomic set's events land in more than one partition (`details` names them):
        /// nothing was written. Keep a decision's subjects on one partition key.
        case crossPartition = "BERRYS_CROSS_PARTITION"
        /// Some of an atomic set's ids were appended before and some were not (or an id is
        /// in the set twice): nothing was written. A whole set seen before answers with the
        /// original positions instead.
        case partialDuplicate = "BERRYS_PARTIAL_DUPLICATE"
    }

    public var code: Code
    /// The attribute or payload field at fault, when there is one (`subject`, `/data/name`).
    public var field: String?
    public var message: String
    /// Every individual problem, e.g. each schema violation.
    public var details: [String]
    /// The 0-based place, in an atomic set, of the event the error is about (nil outside sets).
    public var index: Int?

    public init(_ code: Code, field: String? = nil, _ message: String, details: [String] = [], index: Int? = nil) {
        self.code = code
        self.field = field
        self.message = message
        self.details = details
        self.index = index
    }

    /// A schema violation built from validator errors.
    public static func schemaViolation(type: String, version: Int, _ errors: [ValidationError]) -> EventLogError {
        EventLogError(.schemaViolation, field: "data" + (errors.first?.instancePath ?? ""),
                      "data does not match schema \(type) v\(version): " + errors.map(\.description).joined(separator: "; "),
                      details: errors.map(\.description))
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
