import EventLog

/// One client's live stream: catches up from history (the tiered log) from its start point,
/// registers with the hub, catches up once more over what came meanwhile, then passes on the
/// hub's events, each once, in log order per partition (`SubscriberCursor`).
public struct Subscription: Sendable {
    /// Where the stream starts.
    public enum Start: Sendable, Equatable {
        /// After the events the hub has read when the client registers.
        case now
        /// At the first event of the log.
        case beginning
        /// After the positions of a resume token.
        case after(ResumeToken)
    }

    let hub: EventHub
    let filter: StreamFilter
    let start: Start

    public init(hub: EventHub, filter: StreamFilter, start: Start) {
        self.hub = hub
        self.filter = filter
        self.start = start
    }

    /// Parses `from` (or a `Last-Event-ID`, which wins) for a log of `partitions` partitions.
    /// - Throws: `ResumeTokenError` for a token that is not one of this log's.
    public static func start(from: String?, lastEventID: String?, partitions: Int) throws -> Start {
        switch lastEventID ?? from ?? "now" {
        case "now": return .now
        case "beginning": return .beginning
        case let text: return .after(try ResumeToken(parsing: text, partitions: partitions))
        }
    }

    /// Streams messages to `write` until the client goes away (`write` throws), the subscriber
    /// overflows (a last `overflow` message), or the hub stops.
    public func run(write: (String) async throws -> Void) async throws {
        try await write(ServerSentEvents.opening)
        var cursor: SubscriberCursor
        switch start {
        case .now: cursor = SubscriberCursor(positions: [])
        case .beginning: cursor = SubscriberCursor(positions: ResumeToken.beginning(partitions: hub.log.partitioner.partitions).positions)
        case .after(let token): cursor = SubscriberCursor(positions: token.positions)
        }
        if start != .now { try await catchUp(&cursor, write: write) }
        let registration = try hub.register(filter)
        defer { hub.leave(registration) }
        if start == .now {
            cursor = SubscriberCursor(positions: registration.positions, inStep: true)
        } else {
            try await catchUp(&cursor, write: write)
        }
        try await write(ServerSentEvents.resumePoint(cursor.token))
        // Everything queued goes out in one write.
        while let items = await registration.queue.next() {
            var text = ""
            var sent = 0
            for item in items {
                switch item {
                case .event(let event):
                    switch cursor.live(event.position, hubPositions: event.hubPositions) {
                    case .skip: continue
                    case .shared: text += event.frame
                    case .own(let token): text += ServerSentEvents.message(id: token.description, body: event.body)
                    }
                    sent += 1
                case .heartbeat(let positions):
                    text += ServerSentEvents.keepAlive + ServerSentEvents.resumePoint(cursor.heartbeat(hubPositions: positions))
                }
            }
            if !text.isEmpty { try await write(text) }
            hub.metrics.eventsSent.increment(by: sent)
        }
        if registration.queue.didOverflow {
            try await write(ServerSentEvents.overflow(cursor.token, capacity: hub.settings.bufferCapacity))
        }
    }

    /// Delivers what history holds after the cursor, partition by partition, to the end of the
    /// log as of the read; messages go out in writes of up to 64 KiB.
    private func catchUp(_ cursor: inout SubscriberCursor, write: (String) async throws -> Void) async throws {
        let page = 500
        let partitions = filter.partitionKey.map { [hub.log.partitioner.partition(for: $0)] } ?? Array(0..<hub.log.partitioner.partitions)
        var pending = ""
        for partition in partitions {
            while !hub.isClosed {
                let entries = try await hub.history.entries(partition: partition, after: cursor.positions[partition], count: page)
                for (_, position, body) in hub.render(entries.filter { entry in
                    guard case .event(let event) = entry else { return false }
                    return filter.matches(event)
                }) {
                    guard cursor.pass(position) else { continue }
                    pending += ServerSentEvents.message(id: cursor.token.description, body: body)
                    hub.metrics.eventsSent.increment()
                    if pending.utf8.count >= 65_536 {
                        try await write(pending)
                        pending = ""
                    }
                }
                // Entries passed over (other types, invalid ones) still move the cursor.
                if let last = entries.last?.position { _ = cursor.pass(last) }
                if entries.count < page { break }
            }
        }
        if !pending.isEmpty { try await write(pending) }
    }
}
