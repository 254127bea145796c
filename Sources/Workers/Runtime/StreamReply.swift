import RedisClient

/// Stream entries from XCLAIM and XRANGE replies, and pending lists, as Swift values.
enum StreamReply {
    /// The entries of an XRANGE or XCLAIM reply (deleted entries, shown as nil, are skipped).
    static func entries(_ reply: RedisValue) -> [RedisStreamEntry] {
        reply.entries ?? []
    }

    /// The rows of `XPENDING key group start end count`.
    static func pending(_ reply: RedisValue) -> [PendingEntry] {
        (reply.array ?? []).compactMap { row in
            guard let parts = row.array, parts.count == 4, let id = parts[0].string, let consumer = parts[1].string,
                  let idle = parts[2].int, let deliveries = parts[3].int else { return nil }
            return PendingEntry(id: id, consumer: consumer, idleMilliseconds: idle, deliveries: Int(deliveries))
        }
    }
}
