import EventLog
import Foundation

/// The HTTP request that delivers one event to a connector's receiver (CloudEvents HTTP
/// binding, version 1.0), as a pure value: headers and body, not yet sent.
public struct WebhookRequest: Sendable {
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    /// The request for `event` under `connector`'s mode, headers and secret, signed at `timestamp`.
    public init(event: EventEnvelope, connector: ConnectorDefinition, timestamp: Int) {
        var headers: [(String, String)] = connector.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        switch connector.mode {
        case .binary:
            headers.append(("Content-Type", EventEnvelope.dataContentType))
            for (name, value) in Self.attributes(of: event) { headers.append(("ce-\(name)", Self.percentEncoded(value))) }
            body = Array(event.dataText.utf8)
        case .structured:
            headers.append(("Content-Type", "application/cloudevents+json; charset=utf-8"))
            body = Array(event.cloudEvent.serialized.utf8)
        }
        // The trace context travels as the W3C headers too, so that a receiver's tracer joins the trace.
        if let traceparent = event.extensions["traceparent"] { headers.append(("traceparent", traceparent)) }
        if let tracestate = event.extensions["tracestate"] { headers.append(("tracestate", tracestate)) }
        if let secret = connector.secret {
            headers.append((ConnectorSignature.headerName, ConnectorSignature.header(body: body, secret: secret, timestamp: timestamp)))
        }
        self.headers = headers
    }

    /// The event's attributes but `data` and `datacontenttype`, as `ce-` header names (lower case) and values.
    static func attributes(of event: EventEnvelope) -> [(String, String)] {
        var attributes: [(String, String)] = [
            ("specversion", EventEnvelope.specVersion), ("id", event.id), ("source", event.source), ("type", event.type),
            ("subject", event.subject), ("time", event.time), ("dataversion", String(event.dataVersion)),
        ]
        if let sequence = event.sequence { attributes.append(("sequence", String(sequence))) }
        if let partitionKey = event.partitionKey { attributes.append(("partitionkey", partitionKey)) }
        if let correlationID = event.correlationID { attributes.append(("correlationid", correlationID)) }
        if let causationID = event.causationID { attributes.append(("causationid", causationID)) }
        for (name, value) in event.extensions.sorted(by: { $0.key < $1.key }) { attributes.append((name, value)) }
        return attributes
    }

    /// A header value as the CloudEvents HTTP binding asks: printable ASCII but `"` and `%`
    /// as is, everything else percent-encoded as UTF-8.
    static func percentEncoded(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            if (0x20...0x7e).contains(byte) && byte != 0x22 && byte != 0x25 {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}
