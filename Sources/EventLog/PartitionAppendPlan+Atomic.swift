extension PartitionAppendPlan {
    /// Why the plan, taken as one atomic set, writes nothing: the first event refused (a
    /// conflict, an unreadable record), or a mix of ids seen before and new ones; nil when the
    /// set is written whole, or is a duplicate whole (`entries` empty, the originals' places in
    /// `outcomes`). Each condition was judged on the state before the set plus the set's
    /// earlier events, as `berrys_append_atomic` judges it.
    var atomicRefusal: EventLogError? {
        var duplicates: [Int] = []
        for (index, outcome) in outcomes.enumerated() {
            switch outcome {
            case .appended:
                continue
            case .duplicate:
                duplicates.append(index)
            case .conflict(let message):
                return EventLogError(.conflict, field: "expected", "event \(index + 1): \(message)", index: index)
            case .invalid(let message):
                return EventLogError(.invalidEnvelope, "event \(index + 1): \(message)", index: index)
            case .refused, .notReplicated:
                // Only the transaction's results carry these, never a plan.
                continue
            }
        }
        guard let first = duplicates.first, duplicates.count < outcomes.count else { return nil }
        return EventLogError(.partialDuplicate, field: "id", Self.partialDuplicateMessage(event: first, new: outcomes.count - duplicates.count),
                             index: first)
    }

    /// The words `berrys_append_atomic` uses too.
    static func partialDuplicateMessage(event index: Int, new: Int) -> String {
        "event \(index + 1) is in the log already and \(new) of the set are not: nothing was written; "
            + "send the whole set again with the same ids only if none was ever appended"
    }
}
