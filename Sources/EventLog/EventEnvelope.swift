import BerrysJSON
import RedisClient

/// One event as stored in the log: CloudEvents 1.0 attributes plus Berrys extensions.
///
/// Stored as flat field/value pairs of a Redis stream entry: `specversion id source type
/// dataversion subject time datacontenttype data sequence` and optionally `partitionkey
/// correlationid causationid` and other extension attributes.
public struct EventEnvelope: Sendable, Hashable {
    public static let specVersion = "1.0"
    public static let dataContentType = "application/json"

    /// Unique id; the idempotency key.
    public var id: String
    /// The producer, e.g. `agent-orchestrator`.
    public var source: String
    /// The event type, e.g. `agent.created`.
    public var type: String
    /// The schema version of `data`.
    public var dataVersion: Int
    /// The aggregate the event is about.
    public var subject: String
    /// RFC 3339 UTC timestamp.
    public var time: String
    /// The payload.
    public var data: JSON { didSet { dataText = data.serialized } }
    /// The payload as JSON text: as stored when read from the log, else serialized once.
    public private(set) var dataText: String
    /// The subject's version after this event; assigned by the log.
    public var sequence: Int?
    /// The partitioning key when it is not the subject.
    public var partitionKey: String?
    public var correlationID: String?
    public var causationID: String?
    /// Other CloudEvents extension attributes (lowercase a-z0-9, at most 20 characters).
    public var extensions: [String: String]
    /// Where the event is in the log, once read from it.
    public var position: Position?

    public init(id: String, source: String, type: String, dataVersion: Int, subject: String, time: String, data: JSON,
                sequence: Int? = nil, partitionKey: String? = nil, correlationID: String? = nil, causationID: String? = nil,
                extensions: [String: String] = [:], position: Position? = nil) {
        self.init(id: id, source: source, type: type, dataVersion: dataVersion, subject: subject, time: time, data: data,
                  dataText: data.serialized, sequence: sequence, partitionKey: partitionKey, correlationID: correlationID,
                  causationID: causationID, extensions: extensions, position: position)
    }

    /// With the payload's text as stored, so that decoding does not serialize it again.
    private init(id: String, source: String, type: String, dataVersion: Int, subject: String, time: String, data: JSON, dataText: String,
                 sequence: Int?, partitionKey: String?, correlationID: String?, causationID: String?,
                 extensions: [String: String], position: Position?) {
        self.id = id
        self.source = source
        self.type = type
        self.dataVersion = dataVersion
        self.subject = subject
        self.time = time
        self.data = data
        self.dataText = dataText
        self.sequence = sequence
        self.partitionKey = partitionKey
        self.correlationID = correlationID
        self.causationID = causationID
        self.extensions = extensions
        self.position = position
    }

    /// The key that decides the partition: `partitionkey`, else `subject`.
    public var effectivePartitionKey: String { partitionKey ?? subject }

    /// Calls `body` with each field/value pair of the entry, in the order `berrys_append`
    /// takes them (no `sequence`): the one list of fields, for `fields` and `appendFields`.
    @inline(__always)
    func forEachField(_ body: (String, String) -> Void) {
        body("specversion", Self.specVersion)
        body("id", id)
        body("source", source)
        body("type", type)
        body("dataversion", String(dataVersion))
        body("subject", subject)
        body("time", time)
        body("datacontenttype", Self.dataContentType)
        body("data", dataText)
        if let partitionKey { body("partitionkey", partitionKey) }
        if let correlationID { body("correlationid", correlationID) }
        if let causationID { body("causationid", causationID) }
        for name in extensions.keys.sorted() { body(name, extensions[name]!) }
    }

    /// The entry's field/value pairs as `berrys_append` takes them (no `sequence`).
    public var fields: [(String, String)] {
        var pairs: [(String, String)] = []
        pairs.reserveCapacity(12 + extensions.count)
        forEachField { pairs.append(($0, $1)) }
        return pairs
    }

    /// Appends the envelope's fields (name, value, name, value…), as `fields` lists them, to
    /// `command`, without the array of pairs `fields` makes (an append's hot path).
    public func appendFields(to command: inout RedisCommand) {
        command.reserveCapacity(arguments: 24, bytes: dataText.utf8.count + 400)
        forEachField { name, value in
            command.append(name)
            command.append(value)
        }
    }

    /// Decodes a stream entry.
    /// - Throws: `EventLogError.corruptEntry` naming the missing or malformed field.
    public init(fields: [(String, String)], position: Position?) throws {
        // One pass over the fields (no dictionary: this runs for every event read).
        var specVersion, id, source, type, dataVersion, subject, time, dataText: String?
        var sequence, partitionKey, correlationID, causationID: String?
        var extensions: [String: String] = [:]
        for (name, value) in fields {
            switch name {
            case "specversion": specVersion = value
            case "id": id = value
            case "source": source = value
            case "type": type = value
            case "dataversion": dataVersion = value
            case "subject": subject = value
            case "time": time = value
            case "data": dataText = value
            case "datacontenttype": continue
            case "sequence": sequence = value
            case "partitionkey": partitionKey = value
            case "correlationid": correlationID = value
            case "causationid": causationID = value
            default: extensions[name] = value
            }
        }
        func required(_ value: String?, _ name: String) throws -> String {
            guard let value, !value.isEmpty else {
                throw EventLogError(.corruptEntry, field: name, "stream entry \(position.map(String.init(describing:)) ?? "?") has no \(name)")
            }
            return value
        }
        guard try required(specVersion, "specversion") == Self.specVersion else {
            throw EventLogError(.corruptEntry, field: "specversion", "specversion must be 1.0")
        }
        guard let version = Int(try required(dataVersion, "dataversion")), version > 0 else {
            throw EventLogError(.corruptEntry, field: "dataversion", "dataversion must be a positive integer")
        }
        let text = try required(dataText, "data")
        let data: JSON
        do { data = try JSON(parsing: text) } catch let error as JSONParseError {
            throw EventLogError(.corruptEntry, field: "data", "data is not JSON: \(error)")
        }
        self.init(id: try required(id, "id"), source: try required(source, "source"), type: try required(type, "type"),
                  dataVersion: version, subject: try required(subject, "subject"), time: try required(time, "time"),
                  data: data, dataText: text, sequence: sequence.flatMap { Int($0) }, partitionKey: partitionKey,
                  correlationID: correlationID, causationID: causationID, extensions: extensions, position: position)
    }

}
