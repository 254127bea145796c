/// What a batch of prepared events for one partition does to the log, decided from what Redis
/// holds: the same rules as `berrys_append`, applied in order as if each event came alone.
///
/// A pure value: `EventLog.appendBatch` reads the inputs (the subjects' sequence records, the
/// ids' de-dup records, the stream's last id, the server's time) under `WATCH`, makes the plan,
/// and writes `entries`, `sequenceRecords` and `deduplication` in one `MULTI`/`EXEC`.
struct PartitionAppendPlan {
    /// One event's result.
    enum Outcome: Equatable {
        case appended(streamID: StreamID, sequence: Int)
        case duplicate(streamID: StreamID, sequence: Int)
        case conflict(String)
        case invalid(String)
        /// Redis refused the transaction (say, out of memory): nothing was written.
        case refused(String)
        /// Appended on the primary, but no replica confirmed it in time (`Durability.replicated`).
        case notReplicated(String)
    }

    /// A subject's sequence record as `berrys_append` stores it: "sequence stream-id s|k event-id"
    /// (`k` when the latest event had an explicit partition key); older versions wrote
    /// "sequence stream-id event-id" or just the sequence.
    struct SequenceRecord: Equatable {
        var sequence: Int
        var streamID: String?
        var explicitKey: Bool?
        var eventID: String?

        init(sequence: Int, streamID: String?, explicitKey: Bool?, eventID: String?) {
            self.sequence = sequence
            self.streamID = streamID
            self.explicitKey = explicitKey
            self.eventID = eventID
        }

        /// Parses a stored record; nil when unreadable.
        init?(_ text: String) {
            let parts = text.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
            guard let first = parts.first, let sequence = Int(first), first.allSatisfy(\.isNumber) else { return nil }
            self.sequence = sequence
            if parts.count == 4, parts[2] == "s" || parts[2] == "k" {
                (streamID, explicitKey, eventID) = (parts[1], parts[2] == "k", parts[3])
            } else if parts.count >= 3 {
                (streamID, explicitKey, eventID) = (parts[1], nil, parts[2...].joined(separator: " "))
            } else if parts.count == 2 {
                (streamID, explicitKey, eventID) = (parts[1], nil, nil)
            }
        }

        /// The stored form.
        var text: String { "\(sequence) \(streamID ?? "") \(explicitKey == true ? "k" : "s") \(eventID ?? "")" }
    }

    /// One result per event, in order.
    private(set) var outcomes: [Outcome] = []
    /// The entries to add, in order: each event with its stream id and sequence (the entry's
    /// fields are `sequence`, then the envelope's).
    private(set) var entries: [(id: StreamID, sequence: Int, envelope: EventEnvelope)] = []
    /// The subjects' new sequence records.
    private(set) var sequenceRecords: [(subject: String, record: String)] = []
    /// The appended ids' de-dup records ("stream-id sequence"), empty when the window is 0.
    private(set) var deduplication: [(eventID: String, record: String)] = []

    /// Plans `events`.
    /// - Parameters:
    ///   - records: each subject's stored sequence record (absent: no events yet).
    ///   - remembered: each event id's stored de-dup record, where there is one.
    ///   - lastID: the stream's last entry id (`StreamID.zero` when empty).
    ///   - now: the server's time in milliseconds; ids are `now-0`, `now-1`, … or follow `lastID`.
    init(events: [(envelope: EventEnvelope, expected: ExpectedSequence)], records: [String: String],
         remembered: [String: String], lastID: StreamID, now: UInt64, deduplicationWindowMilliseconds: Int) {
        var current: [String: SequenceRecord] = [:]
        var seen = remembered
        var next = now > lastID.milliseconds ? StreamID(milliseconds: now, sequence: 0)
                                              : StreamID(milliseconds: lastID.milliseconds, sequence: lastID.sequence + 1)
        var changed: [String] = [], changedSet = Set<String>()
        for (envelope, expected) in events {
            let subject = envelope.subject
            let record: SequenceRecord
            if let known = current[subject] {
                record = known
            } else if let stored = records[subject] {
                guard let parsed = SequenceRecord(stored) else {
                    outcomes.append(.invalid("unreadable sequence record for subject \(subject): \(stored)"))
                    continue
                }
                record = parsed
            } else {
                record = SequenceRecord(sequence: 0, streamID: nil, explicitKey: nil, eventID: nil)
            }
            current[subject] = record
            if let outcome = Self.refusal(of: envelope, expected: expected, record: record, seen: seen) {
                outcomes.append(outcome)
                continue
            }
            let sequence = record.sequence + 1
            entries.append((next, sequence, envelope))
            outcomes.append(.appended(streamID: next, sequence: sequence))
            let streamText = next.description
            if changedSet.insert(subject).inserted { changed.append(subject) }
            current[subject] = SequenceRecord(sequence: sequence, streamID: streamText, explicitKey: envelope.partitionKey != nil,
                                              eventID: envelope.id)
            if deduplicationWindowMilliseconds > 0 {
                let value = "\(streamText) \(sequence)"
                seen[envelope.id] = value
                deduplication.append((envelope.id, value))
            }
            next = StreamID(milliseconds: next.milliseconds, sequence: next.sequence + 1)
        }
        sequenceRecords = changed.map { ($0, current[$0]!.text) }
    }

    /// Why `envelope` is not appended: a duplicate (of the subject's latest event, or of an id
    /// remembered), or a conflict with `expected`; nil when it is appended.
    private static func refusal(of envelope: EventEnvelope, expected: ExpectedSequence, record: SequenceRecord,
                                seen: [String: String]) -> Outcome? {
        if record.eventID == envelope.id, let text = record.streamID, let streamID = StreamID(text) {
            return .duplicate(streamID: streamID, sequence: record.sequence)
        }
        if let previous = seen[envelope.id] {
            let parts = previous.split(separator: " ")
            if parts.count == 2, let streamID = StreamID(String(parts[0])), let sequence = Int(parts[1]) {
                return .duplicate(streamID: streamID, sequence: sequence)
            }
        }
        switch expected {
        case .any:
            return nil
        case .none:
            return record.sequence == 0 ? nil
                : .conflict("subject \(envelope.subject): expected no events (none), actual sequence \(record.sequence)")
        case .exactly(let wanted):
            return wanted == record.sequence ? nil
                : .conflict("subject \(envelope.subject): expected sequence \(wanted), actual sequence \(record.sequence)")
        }
    }
}
