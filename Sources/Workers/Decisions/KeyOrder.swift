/// Per-partition-key ordering inside one partition, as a pure value.
///
/// One event per key is in hand at a time; later events of a busy key wait in log order while
/// other keys go on. (Whether an event in hand is processed or parked behind an earlier parked
/// event of its key is decided elsewhere; either way the key stays busy until it is done.)
public struct KeyOrder<Entry: Sendable>: Sendable {
    /// What to do with a newly read entry.
    public enum Admission: Sendable, Hashable {
        /// Its key is free: take it now.
        case run
        /// An earlier event of its key is in hand: it waits, and is returned by `finished`.
        case wait
    }

    private var busy: Set<String> = []
    private var waiting: [String: [Entry]] = [:]

    /// Nothing in hand.
    public init() {}

    /// Decides about an entry of `key`, read in log order.
    public mutating func admit(_ entry: Entry, key: String) -> Admission {
        guard busy.insert(key).inserted else {
            waiting[key, default: []].append(entry)
            return .wait
        }
        return .run
    }

    /// The event in hand of `key` is done (acknowledged or parked); returns the next one of that
    /// key, which is now in hand, if one waits.
    public mutating func finished(key: String) -> Entry? {
        guard var queue = waiting[key], !queue.isEmpty else {
            busy.remove(key)
            waiting[key] = nil
            return nil
        }
        let next = queue.removeFirst()
        waiting[key] = queue.isEmpty ? nil : queue
        return next
    }

    /// Keys with an event in hand.
    public var busyKeys: Set<String> { busy }

    /// How many entries wait behind busy keys.
    public var waitingCount: Int { waiting.values.reduce(0) { $0 + $1.count } }
}
