import BerrysJSON
import EventLog
import Testing

@Suite struct CloudEventsTests {
    let envelope = EventEnvelope(
        id: "e-1", source: "agent-orchestrator", type: "agent.created", dataVersion: 2, subject: "a-1",
        time: "2026-11-25T13:45:00.123Z", data: .object(["name": .string("Grüße 🍓"), "n": .number(3)]), sequence: 7,
        partitionKey: "k", correlationID: "c-1", causationID: "x-1", extensions: ["traceparent": "00-abc"])

    @Test func entryToCloudEventAndBackIsLossless() throws {
        let back = try EventEnvelope(cloudEvent: envelope.cloudEvent)
        #expect(back == envelope)
        let text = envelope.cloudEvent.serialized
        #expect(try EventEnvelope(cloudEvent: JSON(parsing: text)) == envelope)
    }

    @Test func streamFieldsRoundTrip() throws {
        var fields = envelope.fields
        fields.append(("sequence", "7"))
        #expect(try EventEnvelope(fields: fields, position: nil) == envelope)
    }

    @Test(arguments: [
        (#"{"specversion":"1.0","source":"s","type":"t"}"#, "id"),
        (#"{"specversion":"1.0","id":"1","source":"","type":"t"}"#, "source"),
        (#"{"specversion":"0.3","id":"1","source":"s","type":"t"}"#, "specversion"),
        (#"{"specversion":"1.0","id":"1","source":"s","type":"t","Bad":"x"}"#, "Bad"),
        (#"{"specversion":"1.0","id":"1","source":"s","type":"t","data_base64":"AA=="}"#, "data_base64"),
        (#"{"specversion":"1.0","id":"1","source":"s","type":"t","datacontenttype":"text/plain"}"#, "datacontenttype"),
        (#"{"specversion":"1.0","id":1,"source":"s","type":"t"}"#, "id"),
        (#"{"specversion":"1.0","id":"1","source":"s","type":"t","nested":{"a":1}}"#, "nested"),
    ])
    func invalidCloudEventsNameTheAttribute(_ text: String, _ field: String) throws {
        let error = #expect(throws: EventLogError.self) { try EventDraft(cloudEvent: JSON(parsing: text)) }
        #expect(error?.field == field)
        #expect(error?.code == .invalidEnvelope)
    }
}
