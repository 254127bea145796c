import EventLog

/// The command side in one call: load a subject's history (`SubjectLoader`, both tiers), fold
/// it into a state, run a decision that returns drafts, and append them as one atomic set
/// under the loaded sequence; when another writer got there first, do it all again on the
/// fresh history, up to `maximumAttempts` times.
///
/// ```swift
/// let decider = SubjectDecider(log: log, archive: ArchiveSource(pool: pool))
/// let decision = try await decider.decide(subject: projectID, initial: ProjectStatus?.none,
///     evolve: { _, event in ProjectStatus(rawValue: event.data["new_status"]?.stringValue ?? "DRAFT") },
///     decide: { status in
///         guard status == .draft else { throw Refused("project \(projectID) is \(String(describing: status))") }
///         return [try ProjectStatusChanged(projectID: projectID, previousStatus: .draft, newStatus: .planning).draft()]
///     })
/// print(decision.results.map(\.sequence), "after", decision.attempts, "attempts")
/// ```
public struct SubjectDecider: Sendable {
    /// Loads the histories.
    public let loader: SubjectLoader
    let log: EventLog
    /// How many times a decision is taken before a conflict is given up (thrown).
    public let maximumAttempts: Int

    /// - Parameters:
    ///   - archive: the archive to load histories from (nil: Redis alone, see `SubjectLoader`).
    ///   - maximumAttempts: decisions taken at most, each on fresh history (default 5).
    public init(log: EventLog, archive: ArchiveSource?, maximumAttempts: Int = 5) {
        self.log = log
        self.loader = SubjectLoader(log: log, archive: archive)
        self.maximumAttempts = max(maximumAttempts, 1)
    }

    /// What a decision appended.
    public struct Decision: Sendable {
        /// One result per draft, in order (all duplicates when the same ids were appended before).
        public let results: [AppendResult]
        /// The subject's sequence the winning decision was taken on.
        public let loadedSequence: Int
        /// How many times the decision was taken (1: no conflict).
        public let attempts: Int
    }

    /// Loads `subject`, folds its events with `evolve` from `initial`, and appends what
    /// `decide` returns as one atomic set.
    ///
    /// The first draft of `subject` without a condition of its own is appended under the
    /// loaded sequence (`none` for a new subject); drafts of other subjects (which must lie in
    /// the same partition) keep their own conditions, or none.
    /// - Throws: what `decide` throws; `EventLogError(.conflict)` after `maximumAttempts`
    ///   conflicts; any other refusal of the set at once.
    public func decide<State>(subject: String, partitionKey: String? = nil, initial: State,
                              evolve: (State, EventEnvelope) throws -> State,
                              decide: (State) async throws -> [EventDraft]) async throws -> Decision {
        var attempt = 0
        while true {
            attempt += 1
            let loaded = try await loader.load(subject: subject, partitionKey: partitionKey)
            let state = try loaded.events.reduce(initial, evolve)
            let drafts = try await decide(state)
            guard !drafts.isEmpty else { return Decision(results: [], loadedSequence: loaded.sequence, attempts: attempt) }
            do {
                let results = try await log.appendAtomically(try conditioned(drafts, subject: subject, loaded: loaded.sequence))
                return Decision(results: results, loadedSequence: loaded.sequence, attempts: attempt)
            } catch var error as EventLogError where error.code == .conflict {
                guard attempt < maximumAttempts else {
                    error.message += " (after \(attempt) decisions, each on fresh history)"
                    throw error
                }
            }
        }
    }

    /// The drafts prepared, the subject's first unconditioned one under the loaded sequence.
    private func conditioned(_ drafts: [EventDraft], subject: String, loaded: Int) throws
        -> [(envelope: EventEnvelope, expected: ExpectedSequence)] {
        var conditionedSubject = false
        return try drafts.enumerated().map { index, draft in
            let envelope: EventEnvelope
            do { envelope = try log.prepare(draft) } catch var error as EventLogError {
                error.index = index
                throw error
            }
            if let own = draft.expected {
                if envelope.subject == subject { conditionedSubject = true }
                return (envelope, own)
            }
            guard envelope.subject == subject, !conditionedSubject else { return (envelope, .any) }
            conditionedSubject = true
            return (envelope, loaded == 0 ? .none : .exactly(loaded))
        }
    }
}
