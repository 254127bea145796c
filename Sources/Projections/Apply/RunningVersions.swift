import BerrysRuntime
import Synchronization

/// The versions this process is projecting: each one's stop signal, and which have ended.
struct RunningVersions {
    private var stops: [String: StopSignal] = [:]
    /// The versions whose task returned (by their stop signal), written by those tasks.
    let ended = EndedVersions()

    /// A stop signal for `key` when it does not run yet (claiming it), else nil.
    mutating func start(_ key: String) -> StopSignal? {
        guard stops[key] == nil else { return nil }
        let stop = StopSignal()
        stops[key] = stop
        return stop
    }

    /// Forgets the versions that ended (after an error: started again by the rescan). A version
    /// stopped and started again meanwhile keeps running: only the ended one is forgotten.
    mutating func forgetEnded() {
        let gone = ended.take()
        for (key, stop) in stops where gone.contains(ObjectIdentifier(stop)) { stops[key] = nil }
    }

    /// Stops the versions that are no longer live.
    mutating func stop(allBut live: Set<String>) {
        for (key, stop) in stops where !live.contains(key) {
            stop.raise()
            stops[key] = nil
        }
    }

    /// Stops every version.
    func stopAll() { for stop in stops.values { stop.raise() } }
}

/// Versions that ended, by their stop signal: written by their tasks as they end, taken by the
/// loop that started them.
final class EndedVersions: Sendable {
    private let stops = Mutex<Set<ObjectIdentifier>>([])

    func insert(_ stop: StopSignal) { stops.withLock { _ = $0.insert(ObjectIdentifier(stop)) } }

    func take() -> Set<ObjectIdentifier> { stops.withLock { taken in defer { taken = [] }; return taken } }
}
