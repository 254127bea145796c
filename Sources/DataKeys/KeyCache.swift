import BerrysFoundation
import Crypto

/// A process's memory of data keys, a pure value: what it read is trusted for `maxAge`, so a
/// key erased by another process stops opening (and sealing) fields here at most `maxAge`
/// after the erasure committed. Bounded: past `capacity` entries the oldest reads go first.
public struct KeyCache: Sendable {
    /// What the cache knows of a key id or an owner.
    public enum Lookup: Sendable, Equatable {
        /// Read less than `maxAge` ago: the key, or nil when it was erased.
        case fresh(Entry?)
        /// Not known, or read too long ago: read it again.
        case stale
    }

    /// A key with its id.
    public struct Entry: Sendable, Equatable {
        public var keyID: String
        public var key: SymmetricKey

        public init(keyID: String, key: SymmetricKey) {
            self.keyID = keyID
            self.key = key
        }
    }

    public let maxAge: Duration
    public let capacity: Int
    private struct Read<Value: Sendable>: Sendable {
        var entry: Value
        var readAt: BerrysClock.Instant
    }

    private var byID: [String: Read<Entry?>] = [:]
    private var byOwner: [String: Read<Entry>] = [:]

    public init(maxAge: Duration, capacity: Int = 100_000) {
        self.maxAge = maxAge
        self.capacity = max(1, capacity)
    }

    /// The key `id`, if read recently enough.
    public func key(id: String, now: BerrysClock.Instant) -> Lookup {
        guard let known = byID[id], now - known.readAt < maxAge else { return .stale }
        return .fresh(known.entry)
    }

    /// The live key of `owner`, if read recently enough.
    public func key(owner: String, now: BerrysClock.Instant) -> Lookup {
        guard let known = byOwner[owner], now - known.readAt < maxAge else { return .stale }
        return .fresh(known.entry)
    }

    /// Remembers key `id` as read now (nil: erased).
    public mutating func remember(id: String, _ entry: Entry?, now: BerrysClock.Instant) {
        byID[id] = Read(entry: entry, readAt: now)
        trim(&byID)
    }

    /// Remembers the live key of `owner` as read now.
    public mutating func remember(owner: String, _ entry: Entry, now: BerrysClock.Instant) {
        byOwner[owner] = Read(entry: entry, readAt: now)
        byID[entry.keyID] = Read(entry: entry, readAt: now)
        trim(&byOwner)
        trim(&byID)
    }

    /// Forgets `owner` and marks `keyIDs` erased (an erasure made by this process: seen at once).
    public mutating func erased(owner: String, keyIDs: [String], now: BerrysClock.Instant) {
        byOwner.removeValue(forKey: owner)
        for id in keyIDs { byID[id] = Read(entry: nil, readAt: now) }
    }

    private func trim<Value>(_ table: inout [String: Read<Value>]) {
        guard table.count > capacity else { return }
        let oldest = table.sorted { $0.value.readAt < $1.value.readAt }.prefix(table.count - capacity).map(\.key)
        for key in oldest { table.removeValue(forKey: key) }
    }
}
