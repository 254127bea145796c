import BerrysFoundation
import BerrysJSON
import Crypto
import DataKeys
import EventLog
import Foundation
import PostgresClient
import Projections
import TestSupport
import Testing

/// The data owners' keys on real PostgreSQL: one live key per owner, erasure destroys it, a
/// second process sees an erasure within the cache's bound (on a manual clock), and a wrong
/// master key is refused before anything is read.
@Suite struct DataKeyStoreTests {
    static let master = try! MasterKey(text: String(repeating: "5a", count: 32), source: "test")

    static func migratedPool() async throws -> PostgresPool {
        _ = try await Migrations.run(on: PostgresConnection(conninfo: TestServers.databaseURL))
        return PostgresPool(conninfo: TestServers.databaseURL, size: 2)
    }

    @Test func anOwnerHasOneLiveKeyUntilErasedThenItsFieldsReadAsErased() async throws {
        let pool = try await Self.migratedPool()
        let store = DataKeyStore(pool: pool, master: Self.master, clock: .system)
        let owner = "person-\(UUID().uuidString)"
        let first = try await store.sealer(forOwner: owner)
        let again = try await DataKeyStore(pool: pool, master: Self.master, clock: .system).sealer(forOwner: owner)
        #expect(first.keyID == again.keyID && first.key == again.key)
        let sealed = try first.seal(.string("my address"), eventID: "e-1", pointer: "/content")
        #expect(try await store.sealer(keyID: first.keyID)?.open(sealed, eventID: "e-1", pointer: "/content") == .string("my address"))
        // The key table holds wrapped keys only: never the data key itself.
        let stored = try await pool.query("SELECT wrapped FROM berrys_keys.data_keys WHERE key_id = $1", [first.keyID]).scalar
        #expect(stored != nil && stored != first.key.withUnsafeBytes { Data($0).base64EncodedString() })
        // The API's read-only role cannot see the keys.
        #expect(try await pool.query("SELECT has_schema_privilege('berrys_reader', 'berrys_keys', 'USAGE')").scalar == "f")

        #expect(try await store.erase(owner: owner) == [first.keyID])
        #expect(try await store.erase(owner: owner) == [], "erasing twice is harmless")
        #expect(try await store.sealer(keyID: first.keyID) == nil)
        #expect(try await pool.query("SELECT wrapped, erased_at IS NOT NULL FROM berrys_keys.data_keys WHERE key_id = $1", [first.keyID]).values.first?[1] == "t")
        // A later event of the same person gets a new key.
        #expect(try await store.sealer(forOwner: owner).keyID != first.keyID)
        let unknown = await #expect(throws: SealingError.self) { try await store.sealer(keyID: "never-made") }
        #expect(unknown?.message.contains("never-made") == true)
    }

    @Test func anotherProcessStopsOpeningWithinTheCacheBound() async throws {
        let pool = try await Self.migratedPool()
        let clock = ManualClock()
        let reader = DataKeyStore(pool: pool, master: Self.master, clock: clock.berrysClock(), maxAge: .seconds(30))
        let eraser = DataKeyStore(pool: pool, master: Self.master, clock: .system)
        let owner = "person-\(UUID().uuidString)"
        let id = try await eraser.sealer(forOwner: owner).keyID
        #expect(try await reader.sealer(keyID: id) != nil)
        _ = try await eraser.erase(owner: owner)
        clock.advance(by: .seconds(29))
        #expect(try await reader.sealer(keyID: id) != nil, "still cached: the bound is 30 s")
        clock.advance(by: .seconds(1))
        #expect(try await reader.sealer(keyID: id) == nil, "30 s after it was read, the erasure is seen")
    }

    @Test func aWrongMasterKeyIsRefusedClearly() async throws {
        let pool = try await Self.migratedPool()
        let owner = "person-\(UUID().uuidString)"
        let id = try await DataKeyStore(pool: pool, master: Self.master, clock: .system).sealer(forOwner: owner).keyID
        let wrong = try MasterKey(text: String(repeating: "6b", count: 32), source: "test")
        let error = await #expect(throws: SealingError.self) { try await DataKeyStore(pool: pool, master: wrong, clock: .system).sealer(keyID: id) }
        #expect(error?.code == .masterKey && error?.message.contains("does not unwrap with this master key") == true)
    }

    @Test func theCacheTrustsAReadForItsMaxAgeOnlyAndStaysBounded() {
        let key = KeyCache.Entry(keyID: "k1", key: SymmetricKey(size: .bits256))
        var cache = KeyCache(maxAge: .seconds(30), capacity: 2)
        let start = BerrysClock.Instant(offset: .zero)
        #expect(cache.key(id: "k1", now: start) == .stale)
        cache.remember(owner: "ada", key, now: start)
        #expect(cache.key(id: "k1", now: start + .seconds(29)) == .fresh(key))
        #expect(cache.key(owner: "ada", now: start + .seconds(30)) == .stale)
        cache.erased(owner: "ada", keyIDs: ["k1"], now: start + .seconds(1))
        #expect(cache.key(id: "k1", now: start + .seconds(2)) == .fresh(nil))
        #expect(cache.key(owner: "ada", now: start + .seconds(2)) == .stale)
        for (index, id) in ["k2", "k3", "k4"].enumerated() {
            cache.remember(id: id, nil, now: start + .seconds(Double(index + 3)))
        }
        #expect(cache.key(id: "k1", now: start + .seconds(6)) == .stale, "the oldest read went first")
        #expect(cache.key(id: "k4", now: start + .seconds(6)) == .fresh(nil))
    }
}
