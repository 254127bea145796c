/// Per-partition-key ordering inside one partition, as a pure value.
///
/// One event per key runs at a time; later events of a busy key wait in log order while other
/// keys go on. When an event is parked, its key is parked too: the events of that key that
/// follow are dead-lettered behind it (sequenced dead-lettering) until the key is released by
/// a retry or a drop of the parked event.
public struct KeyOrder<Entry: Sendable & Hashable>: Sendable {
    /// What to do with a newly read entry.
    public enum Admission: Sendable, Hashable {
        /// Its key is free: run it now.
        case run
        /// An earlier event of its key is running: it waits (and runs when that one is done).
        case wait
        /// Its key is parked: park it behind the parked event.
        case parkBehind
    }

    private var running: Set<String> = []
    private var waiting: [String: [Entry]] = [:]
    private var parked: Set<String> = []

    public init() {}

    /// Decides about an entry of `key`, read in log order.
    public mutating func admit(_ entry: Entry, key: String) -> Admission {
        if parked.contains(key) { return .parkBehind }
        if running.contains(key) {
            waiting[key, default: []].append(entry)
            return .wait
        }
        running.insert(key)
        return .run
    }

    /// The running event of `key` is done (acknowledged); returns the next one of that key to
    /// run, if one waits.
    public mutating func finished(key: String) -> Entry? {
        guard var queue = waiting[key], !queue.isEmpty else {
            running.remove(key)
            waiting[key] = nil
            return nil
        }
        let next = queue.removeFirst()
        waiting[key] = queue.isEmpty ? nil : queue
        return next
    }

    /// The running event of `key` was parked; returns the waiting events of that key, which
    /// must be parked behind it, in order.
    public mutating func parked(key: String) -> [Entry] {
        running.remove(key)
        parked.insert(key)
        return waiting.removeValue(forKey: key) ?? []
    }

    /// The parked event of `key` was retried successfully or dropped: the key flows again.
    public mutating func release(key: String) {
        parked.remove(key)
    }

    /// True while `key` has a parked event.
    public func isParked(_ key: String) -> Bool { parked.contains(key) }

    /// Keys with an event running now.
    public var busyKeys: Set<String> { running }
}
