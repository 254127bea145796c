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
        /// How long one blocking read waits, in milliseconds.
        public var blockMilliseconds: Int

        public init(bufferCapacity: Int = 10_000, heartbeat: Duration = .seconds(15), readCount: Int = 500, blockMilliseconds: Int = 1000) {
            self.bufferCapacity = max(1, bufferCapacity)
            self.heartbeat = heartbeat
            self.readCount = readCount
            self.blockMilliseconds = blockMilliseconds
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
        var nextID = 0
        /// Closed for shutdown: no one registers any more.
        var closed = false
    }

    struct Subscriber {
        let filter: StreamFilter
        let continuation: AsyncStream<LiveItem>.Continuation
        let overflowed: Flag
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
            let groups = try await RetryLoop(backoff: Backoff(initial: 0.2, maximum: 5), budget: .unlimited).run(
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
        try await RetryLoop(backoff: Backoff(initial: 0.2, maximum: 5), budget: .unlimited).run(
            isRetryable: { _ in !Task.isCancelled },
            onRetry: { error, delay in self.logger.warning("live stream not started (\(error)); retrying in \(String(format: "%.1f", delay)) s") }
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

    /// Waits until the hub has started, at most `timeout` seconds.
    /// - Throws: `StreamUnavailable` when it has not.
    public func waitUntilStarted(timeout: Double) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while state.withLock({ $0.positions == nil }) {
            guard ContinuousClock.now < deadline else { throw StreamUnavailable() }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// A subscriber's registration: the hub's positions when it registered, and its queue.
    public struct Registration: Sendable {
        public let positions: [StreamID]
        public let items: AsyncStream<LiveItem>
        let overflowed: Flag
        /// True once its queue ended because it overflowed.
        public var didOverflow: Bool { overflowed.isRaised }
    }

    /// Registers a subscriber: from now on, every event the hub reads that passes `filter` is
    /// queued for it, until the queue's consumer goes away, the queue overflows, or the hub stops.
    /// - Throws: `StreamUnavailable` when the hub has not started.
    public func register(_ filter: StreamFilter) throws -> Registration {
        let (items, continuation) = AsyncStream<LiveItem>.makeStream(bufferingPolicy: .bufferingOldest(settings.bufferCapacity))
        let overflowed = Flag()
        let registered = state.withLock { state -> (id: Int, positions: [StreamID])? in
            guard let positions = state.positions, !state.closed else { return nil }
            state.nextID += 1
            state.subscribers[state.nextID] = Subscriber(filter: filter, continuation: continuation, overflowed: overflowed)
            return (state.nextID, positions)
        }
        guard let registered else { throw StreamUnavailable() }
        metrics.subscribers.record(subscriberCount)
        continuation.onTermination = { [weak self] _ in self?.leave(registered.id) }
        return Registration(positions: registered.positions, items: items, overflowed: overflowed)
    }

    private func leave(_ id: Int) {
        let count = state.withLock { state -> Int in
            state.subscribers[id] = nil
            return state.subscribers.count
        }
        metrics.subscribers.record(count)
    }

    /// True once closed.
    public var isClosed: Bool { state.withLock { $0.closed } }

    /// Ends every subscriber's queue and refuses new ones, for a shutdown: the server waits for
    /// open requests before the hub stops, so its shutdown closes the hub first. Clients
    /// reconnect (to another instance) with their `Last-Event-ID`.
    public func close() {
        let continuations = state.withLock { state -> [AsyncStream<LiveItem>.Continuation] in
            state.closed = true
            defer { state.subscribers = [:] }
            return state.subscribers.values.map(\.continuation)
        }
        for continuation in continuations { continuation.finish() }
    }

    /// Queues `events` (of one partition, in log order) for the subscribers they pass; ends
    /// the queues that overflow.
    func fanOut(_ events: [(event: EventEnvelope, position: Position, body: String)]) {
        let overflowed = state.withLock { state -> [AsyncStream<LiveItem>.Continuation] in
            guard var positions = state.positions else { return [] }
            var overflowed: [AsyncStream<LiveItem>.Continuation] = []
            for (event, position, body) in events {
                positions[position.partition] = position.streamID
                let live = LiveEvent(event: event, position: position, body: body, hubPositions: positions)
                for (id, subscriber) in state.subscribers where live.passes(subscriber.filter) {
                    if case .dropped = subscriber.continuation.yield(.event(live)) {
                        subscriber.overflowed.raise()
                        overflowed.append(subscriber.continuation)
                        state.subscribers[id] = nil
                    }
                }
            }
            state.positions = positions
            return overflowed
        }
        // Outside the lock: finishing runs the queue's termination handler, which takes it.
        for continuation in overflowed {
            metrics.overflows.increment()
            continuation.finish()
        }
    }

    /// Sends every subscriber the hub's positions, every heartbeat interval.
    private func beatHearts() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: settings.heartbeat)
            let overflowed = state.withLock { state -> [AsyncStream<LiveItem>.Continuation] in
                guard let positions = state.positions else { return [] }
                var overflowed: [AsyncStream<LiveItem>.Continuation] = []
                for (id, subscriber) in state.subscribers {
                    if case .dropped = subscriber.continuation.yield(.heartbeat(positions)) {
                        subscriber.overflowed.raise()
                        overflowed.append(subscriber.continuation)
                        state.subscribers[id] = nil
                    }
                }
                return overflowed
            }
            for continuation in overflowed {
                metrics.overflows.increment()
                continuation.finish()
            }
        }
    }
}

/// The live stream has not started (Redis unreachable since the server started).
public struct StreamUnavailable: Error, Sendable, CustomStringConvertible {
    public var description: String { "the live event stream has not started yet (is Redis reachable?); try again" }
}

/// A one-way flag, raised once, read from any task.
final class Flag: Sendable {
    private let raised = Atomic<Bool>(false)
    func raise() { raised.store(true, ordering: .releasing) }
    var isRaised: Bool { raised.load(ordering: .acquiring) }
}
