import Foundation
import RedisClient

/// The text `berrys-bench cluster` prints: both runs, each primary, and the capacity model.
struct ClusterBenchReport {
    struct Shard {
        var node: RedisNodeAddress
        var partitions: Int
        var events: Int
        /// Redis CPU per event appended on this primary (`INFO cpu`: with reading, parsing, replying).
        var cpuMicroseconds: Double
        /// Time in the append commands per event (`INFO commandstats`).
        var commandMicroseconds: Double
    }

    struct Run {
        var rate: Double
        var shards: [Shard]
        /// The publishing process's CPU per event.
        var publisherMicroseconds: Double

        /// The mean Redis CPU per event over the primaries, weighted by their events.
        var cpuMicroseconds: Double {
            let events = shards.reduce(0) { $0 + $1.events }
            return shards.reduce(0) { $0 + $1.cpuMicroseconds * Double($1.events) } / Double(max(1, events))
        }
    }

    let events: Int, partitions: Int, pipeline: Int, publishers: Int
    let one: Run, many: Run

    var text: String {
        var lines = ["cluster benchmark (\(events) events, \(partitions) partitions, batches of \(pipeline), \(publishers) publishers, "
                     + "\(ProcessInfo.processInfo.activeProcessorCount) cores)"]
        lines.append("  one Redis:            \(Int(one.rate)) events/s; Redis CPU \(format(one.cpuMicroseconds)) µs per event "
                     + "(commandstats \(format(one.shards.first?.commandMicroseconds ?? 0))); publisher \(format(one.publisherMicroseconds)) µs per event")
        lines.append("  cluster, \(many.shards.count) primaries: \(Int(many.rate)) events/s = \(format(many.rate / max(1, one.rate))) × one Redis; "
                     + "publisher \(format(many.publisherMicroseconds)) µs per event")
        for shard in many.shards {
            lines.append("    \(shard.node): \(shard.partitions) partitions, \(shard.events) events, Redis CPU \(format(shard.cpuMicroseconds)) µs per event "
                         + "(commandstats \(format(shard.commandMicroseconds)))")
        }
        let perPrimary = 1e6 / max(0.001, many.cpuMicroseconds)
        let perPublisherCore = 1e6 / max(0.001, many.publisherMicroseconds)
        lines.append("  capacity model (a model, not a measurement): a primary on a core of its own appends at most "
                     + "1e6 / \(format(many.cpuMicroseconds)) µs = \(Int(perPrimary)) events/s; N primaries, N × that, "
                     + "if the publishers have \(format(perPrimary / perPublisherCore)) cores per primary (\(Int(perPublisherCore)) events/s per publisher core here):")
        lines.append("    " + [1, 3, 6, 12].map { "\($0): \(Int(Double($0) * perPrimary)) events/s" }.joined(separator: "; "))
        if ProcessInfo.processInfo.activeProcessorCount < many.shards.count * 2 + 1 {
            lines.append("  this machine has \(ProcessInfo.processInfo.activeProcessorCount) cores for the publishers and every node "
                         + "(primaries and replicas): its aggregate rate cannot show scale-out")
        }
        return lines.joined(separator: "\n")
    }

    private func format(_ value: Double) -> String { String(format: "%.2f", value) }
}
