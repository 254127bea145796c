import BerrysJSON
import Connectors
import EventLog
import Foundation
import TestSupport
import Testing

/// The HTTP request of a delivery (CloudEvents HTTP binding) and its signature.
@Suite struct WebhookRequestTests {
    let event = EventEnvelope(id: "0b9a7c2e-1f00-4c61-9f0e-5d6a1b2c3d4e", source: "berrys/test", type: "agent.created", dataVersion: 1,
                              subject: "agent/ä 1", time: "2026-12-05T12:00:00.000Z", data: .object(["name": .string("scout")]),
                              sequence: 3, partitionKey: "a1", correlationID: "c1", causationID: nil,
                              extensions: ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"])

    func connector(mode: String, secret: Bool = true) throws -> ConnectorDefinition {
        try ConnectorFile().load("c", """
            url: http://127.0.0.1:1/x
            types: [agent.created]
            headers: {X-Team: platform}
            mode: \(mode)
            \(secret ? "secret_env: S" : "")
            """, knownTypes: ["agent.created"], environment: ["S": "whsec"])
    }

    @Test func binaryModePutsTheAttributesInHeadersAndTheDataInTheBody() throws {
        let request = WebhookRequest(event: event, connector: try connector(mode: "binary"), timestamp: 1_796_472_000)
        let headers = Dictionary(request.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        #expect(headers["ce-id"] == event.id)
        #expect(headers["ce-specversion"] == "1.0" && headers["ce-type"] == "agent.created" && headers["ce-source"] == "berrys/test")
        #expect(headers["ce-subject"] == "agent/%C3%A4 1", "non-ASCII percent-encoded, as the HTTP binding asks")
        #expect(headers["ce-sequence"] == "3" && headers["ce-partitionkey"] == "a1" && headers["ce-correlationid"] == "c1")
        #expect(headers["Content-Type"] == "application/json" && headers["X-Team"] == "platform")
        #expect(headers["traceparent"] == event.extensions["traceparent"], "the W3C header, for the receiver's tracer")
        #expect(String(decoding: request.body, as: UTF8.self) == #"{"name":"scout"}"#)
        let signature = try #require(headers[ConnectorSignature.headerName])
        #expect(ConnectorSignature.verify(header: signature, body: request.body, secret: "whsec", now: 1_796_472_010))
    }

    @Test func structuredModeSendsTheWholeEvent() throws {
        let request = WebhookRequest(event: event, connector: try connector(mode: "structured", secret: false), timestamp: 0)
        #expect(request.headers.contains { $0.name == "Content-Type" && $0.value.hasPrefix("application/cloudevents+json") })
        #expect(!request.headers.contains { $0.name.hasPrefix("ce-") || $0.name == ConnectorSignature.headerName })
        let body = try JSON(parsing: request.body)
        #expect(try EventEnvelope(cloudEvent: body) == event)
    }

    @Test func aSignatureVerifiesOnlyForItsBodySecretAndTime() {
        let body = Array(#"{"a":1}"#.utf8)
        let signed = ConnectorSignature.header(body: body, secret: "k", timestamp: 1_000)
        #expect(ConnectorSignature.verify(header: signed, body: body, secret: "k", now: 1_100))
        #expect(!ConnectorSignature.verify(header: signed, body: Array(#"{"a":2}"#.utf8), secret: "k", now: 1_100), "another body")
        #expect(!ConnectorSignature.verify(header: signed, body: body, secret: "other", now: 1_100), "another secret")
        #expect(!ConnectorSignature.verify(header: signed, body: body, secret: "k", now: 1_000 + 301), "too old: a replay")
    }

    /// The receiver's check as `connectors/README.md` documents it, in Python's standard library,
    /// accepts what the connector signs.
    @Test func theDocumentedPythonCheckAcceptsTheSignature() async throws {
        let body = #"{"name":"scout","note":"ünïcode"}"#
        let header = ConnectorSignature.header(body: Array(body.utf8), secret: "whsec_test", timestamp: 1_796_472_000)
        let script = """
            import hmac, hashlib, sys
            secret, header, body = sys.argv[1].encode(), sys.argv[2], sys.argv[3].encode()
            parts = dict(p.split("=", 1) for p in header.split(","))
            expected = hmac.new(secret, parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
            print("ok" if hmac.compare_digest(expected, parts["v1"]) else "bad")
            """
        let run = try await TestServers.runCapturingOffPool("python3", ["-c", script, "whsec_test", header, body])
        let output = run.stdout
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
    }
}
