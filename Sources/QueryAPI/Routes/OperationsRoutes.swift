import BerrysJSON
import EventLog
import Foundation
import HTTPTypes
import Hummingbird
import Prometheus
import Projections
import RedisClient
import Workers

/// Health, metrics, projection and worker status.
struct OperationsRoutes {
    let dependencies: APIDependencies
    let metrics: PrometheusCollectorRegistry?
    /// The served OpenAPI document (the engine's with the domains' merged in).
    let openAPI: String

    func register(on router: Router<BasicRequestContext>) {
        router.get("/health/liveness") { _, _ in JSONResponse.make(#"{"status":"up"}"#) }
        router.get("/health/readiness") { _, _ in try await readiness() }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: ByteBuffer(bytes: metrics?.emitToBuffer() ?? [])))
        }
        router.get("/openapi.json") { _, _ in JSONResponse.make(openAPI) }
        let asyncAPI = dependencies.catalog.asyncAPI().serialized
        router.get("/asyncapi.json") { _, _ in JSONResponse.make(asyncAPI) }
        router.get("/v1/projections") { _, _ in
            let statuses = try await ProjectionStatus.all(pool: dependencies.admin, log: dependencies.log)
            return JSONResponse.make(JSON.array(statuses.map { status in
                .object(["name": .string(status.name), "version": .number(Double(status.version)), "state": .string(status.state.rawValue),
                         "error": status.error.map(JSON.string) ?? .null, "lag_events": .number(Double(status.lagEvents)),
                         "lag_events_capped": .bool(status.lagCapped), "lag_seconds": .number(status.lagSeconds)])
            }).serialized)
        }
        router.get("/v1/workers") { _, _ in
            let reader = WorkerStatusReader(redis: dependencies.redis, namespace: dependencies.log.configuration.namespace,
                                            partitions: dependencies.log.partitioner.partitions)
            let groups = try await reader.groupStatuses()
            let byWorker = Dictionary(grouping: groups, by: \.worker)
            var workers: [JSON] = []
            for worker in byWorker.keys.sorted() {
                workers.append(Self.workerJSON(worker, partitions: byWorker[worker] ?? [], circuits: try await reader.circuits(worker: worker)))
            }
            return JSONResponse.make(JSON.array(workers).serialized)
        }
    }

    /// One worker of `GET /v1/workers`: totals, its connector breakers, and each partition's group.
    private static func workerJSON(_ worker: String, partitions: [GroupStatus], circuits: [CircuitStatus]) -> JSON {
        let circuitsJSON: [JSON] = circuits.map { circuit in
            let until: JSON = circuit.openUntil.map { .string(Timestamp.format(Date(timeIntervalSince1970: $0))) } ?? .null
            return .object(["consumer": .string(circuit.consumer), "state": .string(circuit.state.rawValue),
                            "consecutive_failures": .number(Double(circuit.consecutiveFailures)), "open_until": until])
        }
        let partitionsJSON: [JSON] = partitions.map { group in
            let catchUp: JSON = group.catchUp.map { .object(["position": .string($0.position), "through": .string($0.through)]) } ?? .null
            return .object(["partition": .number(Double(group.partition)), "pending": .number(Double(group.pending)),
                            "lag_entries": group.lagEntries.map { .number(Double($0)) } ?? .null, "lag_seconds": .number(group.lagSeconds),
                            "consumers": .number(Double(group.consumers)), "dead_letters": .number(Double(group.deadLetters)),
                            "lease_holder": group.leaseHolder.map(JSON.string) ?? .null, "catch_up": catchUp])
        }
        let pending = partitions.reduce(0) { $0 + $1.pending }
        let lag = partitions.reduce(0) { $0 + ($1.lagEntries ?? 0) }
        let deadLetters = partitions.reduce(0) { $0 + $1.deadLetters }
        return .object([
            "name": .string(worker), "pending": .number(Double(pending)), "lag_entries": .number(Double(lag)),
            "lag_seconds": .number(partitions.map(\.lagSeconds).max() ?? 0), "dead_letters": .number(Double(deadLetters)),
            "circuits": .array(circuitsJSON), "partitions": .array(partitionsJSON),
        ])
    }

    /// Redis PING, PostgreSQL SELECT 1, a live version of every projection (so `read.*` exists), no
    /// faulted projection, lag under the limit; 503 naming what failed.
    private func readiness() async throws -> Response {
        var report = ReadinessReport()
        let redis = dependencies.redis, admin = dependencies.admin, log = dependencies.log
        let limit = dependencies.settings.readyMaximumLag.inSeconds
        await report.check("redis", ReadinessReport.redisCheck(redis))
        await report.check("postgres", ReadinessReport.postgresCheck(admin))
        if report.ready {
            await report.check("projections") {
                let statuses = try await ProjectionStatus.all(pool: admin, log: log)
                if statuses.isEmpty { return "no projection is registered yet: is a projector running?" }
                if let faulted = statuses.first(where: { $0.state == .faulted }) { return "projection \(faulted.name) is faulted: \(faulted.error ?? "")" }
                let live = Set(statuses.filter { $0.state == .live }.map(\.name))
                // A projection whose versions are all retired was replaced (its tables taken over).
                if let unbuilt = statuses.first(where: { !live.contains($0.name) && $0.state != .retired }) {
                    return "projection \(unbuilt.name) has no live version yet (its first build is running)"
                }
                if let lagging = statuses.first(where: { $0.state == .live && $0.lagSeconds > limit }) {
                    return "projection \(lagging.name) lags \(Int(lagging.lagSeconds)) s (limit \(Int(limit)) s)"
                }
                return nil
            }
        }
        return report.response
    }
}
