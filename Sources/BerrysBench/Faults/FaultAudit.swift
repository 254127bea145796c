import EventLog
import Foundation
import PostgresClient
import RedisClient
import Workers

/// The audit every scenario ends with, once the system has settled: the log and the archive
/// against what the producer was acknowledged, sequences, worker effects and dead letters.
/// (Projections against a fresh rebuild: `FaultRebuild`.)
struct FaultAudit: Sendable {
    /// What the audit counted, and everything it found wrong.
    struct Result: Sendable {
        var events = 0
        var lost = 0
        var doubled = 0
        var deadLetteredOnPurpose = 0
        var findings: [String] = []

        mutating func find(_ finding: String) { findings.append(finding) }
    }

    /// One stored event, as much of it as the checks need.
    struct Stored: Sendable {
        let partition: Int
        let streamID: String
        let envelope: EventEnvelope
    }

    let log: EventLog
    let redis: RedisPool
    let postgres: PostgresPool

    /// Runs every check against the producer's record.
    func run(tally: FaultLoad.Tally) async throws -> Result {
        var result = Result()
        let stored = try await readLog(&result)
        result.events = stored.count
        checkAcknowledged(stored, tally: tally, &result)
        try await checkArchive(stored, &result)
        try await checkSequences(stored, &result)
        checkWorkerEffects(stored, tally: tally, &result)
        try await checkDeadLetters(tally: tally, &result)
        return result
    }

    /// Every entry of every partition; an entry that is not an event is a finding.
    private func readLog(_ result: inout Result) async throws -> [Stored] {
        var stored: [Stored] = []
        for partition in 0..<log.partitioner.partitions {
            var after = StreamID.zero
            while true {
                let entries = try await log.readEntries(partition: partition, after: after, count: 2000)
                for entry in entries {
                    switch entry {
                    case .event(let envelope):
                        stored.append(Stored(partition: partition, streamID: envelope.position!.streamID.description, envelope: envelope))
                    case .corrupt(let position, let reason):
                        result.find("corrupt entry at \(position): \(reason)")
                    }
                }
                guard let last = entries.last?.position?.streamID, entries.count == 2000 else { break }
                after = last
            }
        }
        return stored
    }

    /// Acknowledged ⊆ stored, and no id stored twice.
    private func checkAcknowledged(_ stored: [Stored], tally: FaultLoad.Tally, _ result: inout Result) {
        var seen: [String: Int] = [:]
        for event in stored { seen[event.envelope.id, default: 0] += 1 }
        let missing = tally.acked.filter { seen[$0] == nil }
        result.lost = missing.count
        if !missing.isEmpty { result.find("\(missing.count) acknowledged events missing from the log, e.g. \(missing.sorted().prefix(3))") }
        let twice = seen.filter { $0.value > 1 }
        result.doubled += twice.count
        if !twice.isEmpty { result.find("\(twice.count) event ids stored more than once, e.g. \(twice.keys.sorted().prefix(3))") }
    }

    /// The archive projection holds exactly the log's entries.
    private func checkArchive(_ stored: [Stored], _ result: inout Result) async throws {
        let rows = try await postgres.query("SELECT partition::text || '/' || stream_id || '/' || id FROM read.events").values.compactMap { $0[0] }
        let archived = Set(rows)
        let logged = Set(stored.map { "\($0.partition)/\($0.streamID)/\($0.envelope.id)" })
        if rows.count != archived.count { result.find("the archive holds \(rows.count - archived.count) entries twice") }
        let notArchived = logged.subtracting(archived), notLogged = archived.subtracting(logged)
        if !notArchived.isEmpty { result.find("\(notArchived.count) log entries not in the archive, e.g. \(notArchived.sorted().prefix(3))") }
        if !notLogged.isEmpty { result.find("\(notLogged.count) archive rows not in the log, e.g. \(notLogged.sorted().prefix(3))") }
    }

    /// Every subject's sequences are 1…n in log order, and the append function's record agrees.
    private func checkSequences(_ stored: [Stored], _ result: inout Result) async throws {
        var bySubject: [String: [Int]] = [:]
        for event in stored { bySubject[event.envelope.subject, default: []].append(event.envelope.sequence ?? 0) }
        var broken: [String] = []
        for (subject, sequences) in bySubject where sequences != Array(1...sequences.count) { broken.append("\(subject) \(sequences)") }
        if !broken.isEmpty { result.find("\(broken.count) subjects with gaps or repeats in their sequences, e.g. \(broken.sorted().prefix(2))") }
        var disagreeing: [String] = []
        for partition in 0..<log.partitioner.partitions {
            let reply = try await redis.send("HGETALL", log.configuration.keys.sequences(partition: partition))
            for (subject, value) in FaultProbe.fields(reply) {
                let recorded = value.string?.split(separator: " ").first.flatMap { Int($0) } ?? -1
                if recorded != bySubject[subject]?.count ?? 0 { disagreeing.append("\(subject): recorded \(recorded), stored \(bySubject[subject]?.count ?? 0)") }
            }
        }
        if !disagreeing.isEmpty { result.find("\(disagreeing.count) sequence records disagree with the log, e.g. \(disagreeing.prefix(2))") }
    }

    /// Each worker effect (same cause, type, subject and payload) stored once, and each
    /// acknowledged assignment of a known task caused exactly one execution.
    private func checkWorkerEffects(_ stored: [Stored], tally: FaultLoad.Tally, _ result: inout Result) {
        var effects: [String: Int] = [:]
        var executions: [String: Int] = [:]
        for event in stored {
            guard let cause = event.envelope.causationID else { continue }
            effects["\(cause)|\(event.envelope.type)|\(event.envelope.subject)|\(event.envelope.dataText)", default: 0] += 1
            if event.envelope.type == "agent.execution.queued" { executions[cause, default: 0] += 1 }
        }
        let repeated = effects.filter { $0.value > 1 }
        result.doubled += repeated.count
        if !repeated.isEmpty { result.find("\(repeated.count) worker effects emitted more than once, e.g. \(repeated.keys.sorted().prefix(2))") }
        let withoutExecution = tally.ackedAssignments.filter { executions[$0] == nil }
        if !withoutExecution.isEmpty {
            result.find("\(withoutExecution.count) acknowledged assignments caused no execution, e.g. \(withoutExecution.sorted().prefix(3))")
        }
        let fromPoison = tally.poisonAttempted.filter { executions[$0] != nil }
        if !fromPoison.isEmpty { result.find("\(fromPoison.count) poisoned assignments caused an execution") }
    }

    /// The DLQs hold the acknowledged poisons (and perhaps poisons whose acknowledgement was
    /// lost), each once, and nothing else.
    private func checkDeadLetters(tally: FaultLoad.Tally, _ result: inout Result) async throws {
        let letters = try await DeadLetterStore(redis: redis, namespace: log.configuration.namespace).list()
        var counted: [String: Int] = [:]
        for letter in letters { counted[letter.eventID ?? "", default: 0] += 1 }
        result.deadLetteredOnPurpose = counted.keys.filter { tally.poisonAttempted.contains($0) }.count
        let unexpected = letters.filter { !tally.poisonAttempted.contains($0.eventID ?? "") }
        if !unexpected.isEmpty {
            let examples = unexpected.prefix(3).map { "\($0.worker) \($0.type ?? "-") \($0.eventID ?? "-"): \($0.reason?.rawValue ?? "unknown") \($0.error)" }
            result.find("\(unexpected.count) unexpected dead letters, e.g. \(examples)")
        }
        let twice = counted.filter { $0.value > 1 }
        if !twice.isEmpty { result.find("\(twice.count) events dead-lettered more than once") }
        let notDeadLettered = tally.poisonAcked.filter { counted[$0] == nil }
        if !notDeadLettered.isEmpty { result.find("\(notDeadLettered.count) acknowledged poisons not dead-lettered, e.g. \(notDeadLettered.sorted().prefix(3))") }
    }
}
