import BerrysJSON
import EventLog

/// The event as handlers see it in `$1`: the CloudEvents attributes, `data` upcast to the
/// newest schema version, `dataversion` and `sequence` as numbers, `position`, and — when the
/// event was upcast — `stored` with the schema version and payload as stored.
///
/// Written as text directly, reusing each payload's JSON text, since this runs for every event
/// of every projection.
enum ProjectionEvent {
    static func json(_ stored: EventEnvelope, registry: SchemaRegistry) throws -> String {
        let event = try registry.upcast(stored)
        var text = "{\"id\":" + JSON.quoted(event.id)
        text += ",\"source\":" + JSON.quoted(event.source)
        text += ",\"type\":" + JSON.quoted(event.type)
        text += ",\"subject\":" + JSON.quoted(event.subject)
        text += ",\"time\":" + JSON.quoted(event.time)
        text += ",\"dataversion\":" + String(event.dataVersion)
        text += ",\"partitionkey\":" + JSON.quoted(event.effectivePartitionKey)
        if let sequence = event.sequence { text += ",\"sequence\":" + String(sequence) }
        if let correlationID = event.correlationID { text += ",\"correlationid\":" + JSON.quoted(correlationID) }
        if let causationID = event.causationID { text += ",\"causationid\":" + JSON.quoted(causationID) }
        if let position = event.position {
            text += ",\"position\":{\"partition\":" + String(position.partition) + ",\"stream_id\":\"" + position.streamID.description + "\"}"
        }
        text += ",\"data\":" + event.dataText
        if event.dataVersion != stored.dataVersion {
            text += ",\"stored\":{\"dataversion\":" + String(stored.dataVersion) + ",\"data\":" + stored.dataText + "}"
        }
        return text + "}"
    }
}
