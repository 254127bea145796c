import BerrysJSON
import EventLog

/// The event as handlers see it in `$1`: the CloudEvents attributes, `data` upcast to the
/// newest schema version, `dataversion` and `sequence` as numbers, `position`, and — when the
/// event was upcast — `stored` with the schema version and payload as stored.
enum ProjectionEvent {
    static func json(_ stored: EventEnvelope, registry: SchemaRegistry) throws -> String {
        let event = try registry.upcast(stored)
        var members: [String: JSON] = [
            "id": .string(event.id), "source": .string(event.source), "type": .string(event.type),
            "subject": .string(event.subject), "time": .string(event.time), "dataversion": .number(Double(event.dataVersion)),
            "partitionkey": .string(event.effectivePartitionKey), "data": event.data,
        ]
        if let sequence = event.sequence { members["sequence"] = .number(Double(sequence)) }
        if let correlationID = event.correlationID { members["correlationid"] = .string(correlationID) }
        if let causationID = event.causationID { members["causationid"] = .string(causationID) }
        if event.dataVersion != stored.dataVersion {
            members["stored"] = .object(["dataversion": .number(Double(stored.dataVersion)), "data": stored.data])
        }
        if let position = event.position {
            members["position"] = .object(["partition": .number(Double(position.partition)),
                                           "stream_id": .string(position.streamID.description)])
        }
        return JSON.object(members).serialized
    }
}
