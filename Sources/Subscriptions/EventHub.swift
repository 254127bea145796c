import BerrysFoundation
import EventLog
import Logging
import Metrics
import RedisClient
import ServiceLifecycle
import Synchronization

/// The one live reader of the log per process, as a `Service`: blocking reads over the
/// partitions (one `XREAD` over all of them on a single Redis; one per partition in a cluster,
/// where each partition has a slot of its own), each event decoded, upcast and rendered once,
/// then handed to every subscriber whose filter it passes. There is no Redis connection per
/// subscriber.
///
/// Each subscriber has a bounded queue. A subscriber whose queue is full is not waited for: it
/// is told it overflowed and its queue ends, so one slow client never slows the others.
public final class EventHub: Service, Sendable {
    /// How the hub reads and buffers.
    public struct Settings: Sendable {
        /// Events that may wait for one subscriber before it overflows.
        public var bufferCapacity: Int
        /// How often subscribers get a heartbeat.
        public var heartbeat: Duration
        /// Most entries per read and partition.
        public var readCount: Int
        /// How long one blocking read waits.
        public var block: Duration

        public init(bufferCapacity: Int = 10_000, heartbeat: Duration = .seconds(15), readCount: Int = 500, block: Duration = .seconds(1)) {
            self.bufferCapacity = max(1, bufferCapacity)
            self.heartbeat = heartbeat
            self.readCount = readCount
            self.block = block
        }
    }

    let log: EventLog
    let redis: RedisPool
    /// The whole log by position, for subscribers' catch-up and for a hub that fell below the trimmed point.
    let history: any EventSource
    public let settings: Settings
    let logger: Logger
    let metrics = StreamMetrics()
    // Mutex: readers fan out from their tasks while requests register and leave from theirs.
    private let state = Mutex(HubState())

    struct HubState {
        /// The hub's position in every partition; nil until it started.
        var positions: [StreamID]?
        var subscribers: [Int: Subscriber] = [:]
        /// Subscribers of one subject, by subject: an event is checked against those of its own
        /// subject and the unindexed ones only, not against every subscriber.
        var bySubject: [String: Set<Int>] = [:]
        var unindexed: Set<Int> = []
        var nextID = 0
        /// Closed for shutdown: no one registers any more.
        var closed = false
    }

    struct Subscriber {
        let filter: StreamFilter
        let queue: SubscriberQueue
    }

    public init(log: EventLog, redis: RedisPool, history: any EventSource, settings: Settings = Settings(),
                logger: Logger = Logger(label: "berrys.stream")) {
        self.log = log
        self.redis = redis
        self.history = history
        self.settings = settings
        self.logger = logger
    }

    /// Subscribers now.
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    public func run() async throws {
        defer { close() }
        try await cancelWhenGracefulShutdown {
            let start = try await self.startingPositions()
            let groups = try await RetryLoop(backoff: .serviceRestart, budget: .unlimited, clock: self.log.clock).run(
                isRetryable: { _ in !Task.isCancelled }) { try await self.readerGroups() }
            self.state.withLock { $0.positions = start }
            self.logger.info("live stream reading \(self.log.partitioner.partitions) partitions with \(groups.count) blocking reads")
            await withTaskGroup(of: Void.self) { group in
                for partitions in groups {
                    group.addTask { await self.follow(partitions, from: start) }
                }
                group.addTask { await self.beatHearts() }
            }
        }
    }

    /// The newest entry of every partition, when the hub starts: it delivers what comes after.
    private func startingPositions() async throws -> [StreamID] {
        try await RetryLoop(backoff: .serviceRestart, budget: .unlimited, clock: log.clock).run(
            isRetryable: { _ in !Task.isCancelled },
            onRetry: { error, delay in self.logger.warning("live stream not started (\(error)); retrying in \(delay.secondsText)") }
        ) {
            var positions: [StreamID] = []
            for partition in 0..<log.partitioner.partitions { positions.append(try await log.lastStreamID(partition: partition)) }
            return positions
        }
    }

    /// All partitions in one read on a single Redis; one per partition in a cluster.
    private func readerGroups() async throws -> [[Int]] {
        let all = Array(0..<log.partitioner.partitions)
        return try await redis.isCluster() ? all.map { [$0] } : [all]
    }

    /// Waits until the hub has started, at most `timeout`.
    /// - Throws: `StreamUnavailable` when it has not.
    public func waitUntilStarted(timeout: Duration) async throws {
        let deadline = log.clock.now + timeout
        while state.withLock({ $0.positions == nil }) {
            guard log.clock.now < deadline else { throw StreamUnavailable() }
            try await log.clock.sleep(for: .milliseconds(20))
        }
    }

    /// A subscriber's registration: the hub's positions when it registered, and its queue.
    public struct Registration: Sendable {
        public let positions: [StreamID]
        public let queue: SubscriberQueue
        let id: Int
    }

    /// Registers a subscriber: from now on, every event the hub reads that passes `filter` is
    /// queued for it, until it leaves, its queue overflows, or the hub closes.
    /// - Throws: `StreamUnavailable` when the hub has not started or is closed.
    public func register(_ filter: StreamFilter) throws -> Registration {
        let queue = SubscriberQueue(capacity: settings.bufferCapacity)
        let registered = state.withLock { state -> (id: Int, positions: [StreamID], count: Int)? in
            guard let positions = state.positions, !state.closed else { return nil }
            state.nextID += 1
            state.subscribers[state.nextID] = Subscriber(filter: filter, queue: queue)
            if let subject = filter.subject { state.bySubject[subject, default: []].insert(state.nextID) } else { state.unindexed.insert(state.nextID) }
            return (state.nextID, positions, state.subscribers.count)
        }
        guard let registered else { throw StreamUnavailable() }
        metrics.subscribers.record(registered.count)
        return Registration(positions: registered.positions, queue: queue, id: registered.id)
    }

    /// The subscriber is gone (its connection ended): nothing more is queued for it.
    public func leave(_ registration: Registration) {
        let count = state.withLock { state -> Int in
            state.remove(registration.id)
            return state.subscribers.count
        }
        registration.queue.end()
        metrics.subscribers.record(count)
    }

    /// True once closed.
    public var isClosed: Bool { state.withLock { $0.closed } }

    /// Ends every subscriber's queue and refuses new ones, for a shutdown: the server waits for
    /// open requests before the hub stops, so its shutdown closes the hub first. Clients
    /// reconnect (to another instance) with their `Last-Event-ID`.
    public func close() {
        let queues = state.withLock { state -> [SubscriberQueue] in
            state.closed = true
            defer { (state.subscribers, state.bySubject, state.unindexed) = ([:], [:], []) }
            return state.subscribers.values.map(\.queue)
        }
        for queue in queues { queue.end() }
    }

    /// Moves the hub's position past `through` when no one subscribes, in the same step as
    /// the check: a subscriber registering right after gets positions past these events (they
    /// came before it).
    /// - Returns: true when there was no subscriber (the events need no rendering).
    func passOverWithoutSubscribers(partition: Int, through position: StreamID) -> Bool {
        state.withLock { state in
            guard state.subscribers.isEmpty, state.positions != nil else { return false }
            state.positions?[partition] = position
            return true
        }
    }

    /// Queues `events` (of one partition, in log order) for the subscribers they pass; a
    /// subscriber whose queue is full is dropped (its queue tells it it overflowed).
    func fanOut(_ events: [(event: EventEnvelope, position: Position, body: String)]) {
        let overflowed = state.withLock { state -> Int in
            guard var positions = state.positions else { return 0 }
            var overflowed = 0
            for (event, position, body) in events {
                positions[position.partition] = position.streamID
                let live = LiveEvent(event: event, position: position, body: body, hubPositions: positions)
                for id in state.candidates(subject: live.subject) {
                    guard let subscriber = state.subscribers[id], live.passes(subscriber.filter) else { continue }
                    if !state.offer(.event(live), to: id) { overflowed += 1 }
                }
            }
            state.positions = positions
            return overflowed
        }
        if overflowed > 0 { metrics.overflows.increment(by: overflowed) }
    }

    /// Sends every subscriber the hub's positions, every heartbeat interval.
    private func beatHearts() async {
        while !Task.isCancelled {
            try? await log.clock.sleep(for: settings.heartbeat)
            let overflowed = state.withLock { state -> Int in
                guard let positions = state.positions else { return 0 }
                var overflowed = 0
                for id in Array(state.subscribers.keys) where !state.offer(.heartbeat(positions), to: id) { overflowed += 1 }
                return overflowed
            }
            if overflowed > 0 { metrics.overflows.increment(by: overflowed) }
        }
    }
}

extension EventHub.HubState {
    /// The subscribers an event of `subject` may pass: those of that subject, and those whose
    /// filter names no subject.
    func candidates(subject: String) -> [Int] {
        guard let ofSubject = bySubject[subject] else { return Array(unindexed) }
        return Array(ofSubject) + Array(unindexed)
    }

    /// Queues `item` for subscriber `id`; one whose queue overflows is removed.
    /// - Returns: false when it overflowed.
    mutating func offer(_ item: LiveItem, to id: Int) -> Bool {
        guard let subscriber = subscribers[id] else { return true }
        if subscriber.queue.offer(item) { return true }
        remove(id)
        return false
    }

    mutating func remove(_ id: Int) {
        guard let subscriber = subscribers.removeValue(forKey: id) else { return }
        if let subject = subscriber.filter.subject {
            bySubject[subject]?.remove(id)
            if bySubject[subject]?.isEmpty == true { bySubject[subject] = nil }
        } else {
            unindexed.remove(id)
        }
    }
}

/// The live stream has not started (Redis unreachable since the server started).
public struct StreamUnavailable: Error, Sendable, CustomStringConvertible {
    public var description: String { "the live event stream has not started yet (is Redis reachable?); try again" }
}
