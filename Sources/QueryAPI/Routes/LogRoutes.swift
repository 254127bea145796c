import BerrysJSON
import EventLog
import Hummingbird
import Workers

/// `GET /v1/log`: the log's partitions as Redis holds them (`WorkerStatusReader`, as `berrys
/// status` shows them, and the trimmed point), the retention, and Redis memory in use: for the
/// console's overview (its publish rate is the change of `entries_added`).
struct LogRoutes {
    let dependencies: APIDependencies

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/log") { _, _ in
            let log = dependencies.log
            let reader = WorkerStatusReader(redis: dependencies.redis, namespace: log.configuration.namespace, partitions: log.partitioner.partitions)
            var partitions: [JSON] = []
            for status in try await reader.partitionStatuses() {
                let watermark = try await log.trimWatermark(partition: status.partition)
                partitions.append(.object([
                    "partition": .number(Double(status.partition)),
                    "length": .number(Double(status.length)),
                    "last_id": .string(status.lastID == "-" ? "0-0" : status.lastID),
                    "entries_added": .number(Double(status.entriesAdded)),
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
