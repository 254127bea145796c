import CommandSupport
import BerrysJSON
import EventLog
import Foundation

/// Publishes a file of CloudEvents JSON lines: every line is validated first, valid ones are
/// appended pipelined, and a summary names each rejected line.
struct FilePublisher {
    let log: EventLog
    let expected: ExpectedSequence
    let chunkSize = 1000

    func publish(path: String) async throws {
        let lines = try readInput(path).split(separator: "\n", omittingEmptySubsequences: false)
        var rejected: [(line: Int, reason: String)] = []
        var published = 0, duplicates = 0
        var batch: [(line: Int, envelope: EventEnvelope)] = []
        let started = Date()
        let showProgress = lines.count >= 10_000

        func flush() async throws {
            let results = try await log.appendBatch(batch.map(\.envelope), expected: expected, chunkSize: chunkSize)
            for (entry, result) in zip(batch, results) {
                switch result {
                case .success(let appended): if appended.duplicate { duplicates += 1 } else { published += 1 }
                case .failure(let error): rejected.append((entry.line, error.description))
                }
            }
            batch.removeAll(keepingCapacity: true)
        }

        for (offset, line) in lines.enumerated() {
            let number = offset + 1
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            do {
                let draft = try EventDraft(cloudEvent: JSON(parsing: String(line)))
                batch.append((number, try log.prepare(draft)))
            } catch {
                rejected.append((number, "\(error)"))
            }
            if batch.count >= chunkSize {
                try await flush()
                if showProgress {
                    let rate = Double(published + duplicates) / max(Date().timeIntervalSince(started), 0.001)
                    printError("… line \(number)/\(lines.count): \(published) published, \(duplicates) duplicates, \(rejected.count) rejected (\(Int(rate)) events/s)")
                }
            }
        }
        if !batch.isEmpty { try await flush() }
        for (line, reason) in rejected.sorted(by: { $0.line < $1.line }) { printError("line \(line): rejected: \(reason)") }
        print("published \(published), duplicates \(duplicates), rejected \(rejected.count)")
        if !rejected.isEmpty {
            throw EventLogError(.invalidEnvelope, "\(rejected.count) of the file's events were rejected (lines \(rejected.prefix(20).map { String($0.line) }.joined(separator: ", ")))")
        }
    }
}
