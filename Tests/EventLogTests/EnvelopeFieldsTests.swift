import EventLog
import RedisClient
import TestSupport
import Testing

/// `appendFields(to:)` writes what `fields` lists, in order: the append paths build their
/// commands with it, and readers decode entries with `init(fields:position:)`.
@Suite struct EnvelopeFieldsTests {
    @Test func appendedFieldsAreTheFieldsInOrder() async throws {
        let log = try await TestLog.open()
        var envelope = try log.prepare(AppendTests.project())
        for variant in 0..<2 {
            if variant == 1 {
                envelope.partitionKey = "key"
                envelope.correlationID = "correlation"
                envelope.causationID = "cause"
                envelope.extensions = ["zeta": "z", "alpha": "a"]
            }
            var command = RedisCommand("XADD", "stream", "*")
            envelope.appendFields(to: &command)
            let written = command.arguments.dropFirst(3).map { String(decoding: $0, as: UTF8.self) }
            #expect(written == envelope.fields.flatMap { [$0.0, $0.1] })
            let pairs = stride(from: 0, to: written.count, by: 2).map { (written[$0], written[$0 + 1]) }
            #expect(try EventEnvelope(fields: [("sequence", "1")] + pairs, position: nil).id == envelope.id)
        }
    }
}
