import EventLog
import PostgresClient

/// How checkpoints are read from `berrys.checkpoints`: the one query (by version, or of the
/// live version of a projection) and how its rows become positions.
enum CheckpointQuery {
    /// The checkpoints of one version: `$1` projection, `$2` version.
    static let ofVersion = "SELECT partition, stream_id FROM berrys.checkpoints WHERE projection = $1 AND version = $2"

    /// The checkpoints of the live version of projection `$1` (none while none is live).
    static let ofLiveVersion = """
        SELECT c.partition, c.stream_id FROM berrys.checkpoints c
        JOIN berrys.projections p ON p.name = c.projection AND p.version = c.version
        WHERE p.name = $1 AND p.state = \(ProjectionState.live.sql)
        """

    /// Partition → checkpoint, from the rows of either query.
    static func positions(_ result: PostgresResult) throws -> [Int: StreamID] {
        var positions: [Int: StreamID] = [:]
        for row in result.rows {
            if let partition = try row.int("partition"), let id = try row.text("stream_id").flatMap(StreamID.init) { positions[partition] = id }
        }
        return positions
    }
}
