import BerrysJSON
import EventLog
import Foundation
import RedisClient
import TestSupport
import Testing

/// The key layout is written twice: in Swift (`LogKeys`) and in the Lua, which derives its
/// keys from the stream key it is given. This checks the one against the other on a real
/// Redis: every key the functions write (append, batch, schedule, fire, a failed fire, trim) is
/// a key `LogKeys` names, and every name of `LogKeys` is used.
@Suite struct KeyLayoutTests {
    private func draft(_ project: String) -> EventDraft {
        EventDraft(type: "project.status_changed",
                   data: .object(["project_id": .string(project), "previous_status": .string("DRAFT"), "new_status": .string("PLANNING")]))
    }

    @Test func everyKeyTheFunctionsWriteIsOneLogKeysNames() async throws {
        let log = try await TestLog.open(partitions: 2)
        let redis = RedisPool(configuration: TestServers.redisConfiguration, size: 1)
        let (one, two) = (UUID().uuidString.lowercased(), UUID().uuidString.lowercased())
        _ = try await log.append(draft(one))
        _ = try await log.appendBatch([try log.prepare(draft(two)), try log.prepare(draft(two))])
        // Held for an hour (its keys stay), and held for the past under `none` on a subject
        // that has events: the fire finds it due and sets it aside as failed.
        _ = try await log.schedule(prepared: try log.prepare(draft(one)), at: Date().addingTimeInterval(3600))
        let failing = try log.prepare(draft(one))
        _ = try await log.schedule(prepared: failing, at: Date(timeIntervalSince1970: 1), expected: ExpectedSequence.none)
        #expect(try await log.fireDue(partition: log.partition(of: failing)).failed == 1)
        for partition in 0..<2 {
            _ = try await log.trim(partition: partition, below: try await log.lastStreamID(partition: partition), maximumEntries: 1)
        }

        let keys = LogKeys(namespace: log.configuration.namespace)
        let named: [String: String] = Dictionary(uniqueKeysWithValues: (0..<2).flatMap { p in
            [(keys.stream(partition: p), "stream"), (keys.sequences(partition: p), "sequences"), (keys.trimmed(partition: p), "trimmed"),
             (keys.config(partition: p), "config"), (keys.schedule(partition: p), "schedule"), (keys.scheduled(partition: p), "scheduled"),
             (keys.scheduleFailed(partition: p), "scheduleFailed")]
        } + [(keys.meta, "meta")])
        let dedupPrefixes = (0..<2).map { keys.deduplication(partition: $0, eventID: "") }
        var used: Set<String> = []
        for key in try await redis.scanKeys(matching: "\(keys.namespace):*") {
            if let name = named[key] {
                used.insert(name)
            } else if dedupPrefixes.contains(where: key.hasPrefix) {
                used.insert("deduplication")
            } else {
                Issue.record("\(key) is written by a function but named nowhere in LogKeys")
            }
        }
        #expect(used == Set(named.values).union(["deduplication"]), "every name of LogKeys is used")
    }
}
