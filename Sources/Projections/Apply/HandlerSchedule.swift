/// The order a batch's handler statements run in, a pure value tested without PostgreSQL.
///
/// Without batch handlers every event runs on its own, in log order. With them, statements
/// are fewer when the events of one type run together: a batch handler gets all the events of
/// its type that can go together, in log order, as one jsonb array. Events are regrouped only
/// as far as projections allow: the order between events of *different* partition keys is
/// already free (they may sit in different partitions, applied in any interleaving; see the
/// rules in projections/README.md), so the one order kept is each partition key's own.
///
/// Groups are formed in waves: an event joins its type's group in the current wave when no
/// earlier event of its partition key in the wave sits in a later group; otherwise it starts
/// the next wave. Within a wave groups run in the order their types first appeared.
enum HandlerSchedule {
    /// One event as the schedule sees it.
    struct Event: Sendable {
        /// The handler it runs (its type, or `*`).
        let key: String
        /// Its partition key: the unit whose order is kept.
        let partitionKey: String
        /// Whether that handler is a batch handler.
        let isBatch: Bool
    }

    /// A step of the schedule: indices into the batch's events.
    enum Step: Sendable, Equatable {
        /// A per-event handler run for one event.
        case single(key: String, event: Int)
        /// A batch handler run once for these events (in log order).
        case batch(key: String, events: [Int])
    }

    static func plan(_ events: [Event]) -> [Step] {
        guard events.contains(where: \.isBatch) else {
            return events.indices.map { .single(key: events[$0].key, event: $0) }
        }
        var steps: [Step] = []
        var wave = Wave()
        for (index, event) in events.enumerated() where !wave.add(index, event) {
            steps += wave.steps(events)
            wave = Wave()
            _ = wave.add(index, event)
        }
        return steps + wave.steps(events)
    }

    /// The groups of one wave.
    private struct Wave {
        var groups: [(key: String, events: [Int])] = []
        var groupOfKey: [String: Int] = [:]
        /// The latest group each partition key has an event in.
        var lastGroupOfPartitionKey: [String: Int] = [:]

        /// Adds the event when its partition key's order allows; false when it must wait for the next wave.
        mutating func add(_ index: Int, _ event: Event) -> Bool {
            let group: Int
            if let existing = groupOfKey[event.key] {
                guard (lastGroupOfPartitionKey[event.partitionKey] ?? -1) <= existing else { return false }
                group = existing
            } else {
                group = groups.count
                groups.append((event.key, []))
                groupOfKey[event.key] = group
            }
            groups[group].events.append(index)
            lastGroupOfPartitionKey[event.partitionKey] = group
            return true
        }

        func steps(_ events: [Event]) -> [Step] {
            groups.flatMap { group -> [Step] in
                guard let first = group.events.first, events[first].isBatch else {
                    return group.events.map { .single(key: group.key, event: $0) }
                }
                return [.batch(key: group.key, events: group.events)]
            }
        }
    }
}
