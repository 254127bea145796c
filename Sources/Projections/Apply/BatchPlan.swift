import EventLog

/// What to do with the entries of one read: apply `events` and move the checkpoint `through`
/// the last entry taken, then stop at `fault` when an entry is not a valid event. Pure logic.
///
/// A corrupt entry that an operator skipped (`berrys projections skip`) is passed over — the
/// checkpoint moves past it; any other corrupt entry stops the batch there, so the events
/// before it are applied and nothing after it is.
struct BatchPlan: Equatable {
    var events: [EventEnvelope] = []
    /// Where the checkpoint goes after applying `events` (nil when nothing was taken).
    var through: StreamID?
    /// The first corrupt entry that was not skipped, with why it is not an event.
    var fault: Fault?

    struct Fault: Equatable {
        var position: Position
        var reason: String
    }

    init(_ entries: [LogEntry], skipped: Set<Position>) {
        for entry in entries {
            switch entry {
            case .event(let event):
                events.append(event)
                through = event.position?.streamID
            case .corrupt(let position, let reason):
                guard skipped.contains(position) else {
                    fault = Fault(position: position, reason: reason)
                    return
                }
                through = position.streamID
            }
        }
    }
}
