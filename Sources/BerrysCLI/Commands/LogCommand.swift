import CommandSupport
import ArgumentParser
import Foundation
import EventLog

struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "Read the event log.", subcommands: [Read.self])

    struct Read: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print events as CloudEvents JSON lines, upcast to the newest schema version.")

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
                let log = try await Context().openLog(create: false)
                if let partition, !(0..<log.partitioner.partitions).contains(partition) {
                    throw EventLogError(.invalidEnvelope, field: "partition", "--partition must be 0…\(log.partitioner.partitions - 1)")
                }
                let partitions = partition.map { [$0] } ?? Array(0..<log.partitioner.partitions)
                for partition in partitions {
                    try await printPartition(log, partition)
                }
            }
        }

        private func printPartition(_ log: EventLog, _ partition: Int) async throws {
            var after = from.flatMap(StreamID.init) ?? .zero
            var printed = 0
            while count == 0 || printed < count {
                let batch = min(count == 0 ? 1000 : count - printed, 1000)
                let events = try await log.read(partition: partition, after: after, count: batch, upcast: !raw)
                for event in events { print(event.cloudEvent.serialized) }
                printed += events.count
                if let last = events.last?.position { after = last.streamID }
                if events.count < batch { break }
            }
            fflush(nil)  // nil flushes every stream; `stdout` is not concurrency-safe to name
            guard follow else { return }
            let blocking = log.makeBlockingConnection(partition: partition)
            while !Task.isCancelled {
                let events = try await log.follow(partition: partition, after: after, upcast: !raw, on: blocking)
                for event in events { print(event.cloudEvent.serialized) }
                fflush(nil)  // nil flushes every stream; `stdout` is not concurrency-safe to name
                if let last = events.last?.position { after = last.streamID }
            }
        }
    }
}
