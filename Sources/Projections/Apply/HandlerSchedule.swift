/// The order a batch's handler statements run in, a pure value tested without PostgreSQL.
///
/// Without batch handlers every event runs on its own, in log order. With them, statements
/// are fewer when the events of one type run together: a batch handler gets all the events of
/// its type that can go together, in log order, as one jsonb array. Events are regrouped only
/// as far as projections allow: the order between events of *different* partition keys is
/// already free (they may sit in different partitions, applied in any interleaving; see the
/// rules in projections/README.md), so the one order kept is each partition key's own.
///
/// Groups are formed in waves. Within a wave, a partition key whose event sits in group A and
/// whose next event joins group B makes A run before B; an event joins its type's group unless
/// that would close a cycle (B must already run before A: the key went back to a type it had
/// left), and then it starts the next wave. Groups run in an order that keeps every such
/// "before", the order their types first appeared where nothing constrains them. (Running groups
/// in first-appearance order alone made a batch that began in the middle of an entity's events
/// — its specialization first, then the next entity's creation — one wave per entity: 86
/// statements for 114 events, measured in `berrys-bench replay`.)
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

    /// The groups of one wave, and which must run before which.
    private struct Wave {
        var groups: [(key: String, events: [Int])] = []
        var groupOfKey: [String: Int] = [:]
        /// The latest group each partition key has an event in.
        var lastGroupOfPartitionKey: [String: Int] = [:]
        /// Group → the groups that must run after it.
        var before: [Int: Set<Int>] = [:]

        /// Adds the event when its partition key's order allows; false when it must wait for the next wave.
        mutating func add(_ index: Int, _ event: Event) -> Bool {
            let previous = lastGroupOfPartitionKey[event.partitionKey]
            let group: Int
            if let existing = groupOfKey[event.key] {
                if let previous, previous != existing {
                    guard !runsBefore(existing, previous) else { return false }
                }
                group = existing
            } else {
                group = groups.count
                groups.append((event.key, []))
                groupOfKey[event.key] = group
            }
            if let previous, previous != group { before[previous, default: []].insert(group) }
            groups[group].events.append(index)
            lastGroupOfPartitionKey[event.partitionKey] = group
            return true
        }

        /// Whether `first` must run before `second` (directly or through other groups).
        private func runsBefore(_ first: Int, _ second: Int) -> Bool {
            var seen: Set<Int> = [first]
            var next = [first]
            while let group = next.popLast() {
                for later in before[group] ?? [] where seen.insert(later).inserted {
                    if later == second { return true }
                    next.append(later)
                }
            }
            return false
        }

        /// The groups in an order that keeps every "before" (Kahn's algorithm, taking the
        /// earliest-appeared group among those free to run).
        private func order() -> [Int] {
            var waitingFor = [Int](repeating: 0, count: groups.count)
            for laters in before.values { for later in laters { waitingFor[later] += 1 } }
            var free = Set(groups.indices.filter { waitingFor[$0] == 0 })
            var ordered: [Int] = []
            while let group = free.min() {
                free.remove(group)
                ordered.append(group)
                for later in before[group] ?? [] {
                    waitingFor[later] -= 1
                    if waitingFor[later] == 0 { free.insert(later) }
                }
            }
            return ordered
        }

        func steps(_ events: [Event]) -> [Step] {
            order().flatMap { index -> [Step] in
                let group = groups[index]
                guard let first = group.events.first, events[first].isBatch else {
                    return group.events.map { .single(key: group.key, event: $0) }
                }
                return [.batch(key: group.key, events: group.events)]
            }
        }
    }
}
