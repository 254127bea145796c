import QueryAPI
import ServiceLifecycle

/// The API could not listen on its address (in use, not permitted, unknown host).
public struct APIListenError: CommandFailure, CustomStringConvertible {
    /// The address it tried (`BERRYS_HTTP_HOST`).
    public let host: String
    /// The port it tried (`BERRYS_HTTP_PORT`).
    public let port: Int
    /// What the server said, e.g. `Address already in use`.
    public let underlying: String

    public var description: String {
        "berrys: BERRYS_UNAVAILABLE: cannot listen on \(host):\(port) (BERRYS_HTTP_HOST, BERRYS_HTTP_PORT): \(underlying)"
    }
    public var report: String { description }
    public var exitCode: Int32 { ExitCodes.unavailable }
}

/// Runs the API's application and names the address when it fails before it listens.
public struct ListeningAPI<Application: Service>: Service {
    let application: Application
    let listening: ListeningSignal
    let host: String
    let port: Int

    /// - Parameters:
    ///   - listening: the signal `application` opens once it listens (`APIServer.application(listening:)`).
    ///   - host, port: the address, named in the error.
    public init(_ application: Application, listening: ListeningSignal, host: String, port: Int) {
        self.application = application
        self.listening = listening
        self.host = host
        self.port = port
    }

    public func run() async throws {
        do {
            try await application.run()
        } catch where !listening.isOpen && !(error is CancellationError) {
            throw APIListenError(host: host, port: port, underlying: "\(error)")
        }
    }
}

/// A service that starts only once the API listens, so that a process whose API cannot bind
/// exits before its projector or workers have done anything.
public struct AfterListening: Service {
    let listening: ListeningSignal
    let service: any Service

    /// `service`, started once `listening` opens.
    public init(_ listening: ListeningSignal, _ service: any Service) {
        self.listening = listening
        self.service = service
    }

    public func run() async throws {
        let listens = await cancelWhenGracefulShutdown { await listening.wait() }
        guard listens, !Task.isCancelled else { return }
        try await service.run()
    }
}
