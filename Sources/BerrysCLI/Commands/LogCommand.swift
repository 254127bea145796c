import BerrysPlatform
import CommandSupport
import ArgumentParser
import Foundation
import EventLog
import Projections

struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "Read the event log, one subject's history, and trim it.", subcommands: [Read.self, Subject.self, Trim.self])

    struct Read: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print events as CloudEvents JSON lines, upcast to the newest schema version.",
            discussion: """
            Reads the whole log from any position: the archive (read.events in PostgreSQL) below the point Redis was \
            trimmed to (BERRYS_RETENTION), Redis from there on; each event once, in log order, with the same positions.
            """)

        @Option(help: "Only this partition (default: all, one after another).") var partition: Int?
        @Option(help: "Start after this stream id (exclusive; default: the beginning).") var from: String?
        @Option(help: "At most this many events per partition (default 100; 0 = all).") var count: Int = 100
        @Flag(help: "Keep waiting for new events (Ctrl-C to stop).") var follow = false
        @Flag(help: "Print the stored schema version instead of upcasting.") var raw = false

        func validate() throws {
            if let from, StreamID(from) == nil { throw ValidationError("--from must be a stream id like 1732540000000-0") }
            if follow && partition == nil { throw ValidationError("--follow needs --partition") }
            if count < 0 { throw ValidationError("--count must be >= 0") }
        }

        func run() async throws {
            try await reportingFailures {
                let context = try Context(domain: .berrys)
                let log = try await context.openLog(create: false)
                if let partition, !(0..<log.partitioner.partitions).contains(partition) {
                    throw EventLogError(.invalidEnvelope, field: "partition", "--partition must be 0…\(log.partitioner.partitions - 1)")
                }
                // PostgreSQL is only connected to when a read reaches below Redis's trimmed point.
                let source = TieredSource(log: log, pool: context.postgres(size: 1))
                let partitions = partition.map { [$0] } ?? Array(0..<log.partitioner.partitions)
                for partition in partitions {
                    try await printPartition(log, source, partition)
                }
            }
        }

        private func printPartition(_ log: EventLog, _ source: TieredSource, _ partition: Int) async throws {
            var after = from.flatMap(StreamID.init) ?? .zero
            var printed = 0
            func emit(_ entries: [LogEntry]) throws {
                for entry in entries {
                    guard case .event(let stored) = entry else {
                        throw EventLogError(.corruptEntry, field: entry.position?.description, "stream entry \(entry.position.map(String.init(describing:)) ?? "?") is not a valid event")
                    }
                    print((raw ? stored : try log.registry.upcast(stored)).cloudEvent.serialized)
                    if let position = entry.position { after = position.streamID }
                }
                fflush(nil)  // nil flushes every stream; `stdout` is not concurrency-safe to name
            }
            while count == 0 || printed < count {
                let batch = min(count == 0 ? 1000 : count - printed, 1000)
                let entries = try await source.entries(partition: partition, after: after, count: batch)
                try emit(entries)
                printed += entries.count
                if entries.count < batch { break }
            }
            guard follow else { return }
            let blocking = log.makeBlockingConnection(partition: partition)
            while !Task.isCancelled {
                do {
                    let events = try await log.follow(partition: partition, after: after, upcast: false, on: blocking)
                    try emit(events.map(LogEntry.event))
                } catch let error as EventLogError where error.code == .trimmed {
                    // Trimmed past this reader while it waited: catch up through the archive.
                    try emit(try await source.entries(partition: partition, after: after, count: 1000))
                }
            }
        }
    }
}
