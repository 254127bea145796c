import Foundation
@testable import Projections
import TestSupport
import Testing

/// The order handler statements run in: log order without batch handlers; with them, each
/// partition key's own order, and events of one type together where that order allows.
@Suite struct HandlerScheduleTests {
    func event(_ key: String, _ partitionKey: String, batch: Set<String> = ["created", "*"]) -> HandlerSchedule.Event {
        HandlerSchedule.Event(key: key, partitionKey: partitionKey, isBatch: batch.contains(key))
    }

    @Test func withoutBatchHandlersTheLogOrderIsKept() {
        let events = [event("a", "k1", batch: []), event("b", "k2", batch: []), event("a", "k2", batch: [])]
        #expect(HandlerSchedule.plan(events) == [.single(key: "a", event: 0), .single(key: "b", event: 1), .single(key: "a", event: 2)])
    }

    @Test func aCatchAllBatchHandlerTakesTheWholeBatch() {
        let events = (0..<5).map { event("*", "k\($0 % 2)") }
        #expect(HandlerSchedule.plan(events) == [.batch(key: "*", events: [0, 1, 2, 3, 4])])
    }

    @Test func eachTypeRunsTogetherWhilePerKeyOrderAllows() {
        // Three entities, each created then changed twice: all creations, then all changes.
        let events = ["x", "y", "z"].flatMap { [event("created", $0), event("changed", $0), event("changed", $0)] }
        #expect(HandlerSchedule.plan(events) == [
            .batch(key: "created", events: [0, 3, 6]),
            .single(key: "changed", event: 1), .single(key: "changed", event: 2), .single(key: "changed", event: 4),
            .single(key: "changed", event: 5), .single(key: "changed", event: 7), .single(key: "changed", event: 8),
        ])
    }

    @Test func anEventThatWouldOvertakeItsKeyStartsTheNextWave() {
        // x: created, changed, created again: the second creation may not join the first group
        // (it would run before x's change).
        let events = [event("created", "x"), event("changed", "x"), event("created", "x"), event("created", "y")]
        let plan = HandlerSchedule.plan(events)
        #expect(plan == [.batch(key: "created", events: [0]), .single(key: "changed", event: 1), .batch(key: "created", events: [2, 3])])
        // Every key's events still run in log order.
        var order: [Int] = []
        for step in plan {
            switch step {
            case .single(_, let index): order.append(index)
            case .batch(_, let indices): order += indices
            }
        }
        for key in ["x", "y"] {
            let mine = order.filter { events[$0].partitionKey == key }
            #expect(mine == mine.sorted(), "\(key): \(mine)")
        }
    }

    @Test func aBatchThatBeginsInTheMiddleOfAnEntityIsStillOneWave() {
        // a's specialization first (its creation was in the previous batch), then whole entities:
        // the specialization group runs last, after the creations and changes it follows.
        let kinds = ["spec"] + Array(repeating: ["created", "changed", "changed", "spec"], count: 2).flatMap { $0 }
        let keys = ["a", "b", "b", "b", "b", "c", "c", "c", "c"]
        let events = zip(kinds, keys).map { event($0, $1, batch: ["created", "changed", "spec"]) }
        #expect(HandlerSchedule.plan(events) == [
            .batch(key: "created", events: [1, 5]), .batch(key: "changed", events: [2, 3, 6, 7]), .batch(key: "spec", events: [0, 4, 8]),
        ])
    }

    @Test func everyEventRunsOnceAndEachKeyInLogOrderWhateverTheMix() {
        var random = SeededRandom(state: 7)
        for _ in 0..<500 {
            let events = (0..<Int.random(in: 1...40, using: &random)).map { _ in
                event(["created", "changed", "spec", "single"].randomElement(using: &random)!, "k\(Int.random(in: 0..<5, using: &random))",
                      batch: ["created", "changed", "spec"])
            }
            var order: [Int] = []
            for step in HandlerSchedule.plan(events) {
                switch step {
                case .single(let key, let index):
                    #expect(events[index].key == key)
                    order.append(index)
                case .batch(let key, let indices):
                    #expect(indices.allSatisfy { events[$0].key == key })
                    order += indices
                }
            }
            #expect(order.sorted() == Array(events.indices))
            for key in Set(events.map(\.partitionKey)) {
                let mine = order.filter { events[$0].partitionKey == key }
                #expect(mine == mine.sorted(), "\(key): \(mine)")
            }
        }
    }
}

/// A projection with a batch handler builds the same tables as its per-event twin.
@Suite struct BatchHandlerTests {
    static let schema = "CREATE TABLE seen (agent_id text PRIMARY KEY, name text, status text, changes int NOT NULL DEFAULT 0);"
    static let created = """
        INSERT INTO seen (agent_id, name) VALUES ($1->'data'->>'agent_id', $1->'data'->>'name') ON CONFLICT (agent_id) DO NOTHING;
        """
    static let createdBatch = """
        INSERT INTO seen (agent_id, name) SELECT e->'data'->>'agent_id', e->'data'->>'name' FROM jsonb_array_elements($1) AS e
        ON CONFLICT (agent_id) DO NOTHING;
        """
    // Lost if it ran before its agent's creation: the schedule must keep each key's order.
    static let changed = """
        UPDATE seen SET status = $1->'data'->>'new_status', changes = changes + 1 WHERE agent_id = $1->'data'->>'agent_id';
        """

    static func folder(name: String, batch: Bool) throws -> ProjectionDefinition {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("proj-\(UUID().uuidString)").appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("handlers"), withIntermediateDirectories: true)
        try #"{"name": "\#(name)", "version": 1, "handles": ["agent.created", "agent.status_changed"], "options": {"batch_size": 50}}"#
            .write(to: folder.appendingPathComponent("projection.json"), atomically: true, encoding: .utf8)
        try schema.write(to: folder.appendingPathComponent("schema.sql"), atomically: true, encoding: .utf8)
        try (batch ? createdBatch : created).write(to: folder.appendingPathComponent(batch ? "handlers/agent.created.batch.sql" : "handlers/agent.created.sql"),
                                                   atomically: true, encoding: .utf8)
        try changed.write(to: folder.appendingPathComponent("handlers/agent.status_changed.sql"), atomically: true, encoding: .utf8)
        return try ProjectionDefinition.load(from: folder)
    }

    @Test func aBatchHandlerGivesThePerEventTables() async throws {
        let harness = try await ProjectionHarness.make()
        try await DeterminismTests.workload(harness.log)
        let single = try Self.folder(name: "seen_single", batch: false)
        let batched = try Self.folder(name: "seen_batched", batch: true)
        #expect(batched.batchHandlers == ["agent.created"])
        #expect(single.checksum != batched.checksum)
        try await harness.project([single, batched])
        let difference = try await harness.pool.query("""
            SELECT count(*) FROM ((SELECT * FROM proj_seen_single_v1.seen EXCEPT SELECT * FROM proj_seen_batched_v1.seen)
            UNION ALL (SELECT * FROM proj_seen_batched_v1.seen EXCEPT SELECT * FROM proj_seen_single_v1.seen)) d
            """).scalar
        #expect(difference == "0")
        let changes = try await harness.pool.query("SELECT sum(changes) FROM proj_seen_batched_v1.seen").scalar
        #expect((Int(changes ?? "0") ?? 0) > 0, "status changes were applied after their creations")
    }

    @Test func bothFormsOfOneHandlerAreRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("proj-\(UUID().uuidString)").appendingPathComponent("both")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("handlers"), withIntermediateDirectories: true)
        try #"{"name": "both", "version": 1, "handles": ["agent.created"]}"#.write(to: folder.appendingPathComponent("projection.json"), atomically: true, encoding: .utf8)
        try Self.schema.write(to: folder.appendingPathComponent("schema.sql"), atomically: true, encoding: .utf8)
        try Self.created.write(to: folder.appendingPathComponent("handlers/agent.created.sql"), atomically: true, encoding: .utf8)
        try Self.createdBatch.write(to: folder.appendingPathComponent("handlers/agent.created.batch.sql"), atomically: true, encoding: .utf8)
        let error = #expect(throws: ProjectionError.self) { try ProjectionDefinition.load(from: folder) }
        #expect(error?.message.contains("keep one handler per type") == true)
    }
}

