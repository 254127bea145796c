import EventLog

/// The catch-up of a consumer group created below a partition's trimmed point, as a pure value:
/// what to read next, which entries of a read to deliver and in which waves, and how far the
/// recorded progress may move once a batch ended.
///
/// Why: a consumer group reads Redis only, and retention removed the partition's oldest entries
/// (they are in the archive). `GroupStart.beginning` then creates the group at the trimmed point
/// `target` (it delivers what comes after it) and records this catch-up; the partition's lease
/// holder delivers every entry at or below `target` from the tiered log (`EventSource`) before
/// the group reads anything, so a key's events still arrive in log order.
///
/// Each read is delivered in waves: wave k holds the k-th entry of every key in the read, so a
/// wave's entries have distinct keys and run side by side, and a key's next entry waits for the
/// wave before. Progress moves after a batch: to the batch's last position when every entry was
/// handled or parked, else to the last position before the earliest entry left unfinished
/// (redelivered after a restart, at least once as from a group's pending list).
public struct Backfill: Sendable, Equatable {
    /// The group's start: every entry at or below it is the catch-up's to deliver.
    public let target: StreamID
    /// Every entry at or below it was delivered.
    public private(set) var position: StreamID
    /// True once nothing at or below `target` is left.
    public private(set) var isFinished: Bool

    /// A catch-up to `target` that delivered everything through `position` so far.
    public init(target: StreamID, position: StreamID = .zero) {
        self.target = target
        self.position = position
        self.isFinished = position >= target
    }

    /// What to read next: the entries after this position, or nothing once finished.
    public var nextRead: StreamID? { isFinished ? nil : position }

    /// One entry of a read: its position, its ordering key, and what to deliver.
    public struct Entry<Payload: Sendable>: Sendable {
        public var position: StreamID
        public var key: String
        public var payload: Payload

        public init(position: StreamID, key: String, payload: Payload) {
            self.position = position
            self.key = key
            self.payload = payload
        }
    }

    /// A read made ready: its waves, and the position the batch reaches when all of it ends.
    public struct Batch<Payload: Sendable>: Sendable {
        /// Entries of distinct keys per wave; a key's entries in log order, one wave after another.
        public var waves: [[Entry<Payload>]]
        /// The last position of the read at or below the target (entries the worker does not
        /// handle count as delivered).
        public var reaches: StreamID
    }

    /// Plans the delivery of a read made after `nextRead`.
    /// - Parameters:
    ///   - read: every position the read returned, in log order, with the entry to deliver
    ///     (nil for one the worker does not handle).
    /// - Returns: nil when nothing at or below the target is left (the catch-up is finished).
    public mutating func plan<Payload>(_ read: [(position: StreamID, entry: Entry<Payload>?)]) -> Batch<Payload>? {
        let due = read.filter { $0.position > position && $0.position <= target }
        guard let last = due.last else {
            isFinished = true
            return nil
        }
        var waveOfKey: [String: Int] = [:]
        var waves: [[Entry<Payload>]] = []
        for case let entry? in due.map(\.entry) {
            let wave = waveOfKey[entry.key, default: 0]
            waveOfKey[entry.key] = wave + 1
            if wave == waves.count { waves.append([]) }
            waves[wave].append(entry)
        }
        return Batch(waves: waves, reaches: last.position)
    }

    /// Records how a planned batch ended.
    /// - Parameters:
    ///   - batch: the batch as planned.
    ///   - unfinished: positions of the batch's entries neither handled nor parked: left
    ///     pending when stopped, or not started because an earlier wave left some.
    /// - Returns: the new position to record, or nil when it does not move.
    public mutating func ended<Payload>(_ batch: Batch<Payload>, unfinished: Set<StreamID>) -> StreamID? {
        let reached: StreamID
        if let earliest = unfinished.min() {
            let before = batch.waves.joined().map(\.position).filter { $0 < earliest }.max()
            // Entries the worker does not handle below the earliest unfinished one count too,
            // but their positions are not in the waves: the earliest unfinished bounds them.
            reached = max(position, before ?? position)
        } else {
            reached = batch.reaches
        }
        if reached >= target { isFinished = true }
        guard reached > position else { return nil }
        position = reached
        return reached
    }
}
