import BerrysJSON
import EventLog
import Hummingbird
import RedisClient

/// `GET /v1/log`: the log's partitions as Redis holds them (length, newest id, entries ever
/// added, trimmed point), the retention, and Redis memory in use: what `berrys status` shows,
/// for the console's overview (its publish rate is the change of `entries_added`).
struct LogRoutes {
    let dependencies: APIDependencies

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/log") { _, _ in
            let log = dependencies.log
            var partitions: [JSON] = []
            for partition in 0..<log.partitioner.partitions {
                let reply = try await dependencies.redis.sendReturningErrors(RedisCommand("XINFO", "STREAM", log.configuration.streamKey(partition: partition)))
                // No stream yet (nothing published to the partition): an empty one.
                let fields = reply.errorMessage == nil ? reply.fieldMap : [:]
                let watermark = try await log.trimWatermark(partition: partition)
                partitions.append(.object([
                    "partition": .number(Double(partition)),
                    "length": .number(Double(fields["length"]?.int ?? 0)),
                    "last_id": .string(fields["last-generated-id"]?.string ?? "0-0"),
                    "entries_added": .number(Double(fields["entries-added"]?.int ?? 0)),
                    "trimmed_below": watermark == .zero ? .null : .string(watermark.description),
                ]))
            }
            return JSONResponse.make(JSON.object([
                "partitions": .array(partitions),
                "retention": .string(log.configuration.retention.description),
                "redis_used_memory_bytes": .number(Double(try await log.redisUsedMemory())),
            ]).serialized)
        }
    }
}
