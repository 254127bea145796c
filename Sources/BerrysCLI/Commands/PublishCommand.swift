import BerrysPlatform
import CommandSupport
import ArgumentParser
import BerrysJSON
import EventLog
import Foundation

struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Validate and publish one event, or a file of CloudEvents JSON lines.",
        discussion: """
        One event:   berrys publish agent.created --data '{"agent_id": "…", "name": "A", "agent_type": "ASSISTANT", "specializations": []}'
        Many events: berrys publish --file events.ndjson   (one CloudEvents JSON object per line; - reads standard input)
        All or nothing: berrys publish --file decision.ndjson --atomic   (one atomic set, all of one partition)
        A line's own condition is its expectedsequence attribute (any, none or N), which wins over --expect.
        The subject and partition key follow the domain's conventions when left out.
        Prints: id, partition, stream id, sequence and whether it was appended or a duplicate; with \
        --at, "scheduled", the id and the time it will be appended.
        """)

    @Argument(help: "The event type, e.g. agent.created.") var type: String?
    @Option(help: "The subject (aggregate id); by convention from the payload when left out.") var subject: String?
    @Option(help: "The payload as JSON text, or @FILE to read it from a file.") var data: String?
    @Option(help: "The payload's schema version (default: the newest).") var version: Int?
    @Option(help: "The event id (default: a new UUID). Publishing the same id again is a no-op.") var id: String?
    @Option(help: "The producer (default berrys-cli).") var source: String = "berrys-cli"
    @Option(help: """
        any, none (the subject must be new) or N (the subject's current sequence). With --file: each line's condition \
        unless it has its own expectedsequence; with --atomic, the condition of each subject's first line.
        """) var expect: String?
    @Option(name: .customLong("partition-key"), help: "The partition key (default: by convention).") var partitionKey: String?
    @Option(name: .customLong("correlation-id")) var correlationID: String?
    @Option(name: .customLong("causation-id")) var causationID: String?
    @Option(help: "A file of CloudEvents JSON lines to publish, pipelined; - for standard input.") var file: String?
    @Flag(help: """
        With --file: publish the file as one atomic set, all or nothing (one partition; exit 1 naming the line on a \
        refusal, nothing written).
        """) var atomic = false
    @Option(help: "The W3C trace context the event continues (00-<trace id>-<span id>-<flags>), stored as its traceparent.")
    var traceparent: String?
    @Option(help: "The W3C tracestate that goes with --traceparent.")
    var tracestate: String?
    @Option(help: "Hold the event and append it at or after this RFC 3339 time (e.g. 2026-12-06T09:00:00Z); cancel with berrys schedule cancel ID.")
    var at: String?

    func validate() throws {
        if file == nil && (type == nil || data == nil) {
            throw ValidationError("give a type and --data, or --file")
        }
        if file != nil && type != nil { throw ValidationError("give either a type or --file, not both") }
        if let expect, ExpectedSequence(expect) == nil { throw ValidationError("--expect must be any, none or a number, got '\(expect)'") }
        if atomic && file == nil { throw ValidationError("--atomic applies to --file") }
        if let at, Timestamp.parse(at) == nil { throw ValidationError("--at must be an RFC 3339 time such as 2026-12-06T09:00:00Z, got '\(at)'") }
        if (at != nil || traceparent != nil) && file != nil { throw ValidationError("--at and --traceparent apply to one event, not to --file") }
    }

    func run() async throws {
        try await reportingFailures {
            let log = try await Context(domain: .berrys).openLog(source: source)
            if let file {
                let publisher = FilePublisher(log: log, expected: expect.flatMap(ExpectedSequence.init))
                if atomic { try await publisher.publishAtomically(path: file) } else { try await publisher.publish(path: file) }
            } else {
                try await publishOne(log)
            }
        }
    }

    /// `--traceparent` / `--tracestate` as the event's extensions (checked when it is prepared).
    private var traceExtensions: [String: String] {
        var extensions: [String: String] = [:]
        extensions[EventTrace.parentAttribute] = traceparent
        extensions[EventTrace.stateAttribute] = tracestate
        return extensions
    }

    private func publishOne(_ log: EventLog) async throws {
        var text = data!
        if text.hasPrefix("@") { text = try readInput(String(text.dropFirst())) }
        let payload: JSON
        do { payload = try JSON(parsing: text) } catch {
            throw EventLogError(.invalidEnvelope, field: "data", "--data is not valid JSON: \(error)")
        }
        let draft = EventDraft(type: type!, data: payload, subject: subject, dataVersion: version, id: id, source: source,
                               partitionKey: partitionKey, correlationID: correlationID, causationID: causationID,
                               extensions: traceExtensions, deliverAt: at.flatMap(Timestamp.parse))
        let result = try await log.append(draft, expected: ExpectedSequence(expect ?? "any")!)
        if let due = result.scheduledFor {
            print("scheduled id=\(result.id) partition=\(result.position.partition) deliver_at=\(Timestamp.format(due))")
            return
        }
        print("\(result.duplicate ? "duplicate" : "appended") id=\(result.id) partition=\(result.position.partition) stream_id=\(result.position.streamID) sequence=\(result.sequence)")
    }
}
