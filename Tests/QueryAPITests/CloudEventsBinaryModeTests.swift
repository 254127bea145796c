import BerrysJSON
import EventLog
import HTTPTypes
@testable import QueryAPI
import Testing

/// The CloudEvents HTTP binary-mode decoder (`ce-*` headers + a JSON body) fed 10,000 random
/// requests from a seeded generator: attribute names good and bad, values with broken and
/// valid percent-encoding, bodies valid and not. It is not in the libFuzzer targets because it
/// reads Hummingbird's `HTTPFields`; this is the same property run in-process.
@Suite struct CloudEventsBinaryModeTests {
    /// xorshift64*: the same cases every run.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state >> 12; state ^= state << 25; state ^= state >> 27
            return state &* 0x2545_F491_4F6C_DD1D
        }
        mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
        mutating func chance(_ percent: UInt64) -> Bool { next() % 100 < percent }
    }

    static let names = ["specversion", "id", "source", "type", "subject", "time", "dataversion", "partitionkey", "correlationid",
                        "causationid", "sequence", "datacontenttype", "data_base64", "Type", "x1", "toolongattributename12345", "data", "bad_name"]
    static let values = ["1.0", "0.3", "", "agent.created", "no.such.type", "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "s", "1", "0", "-1",
                         "2026-12-03T12:00:00Z", "yesterday", "application/json", "text/plain", "%", "%G1", "%C3%28", "%E2%82%AC",
                         "a%20b", "%00", "é", "\u{1F600}", String(repeating: "x", count: 300)]
    static let bodies = [#"{}"#, #"[]"#, #"{"agent_id":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","name":"A","type":"RESEARCHER"}"#,
                         "not json", "[[[[", #""s""#, "1e999", "", "{\"a\":\"\u{0}\"}", #"{"a":1,"a":2}"#]

    /// Yields every 100 requests: seconds of CPU in one go held one of the two cooperative
    /// threads, and the stall detector's stack dumps caught it stalling the other tests.
    @Test func randomBinaryModeRequestsDecodeToTheirHeadersAndBodyOrAreRefusedWithAnAPIError() async throws {
        var random = Generator(state: 0x9E37_79B9_7F4A_7C15)
        var accepted = 0
        for round in 0..<10_000 {
            if round % 100 == 0 { await Task.yield() }
            var headers = HTTPFields()
            var sent: [String: String] = [:]
            for _ in 0..<Int(random.next() % 9) {
                let name = random.chance(90) ? "ce-" + random.pick(Self.names) : random.pick(["content-type", "x-ce-id", "ce"])
                var value = random.pick(Self.values)
                if random.chance(20) { value += random.pick(Self.values) }
                guard let fieldName = HTTPField.Name(name) else { continue }
                headers.append(HTTPField(name: fieldName, value: value))
                if fieldName.canonicalName.hasPrefix("ce-") {
                    sent[String(fieldName.canonicalName.dropFirst(3))] = value.removingPercentEncoding ?? value
                }
            }
            if random.chance(70) { for (name, value) in [("ce-specversion", "1.0"), ("ce-id", "i"), ("ce-source", "s"), ("ce-type", "agent.created")] {
                headers.append(HTTPField(name: HTTPField.Name(name)!, value: value))
                sent[String(name.dropFirst(3))] = value
            } }
            let body = random.pick(Self.bodies)
            do {
                let draft = try CloudEventsHTTP.binary(headers: headers, body: body)
                accepted += 1
                #expect(draft.id == sent["id"] && draft.source == sent["source"] && draft.type == sent["type"], "\(headers)")
                #expect(draft.subject == sent["subject"], "\(headers)")
                #expect(draft.data == (try JSON(parsing: body)), "\(body)")
            } catch let error as APIError {
                #expect(error.status.code == 400 || error.status.code == 422, "\(error)")
            } catch let error as EventLogError {
                #expect(error.code == .invalidEnvelope, "\(error)")
            }
        }
        #expect(accepted > 100, "the generator should also make acceptable requests (\(accepted))")
    }
}
