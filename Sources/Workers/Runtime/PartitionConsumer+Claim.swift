import RedisClient

extension PartitionConsumer {
    /// Claims the pending entries this lease holder takes over (see `ClaimPlan`), fenced by the
    /// lease (`LeaseFunctions`), and removes consumers that are gone and hold nothing.
    /// - Returns: the claimed deliveries, oldest first, and how many entries of live consumers
    ///   are not claimable yet.
    func claim(includeOwn: Bool) async throws -> ([Delivery], waiting: Int) {
        let pending = try await pendingEntries()
        let live = try await liveConsumers()
        try? await removeIdleConsumers(live: live)
        guard !pending.isEmpty else { return ([], 0) }
        let plan = ClaimPlan(pending: pending, me: consumer, liveConsumers: live,
                             visibilityMilliseconds: Int64(settings.visibilityTimeout.inSeconds * 1000), includeOwn: includeOwn)
        guard !plan.claimNow.isEmpty else { return ([], plan.notYetClaimable) }
        let deliveries = Dictionary(pending.map { ($0.id, $0.deliveries) }, uniquingKeysWith: { first, _ in first })
        var claimed: [Delivery] = []
        for chunk in stride(from: 0, to: plan.claimNow.count, by: 500).map({ Array(plan.claimNow[$0..<min($0 + 500, plan.claimNow.count)]) }) {
            let reply = try await redis.pipeline([LeaseFunctions.claim(keys, consumer: consumer, ids: chunk)])[0]
            try await throwIfRefused([reply])
            for entry in StreamReply.entries(reply) {
                let count = (deliveries[entry.id] ?? 0) + 1
                if let type = entry.fields.first(where: { $0.0 == "type" })?.1, !worker.handledTypes.contains(type) {
                    try await redis.send(RedisCommand("XACK", keys.stream, keys.group, entry.id))
                    continue
                }
                var delivery = Delivery.received(fields: entry.fields, streamID: entry.id, partition: keys.partition,
                                               origin: .stream, registry: registry, deliveryCount: count)
                if settings.policy.onClaim(deliveryCount: count) == .park(.crashLoop) { delivery.mode = .parkCrashLoop }
                claimed.append(delivery)
            }
        }
        if !claimed.isEmpty {
            logger.info("\(worker.name) partition \(keys.partition): took over \(claimed.count) pending events")
        }
        return (claimed, plan.notYetClaimable)
    }

    /// Throws the first error reply: `LeaseNotHeld` for a fenced claim refused, otherwise a
    /// server error (after loading the lease functions again if Redis lost them, say by a
    /// restart without persistence, so that the consumer's restart finds them).
    private func throwIfRefused(_ replies: [RedisValue]) async throws {
        for reply in replies {
            if let refusal = LeaseNotHeld.from(reply) { throw refusal }
            guard case .error(let message) = reply else { continue }
            if message.contains("Function not found") { try await LeaseFunctions.load(on: redis) }
            throw RedisError(.server, message)
        }
    }

    private func pendingEntries() async throws -> [PendingEntry] {
        var all: [PendingEntry] = []
        var start = "-"
        while true {
            let page = StreamReply.pending(try await redis.send(RedisCommand("XPENDING", keys.stream, keys.group, start, "+", "1000")))
            all += page
            guard page.count == 1000, let last = page.last else { return all }
            start = "(\(last.id)"
        }
    }

    /// Removes consumers of this group that are no longer live and hold nothing.
    private func removeIdleConsumers(live: Set<String>) async throws {
        let reply = try await redis.send(RedisCommand("XINFO", "CONSUMERS", keys.stream, keys.group))
        for row in reply.array ?? [] {
            let fields = row.fieldMap
            guard let name = fields["name"]?.string, name != consumer, !live.contains(name), fields["pending"]?.int == 0 else { continue }
            try await redis.send(RedisCommand("XGROUP", "DELCONSUMER", keys.stream, keys.group, name))
        }
    }
}
