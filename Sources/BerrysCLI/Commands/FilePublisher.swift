import CommandSupport
import BerrysJSON
import EventLog
import Foundation

/// Publishes a file of CloudEvents JSON lines: every line is validated first, valid ones are
/// appended pipelined, and a summary names each rejected line. A line's `expectedsequence`
/// wins over `expected`.
struct FilePublisher {
    let log: EventLog
    let expected: ExpectedSequence?
    let chunkSize = 1000

    func publish(path: String) async throws {
        let lines = try readInput(path).split(separator: "\n", omittingEmptySubsequences: false)
        var rejected: [(line: Int, reason: String)] = []
        var published = 0, duplicates = 0
        var batch: [(line: Int, envelope: EventEnvelope, expected: ExpectedSequence)] = []
        let started = Date()
        let showProgress = lines.count >= 10_000

        func flush() async throws {
            let results = try await log.appendBatch(batch.map { ($0.envelope, $0.expected) }, chunkSize: chunkSize)
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
                batch.append((number, try log.prepare(draft), draft.expected ?? expected ?? .any))
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

    /// Publishes the file as one atomic set: every line validated, then all appended or none.
    /// - Throws: the first invalid line's error, or the set's refusal, naming the line.
    func publishAtomically(path: String) async throws {
        var lines: [Int] = [], drafts: [EventDraft] = [], envelopes: [EventEnvelope] = []
        var rejected: [(line: Int, reason: String)] = []
        for (offset, line) in try readInput(path).split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            do {
                let draft = try EventDraft(cloudEvent: JSON(parsing: String(line)))
                envelopes.append(try log.prepare(draft))
                drafts.append(draft)
                lines.append(offset + 1)
            } catch {
                rejected.append((offset + 1, "\(error)"))
            }
        }
        for (line, reason) in rejected { printError("line \(line): rejected: \(reason)") }
        guard rejected.isEmpty else {
            throw EventLogError(.invalidEnvelope, "\(rejected.count) lines are invalid (lines \(rejected.prefix(20).map { String($0.line) }.joined(separator: ", "))); nothing was published")
        }
        let conditions = EventLog.setConditions(subjects: envelopes.map(\.subject), own: drafts.map(\.expected), setWide: expected)
        do {
            let results = try await log.appendAtomically(Array(zip(envelopes, conditions)))
            let duplicates = results.filter(\.duplicate).count
            print("published \(results.count - duplicates), duplicates \(duplicates), rejected 0 (one atomic set)")
        } catch var error as EventLogError {
            if let index = error.index { error.message = "line \(lines[index]): \(error.message); nothing was published" }
            throw error
        }
    }
}
