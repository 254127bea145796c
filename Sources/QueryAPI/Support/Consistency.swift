import EventLog
import HTTPTypes
import Hummingbird
import Projections

/// Read-your-writes: a read with `consistent_with=<position>` (or `Berrys-Consistent-With`)
/// waits, on the projector's NOTIFY, until the projection behind the endpoint has applied it.
struct Consistency {
    static var header: HTTPField.Name { HTTPField.Name("Berrys-Consistent-With")! }

    /// Waits when the request names a position; 504 with the current lag when time runs out.
    static func wait(for request: Request, projection: String, dependencies: APIDependencies) async throws {
        let query = request.uri.queryParameters["consistent_with"].map(String.init), headerValue = request.headers[header]
        if let query, let headerValue, query != headerValue {
            throw APIError.badParameter("Berrys-Consistent-With", "disagrees with consistent_with; send one of them")
        }
        let token = query ?? headerValue
        guard let token else { return }
        guard let position = Position(token) else {
            throw APIError.badParameter("consistent_with", "must be a position returned by a publish, e.g. 2-1700000000000-0")
        }
        guard position.partition < dependencies.log.partitioner.partitions else {
            throw APIError.badParameter("consistent_with", "names partition \(position.partition) of a log with \(dependencies.log.partitioner.partitions)")
        }
        // A position past the partition's newest entry was never returned by a publish.
        guard position.streamID <= (try await dependencies.log.lastStreamID(partition: position.partition)) else {
            throw APIError.badParameter("consistent_with", "names a position that is not in the log (yet)")
        }
        guard try await wait(projection: projection, reached: position, dependencies: dependencies) else {
            throw try await timedOut(projection: projection, what: token, dependencies: dependencies)
        }
    }

    /// Waits until `projection` has applied `position`, within the consistency timeout and the
    /// request's deadline; false when the consistency timeout ran out.
    /// - Throws: the deadline's 503 when the request's deadline ran out first.
    static func wait(projection: String, reached position: Position, dependencies: APIDependencies) async throws -> Bool {
        let timeout = dependencies.settings.consistencyTimeout
        let deadline = RequestDeadline.current
        let cutByDeadline = deadline.map { $0.remaining < timeout } ?? false
        let reached = try await dependencies.checkpoints.wait(projection: projection, reached: position,
                                                              timeout: min(timeout, deadline?.remaining ?? timeout))
        if !reached, cutByDeadline, let deadline { throw deadline.error }
        return reached
    }

    /// The 504 of a wait that ran out: which projection, what it waited for, and its lag.
    static func timedOut(projection: String, what: String, dependencies: APIDependencies) async throws -> APIError {
        let lag = (try? await ProjectionStatus.all(pool: dependencies.admin, log: dependencies.log))?.first { $0.name == projection }
        return APIError(.gatewayTimeout, code: "consistency_timeout",
                        "projection \(projection) did not reach \(what) within \(Int(dependencies.settings.consistencyTimeout.inSeconds * 1000)) ms",
                        details: [.object(["projection": .string(projection), "lag_events": .number(Double(lag?.lagEvents ?? -1)),
                                           "lag_seconds": .number(lag?.lagSeconds ?? -1)])])
    }
}
