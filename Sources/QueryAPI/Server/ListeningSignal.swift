import BerrysRuntime

/// Opened once the API's server listens: services that must not start before the API can
/// serve (the projector and workers of `berrys run`) wait for it, and a failure before it
/// opened is a failure to listen (address in use, no permission), not a failure of a request.
public final class ListeningSignal: Sendable {
    // Raised from the server's event loop, waited on from services' tasks.
    private let signal = StopSignal()

    /// A signal not opened yet.
    public init() {}

    /// True once the server listens.
    public var isOpen: Bool { signal.isRaised }

    /// Opens the signal; later calls do nothing.
    public func open() { signal.raise() }

    /// Waits until the signal opens.
    /// - Returns: true when it opened, false when the task was cancelled first.
    public func wait() async -> Bool { await signal.wait() }
}
