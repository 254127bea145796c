import BerrysJSON
import JSONSchema

/// The checks every event passes before it is appended.
enum EnvelopeRules {
    static let maximumSubjectBytes = 256
    static let reservedNames: Set<String> = ["sequence", "data", "specversion", "dataversion"]

    static func check(_ envelope: EventEnvelope, maximumPayloadBytes: Int) throws {
        try checkText(envelope.id, "id", maximumBytes: 256)
        try checkText(envelope.source, "source", maximumBytes: 1024)
        try checkText(envelope.type, "type", maximumBytes: 200)
        try checkText(envelope.subject, "subject", maximumBytes: maximumSubjectBytes)
        if let key = envelope.partitionKey { try checkText(key, "partitionkey", maximumBytes: maximumSubjectBytes) }
        if let id = envelope.correlationID { try checkText(id, "correlationid", maximumBytes: 256) }
        if let id = envelope.causationID { try checkText(id, "causationid", maximumBytes: 256) }
        guard envelope.dataVersion > 0 else {
            throw EventLogError(.invalidEnvelope, field: "dataversion", "dataversion must be a positive integer")
        }
        guard StringFormat.dateTime.accepts(envelope.time) else {
            throw EventLogError(.invalidEnvelope, field: "time", "time must be an RFC 3339 timestamp such as 2026-11-25T13:45:00Z, got '\(envelope.time)'")
        }
        for name in envelope.extensions.keys {
            try checkExtensionName(name)
            if reservedNames.contains(name) {
                throw EventLogError(.invalidEnvelope, field: name, "\(name) is set by the log and cannot be given as an extension")
            }
        }
        let size = envelope.dataText.utf8.count
        guard size <= maximumPayloadBytes else {
            throw EventLogError(.payloadTooLarge, field: "data", "data is \(size) bytes, over the limit of \(maximumPayloadBytes) bytes")
        }
    }

    static func checkText(_ value: String, _ name: String, maximumBytes: Int) throws {
        guard !value.isEmpty else { throw EventLogError(.invalidEnvelope, field: name, "\(name) must not be empty") }
        guard value.utf8.count <= maximumBytes else {
            throw EventLogError(.invalidEnvelope, field: name, "\(name) must be at most \(maximumBytes) bytes, is \(value.utf8.count)")
        }
    }

    /// CloudEvents attribute names: lowercase a-z and 0-9, at most 20 characters.
    static func checkExtensionName(_ name: String) throws {
        let valid = !name.isEmpty && name.utf8.count <= 20
            && name.utf8.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) }
        guard valid else {
            throw EventLogError(.invalidEnvelope, field: name, "attribute name '\(name)' must be lowercase a-z0-9, at most 20 characters")
        }
    }
}
