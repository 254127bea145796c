import BerrysFoundation

/// The rules of one partition consumer's loop, as a pure state machine: events (a claim, a read
/// or a chunk finished, a tick) go in, actions (claim, read, acknowledge, start deliveries, wait,
/// finish) come out. `PartitionConsumer` carries the actions out; it decides nothing itself.
///
/// One turn of the loop, as `nextAction` hands it out:
/// 1. Stopping (a stop was requested, or the task cancelled): nothing new is read; what is in
///    hand is finished, so the next lease holder waits for nothing, and abandoned only once the
///    grace period is over. The loop finishes when nothing runs and nothing ready is left.
/// 2. Otherwise, while no read is in flight: claim what others left pending (always at start,
///    then every half visibility timeout, and every turn while entries of live consumers are
///    not claimable yet: new reads wait for them, so that per-key order survives a takeover);
///    read the retry stream once a second; then start a read (carrying the acknowledgements),
///    or flush acknowledgements when 100 wait or nothing runs.
/// 3. Start deliveries on the free task slots, sharing what is ready among them.
/// 4. Wait for the next event (with a tick every 50 ms while deliveries run), or pause while
///    recovering with nothing to wait for.
struct ConsumerLoop {
    struct Configuration: Sendable {
        /// Tasks that process deliveries at once.
        var concurrency: Int
        /// Entries per read; no read starts while this many are in hand.
        var batchSize: Int
        /// Deliveries per task (a chunk, or a batch for a batch worker).
        var deliveriesPerTask: Int
        /// How long a live consumer's pending entry stays its own.
        var visibilityTimeout: Duration
        /// How long a stopping consumer finishes what it has before it abandons it.
        var shutdownGrace: Duration
        var retryReadInterval: Duration = .seconds(1)
        var ackFlushThreshold = 100
        var recoveryPause: Duration = .milliseconds(200)
    }

    /// Whether the consumer should stop.
    enum Stop: Sendable, Equatable {
        case running
        /// SIGTERM or a lost lease: finish what is in hand within the grace period.
        case requested
        /// The task was cancelled: abandon at once.
        case cancelled
    }

    enum Action: Sendable {
        /// Claim what the group has pending for this partition (see `ClaimPlan`); report `claimed`.
        case claim(includeOwn: Bool)
        /// Read the worker's retry stream; report `retriesRead` (entries held already may be left out).
        case readRetries
        /// Start a read of new entries on a task of its own, sending these acknowledgements in
        /// the same round trip; `block` lets it wait for entries. Report `readFinished`.
        case startRead(acking: [String], block: Bool)
        /// Acknowledge these entries now.
        case flushAcks([String])
        /// Start a task processing these deliveries; report `processed`.
        case startDeliveries([Delivery])
        /// Start a task processing this delivery alone, with retries; report `processed`.
        case startRetryAlone(Delivery)
        /// Start the 50 ms timer; report `ticked`.
        case startTick
        /// Cancel every running task (the grace period is over).
        case cancelAll
        /// Wait for the next task to end and report it.
        case waitForEvent
        /// Sleep, then ask again.
        case pause(Duration)
        /// The loop is over: acknowledge these entries (best effort) and return.
        case finish(acking: [String])
        /// An event was left pending outside a shutdown: start over from the pending list.
        case restart
    }

    private enum Phase {
        case begin, claimed, retriesRead, deliveries, wait, finished
    }

    let configuration: Configuration
    private(set) var hand = InHand()
    /// Tasks processing deliveries.
    private(set) var running = 0
    /// A read runs on a task of its own while chunks are processed, so that the tasks are not
    /// left idle for the round trip.
    private(set) var reading = false
    /// Keys parked while a read was on its way: the read checked the parked keys before, so
    /// its entries of those keys go behind them.
    private var parkedWhileReading: Set<String> = []
    private var tickPending = false
    /// True until a claim found nothing of live consumers that must be waited for.
    private(set) var recovering = true
    private var claimedOnce = false
    private var lastClaim: BerrysClock.Instant?
    private var lastRetryRead: BerrysClock.Instant?
    private(set) var stoppingSince: BerrysClock.Instant?
    private var phase = Phase.begin
    /// The time the current turn began: every rule of one turn sees the same moment.
    private var turn = BerrysClock.Instant(offset: .zero)
    private var stop = Stop.running

    init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// True when the retry-stream entry is in hand already (a re-read need not decode it).
    func holds(retryEntry id: String) -> Bool { hand.holds(retryEntry: id) }

    /// The next thing to do.
    mutating func nextAction(now: BerrysClock.Instant, stop: Stop) -> Action {
        var idleTurns = 0
        while true {
            switch phase {
            case .begin:
                if idleTurns > 0 { return .pause(.milliseconds(1)) }  // a turn with nothing to do: do not spin
                idleTurns += 1
                turn = now
                self.stop = stop
                if let action = beginTurn() { return action }
            case .claimed:
                phase = .retriesRead
                if lastRetryRead.map({ turn - $0 > configuration.retryReadInterval }) ?? true {
                    lastRetryRead = turn
                    return .readRetries
                }
            case .retriesRead:
                phase = .deliveries
                if !recovering && hand.count < configuration.batchSize {
                    reading = true
                    return .startRead(acking: takeAcks(), block: hand.count == 0 && running == 0)
                }
                if !hand.acks.isEmpty && (hand.acks.count >= configuration.ackFlushThreshold || running == 0) {
                    return .flushAcks(takeAcks())
                }
            case .deliveries:
                if let deliveries = nextDeliveries() { return .startDeliveries(deliveries) }
                phase = .wait
            case .wait:
                if running > 0 || reading {
                    if running > 0 && !tickPending {
                        tickPending = true
                        return .startTick
                    }
                    phase = .begin
                    return .waitForEvent
                }
                phase = .begin
                if recovering { return .pause(configuration.recoveryPause) }
            case .finished:
                return .finish(acking: takeAcks())
            }
        }
    }

    /// Step 1 of a turn; nil when the turn goes on to the next phase.
    private mutating func beginTurn() -> Action? {
        guard stop == .running else {
            let since = stoppingSince ?? turn
            stoppingSince = since
            let graceOver = turn - since > configuration.shutdownGrace || stop == .cancelled
            if running == 0 && !reading && (hand.count == 0 || graceOver || !hand.hasReady) {
                phase = .finished
                return nil
            }
            phase = .deliveries
            return graceOver ? .cancelAll : nil
        }
        guard !reading else {
            phase = .deliveries
            return nil
        }
        phase = .claimed
        if recovering || lastClaim.map({ turn - $0 > configuration.visibilityTimeout / 2 }) ?? true {
            lastClaim = turn
            return .claim(includeOwn: !claimedOnce)
        }
        return nil
    }

    /// The next share of ready deliveries for a free task slot, while deliveries may start.
    private mutating func nextDeliveries() -> [Delivery]? {
        let withinGrace = stoppingSince.map { turn - $0 <= configuration.shutdownGrace } ?? true
        guard withinGrace, stop != .cancelled, running < configuration.concurrency, hand.hasReady else { return nil }
        let free = configuration.concurrency - running
        let share = (hand.readyCount + free - 1) / free
        running += 1
        return hand.takeReady(max: min(share, configuration.deliveriesPerTask))
    }

    private mutating func takeAcks() -> [String] {
        let acks = hand.acks
        hand.acks.removeAll(keepingCapacity: true)
        return acks
    }

    /// A claim ended: the deliveries taken over (oldest first), and how many entries of live
    /// consumers are not claimable yet (new reads wait while there are any).
    mutating func claimed(_ deliveries: [Delivery], waiting: Int) {
        deliveries.forEach { hand.admit($0) }
        claimedOnce = true
        recovering = waiting > 0
    }

    /// The retry stream was read.
    mutating func retriesRead(_ deliveries: [Delivery]) {
        deliveries.forEach { hand.admit($0) }
    }

    /// A read ended (and the acknowledgements sent with it went out).
    mutating func readFinished(_ batch: ReadBatch) {
        reading = false
        hand.acks += batch.unhandled
        for var delivery in batch.deliveries {
            if parkedWhileReading.contains(delivery.key) { delivery.mode = .parkBehind }
            hand.admit(delivery)
        }
        parkedWhileReading.removeAll()
    }

    /// The timer went off.
    mutating func ticked() {
        tickPending = false
    }

    /// A task's deliveries ended.
    /// - Parameter stop: whether the consumer is stopping now (an abandoned delivery is expected then).
    /// - Returns: deliveries to run again alone, or `.restart` (last) when one was abandoned
    ///   outside a shutdown. Every outcome is taken in first, so that the events done beside
    ///   the abandoned one are among `acknowledgementsLeft()` and not delivered again.
    mutating func processed(_ outcomes: [DeliveryOutcome], stop: Stop) -> [Action] {
        running -= 1
        var actions: [Action] = []
        var abandoned = false
        for outcome in outcomes {
            if reading, case .parked(let delivery) = outcome { parkedWhileReading.insert(delivery.key) }
            if case .retryAlone(let delivery) = outcome {
                running += 1
                actions.append(.startRetryAlone(delivery))
                continue
            }
            hand.finished(outcome)
            if case .abandoned = outcome { abandoned = true }
        }
        return abandoned && stop == .running ? actions + [.restart] : actions
    }

    /// The acknowledgements not sent yet, for a consumer that ends outside `.finish` (its
    /// lease lost, Redis failed, a restart): the events are done, so acknowledging them is
    /// right whoever holds the partition now, and spares handling them again.
    mutating func acknowledgementsLeft() -> [String] { takeAcks() }
}
