import BerrysFoundation
import Crypto
import EventLog
import Foundation
import PostgresClient
import Synchronization

/// The data owners' keys, in PostgreSQL (`berrys_keys.data_keys`, a schema of its own so that
/// backups of the log can leave it out), each wrapped with the master key, behind a
/// per-process `KeyCache`.
///
/// An owner has one live key, made on first use; erasing the owner destroys its keys (the
/// wrapped bytes are deleted, the row stays so that its id reads as erased, not unknown).
public final class DataKeyStore: Sendable {
    private let pool: PostgresPool
    private let master: MasterKey
    private let clock: BerrysClock
    // Mutex: request and worker tasks read and fill the cache concurrently; held only for lookups.
    private let cache: Mutex<KeyCache>

    /// - Parameter maxAge: how long a read key is trusted: an erasure by another process is
    ///   seen here within it (`BERRYS_KEY_CACHE_SECONDS`, default 30 s).
    public init(pool: PostgresPool, master: MasterKey, clock: BerrysClock, maxAge: Duration = .seconds(30)) {
        self.pool = pool
        self.master = master
        self.clock = clock
        self.cache = Mutex(KeyCache(maxAge: maxAge))
    }

    /// The sealer for new events of `owner`: its live key, made on first use.
    public func sealer(forOwner owner: String) async throws -> FieldSealer {
        if case .fresh(let entry?) = cache.withLock({ $0.key(owner: owner, now: clock.now) }) {
            return FieldSealer(key: entry.key, keyID: entry.keyID)
        }
        let (made, wrapped) = try master.newDataKey()
        let keyID = Self.newKeyID()
        try await pool.query("""
            INSERT INTO berrys_keys.data_keys (key_id, owner, wrapped) VALUES ($1, $2, $3)
            ON CONFLICT (owner) WHERE erased_at IS NULL DO NOTHING
            """, [keyID, owner, Data(wrapped).base64EncodedString()])
        let rows = try await pool.query("SELECT key_id, wrapped FROM berrys_keys.data_keys WHERE owner = $1 AND erased_at IS NULL", [owner]).values
        guard let row = rows.first, let id = row[0], let text = row[1], let bytes = Data(base64Encoded: text) else {
            throw SealingError(.masterKey, "the live key of owner \(owner) could not be read back")
        }
        let key = id == keyID ? made : try master.unwrap(Array(bytes))
        let entry = KeyCache.Entry(keyID: id, key: key)
        cache.withLock { $0.remember(owner: owner, entry, now: clock.now) }
        return FieldSealer(key: key, keyID: id)
    }

    /// The sealer of key `id`, or nil when its owner was erased.
    /// - Throws: `SealingError.notAuthentic` for an id no key ever had.
    public func sealer(keyID id: String) async throws -> FieldSealer? {
        if case .fresh(let entry) = cache.withLock({ $0.key(id: id, now: clock.now) }) {
            return entry.map { FieldSealer(key: $0.key, keyID: $0.keyID) }
        }
        let rows = try await pool.query("SELECT wrapped FROM berrys_keys.data_keys WHERE key_id = $1", [id]).values
        guard let row = rows.first else { throw SealingError(.notAuthentic, "no data key has the id \(id)") }
        guard let text = row[0], let bytes = Data(base64Encoded: text) else {
            cache.withLock { $0.remember(id: id, nil, now: clock.now) }
            return nil
        }
        let entry = KeyCache.Entry(keyID: id, key: try master.unwrap(Array(bytes)))
        cache.withLock { $0.remember(id: id, entry, now: clock.now) }
        return FieldSealer(key: entry.key, keyID: id)
    }

    /// Destroys every key of `owner`; returns the ids destroyed (none when already erased).
    public func erase(owner: String) async throws -> [String] {
        let ids = try await pool.query("""
            UPDATE berrys_keys.data_keys SET wrapped = NULL, erased_at = now()
            WHERE owner = $1 AND erased_at IS NULL RETURNING key_id
            """, [owner]).values.compactMap { $0[0] }
        cache.withLock { $0.erased(owner: owner, keyIDs: ids, now: clock.now) }
        return ids
    }

    /// 16 random bytes, base64url: a key id says nothing about its owner.
    static func newKeyID() -> String {
        let bytes = SymmetricKey(size: .bits128).withUnsafeBytes { Array($0) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
