/// What a partition consumer holds between reading entries and acknowledging them: the per-key
/// order, the deliveries ready to start, the acknowledgements not yet sent.
struct InHand {
    private(set) var order = KeyOrder<Delivery>()
    private(set) var ready: [Delivery] = []
    private var readyStart = 0
    /// Stream ids done and not yet acknowledged.
    var acks: [String] = []
    /// Retry-stream entries held, so that a re-read of the retry stream skips them.
    private(set) var retryEntries: Set<String> = []
    /// Deliveries held (ready, running or waiting behind their key).
    private(set) var count = 0

    /// Takes a delivery, in log order.
    mutating func admit(_ delivery: Delivery) {
        if case .retry(let id) = delivery.origin {
            guard retryEntries.insert(id).inserted else { return }
        }
        count += 1
        if order.admit(delivery, key: delivery.key) == .run { ready.append(delivery) }
    }

    /// True when the retry-stream entry is already held.
    func holds(retryEntry id: String) -> Bool { retryEntries.contains(id) }

    /// How many deliveries are ready to start.
    var readyCount: Int { ready.count - readyStart }

    /// True when a delivery is ready to start.
    var hasReady: Bool { readyStart < ready.count }

    /// Hands out the next deliveries to start.
    mutating func takeReady(max: Int) -> [Delivery] {
        let end = min(ready.count, readyStart + Swift.max(0, max))
        let taken = Array(ready[readyStart..<end])
        readyStart = end
        if readyStart == ready.count {
            ready.removeAll(keepingCapacity: true)
            readyStart = 0
        } else if readyStart >= 64 && readyStart * 2 >= ready.count {
            // Under steady load the queue may never run empty: drop what was handed out, or
            // every delivery would stay referenced (and in memory) until it does.
            ready.removeSubrange(0..<readyStart)
            readyStart = 0
        }
        return taken
    }

    /// A delivery ended; the next one of its key becomes ready (behind a parked one: parked too).
    mutating func finished(_ outcome: DeliveryOutcome) {
        let delivery: Delivery
        var parked = false
        switch outcome {
        case .done(let done):
            delivery = done
            if case .stream = done.origin { acks.append(done.streamID) }
        case .parked(let done):
            delivery = done
            parked = true
        case .abandoned(let done):
            // Left pending, so its key must not move on: the consumer restarts or stops.
            count -= 1
            if case .retry(let id) = done.origin { retryEntries.remove(id) }
            return
        case .retryAlone:
            return
        }
        count -= 1
        if case .retry(let id) = delivery.origin { retryEntries.remove(id) }
        if var next = order.finished(key: delivery.key) {
            if parked { next.mode = .parkBehind }
            ready.append(next)
        }
    }
}
