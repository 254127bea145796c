import EventLog
import Foundation

/// Publishers side by side, each appending its events `pipeline` at a time: the loop of the
/// pipelined publish benchmarks.
enum PipelinedPublish {
    /// Events/s of `append` over `perPublisher` (one array of prepared events per publisher).
    /// - Throws: when any event is refused (a benchmark's events are all valid and new).
    static func rate(_ perPublisher: [[EventEnvelope]], pipeline: Int,
                     append: @escaping @Sendable ([EventEnvelope]) async throws -> [Result<AppendResult, EventLogError>]) async throws -> Double {
        let started = DispatchTime.now().uptimeNanoseconds
        try await withThrowingTaskGroup(of: Void.self) { group in
            for envelopes in perPublisher {
                group.addTask {
                    var index = 0
                    while index < envelopes.count {
                        let results = try await append(Array(envelopes[index..<min(index + pipeline, envelopes.count)]))
                        if case .failure(let error)? = results.first(where: { if case .failure = $0 { return true } else { return false } }) {
                            throw EventLogError(.invalidEnvelope, "benchmark append failed: \(error)")
                        }
                        index += pipeline
                    }
                }
            }
            try await group.waitForAll()
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return Double(perPublisher.reduce(0) { $0 + $1.count }) / seconds
    }
}
