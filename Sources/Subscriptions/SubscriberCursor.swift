import EventLog

/// A subscriber's place in every partition, as a pure value: which events are new to it, and
/// which resume token each message carries.
///
/// A subscriber catches up from history first, then takes the hub's live events. The two
/// overlap: what the hub read just before the subscriber registered came through the catch-up,
/// and the catch-up after registering may read events the hub then delivers again. An event at
/// or below the cursor is therefore skipped, so each is delivered once.
///
/// A subscriber is *in step* with the hub once the hub's positions at an event (or heartbeat)
/// cover its own: from then on every event the hub passed was delivered to it or did not pass
/// its filter, so the hub's token is its own too, and the message the hub rendered once is sent
/// as it is (no token built per subscriber and event).
public struct SubscriberCursor: Sendable, Equatable {
    public private(set) var positions: [StreamID]
    public private(set) var inStep: Bool

    /// What to send for a live event.
    public enum Delivery: Sendable, Equatable {
        /// Delivered already (by the catch-up): nothing.
        case skip
        /// The hub's message as rendered.
        case shared
        /// The event's body under this token.
        case own(ResumeToken)
    }

    /// A cursor at `positions`; `inStep` when they are the hub's own (a subscriber from now).
    public init(positions: [StreamID], inStep: Bool = false) {
        self.positions = positions
        self.inStep = inStep
    }

    /// The resume token of the cursor.
    public var token: ResumeToken { ResumeToken(positions: positions) }

    /// A history entry at `position`: true when it is new (the cursor moves past it).
    public mutating func pass(_ position: Position) -> Bool {
        guard position.partition < positions.count, position.streamID > positions[position.partition] else { return false }
        positions[position.partition] = position.streamID
        return true
    }

    /// A live event at `position`, with the hub's positions after it.
    public mutating func live(_ position: Position, hubPositions: [StreamID]) -> Delivery {
        guard pass(position) else { return .skip }
        catchStep(hubPositions)
        return inStep ? .shared : .own(token)
    }

    /// A heartbeat with the hub's positions.
    /// - Returns: the token to send as the new resume point.
    public mutating func heartbeat(hubPositions: [StreamID]) -> ResumeToken {
        catchStep(hubPositions)
        return token
    }

    private mutating func catchStep(_ hubPositions: [StreamID]) {
        if !inStep, ResumeToken(positions: hubPositions).covers(positions) { inStep = true }
        if inStep { positions = hubPositions }
    }
}
