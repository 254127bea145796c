import EventLog
import PostgresClient
import Projections
import RedisClient
import Subscriptions

/// What the routes use, passed in (no globals).
public struct APIDependencies: Sendable {
    /// The log, for publishing and health.
    public let log: EventLog
    /// Redis, for health and worker status.
    public let redis: RedisPool
    /// Reads of `read.*` as `berrys_reader`.
    public let reads: ReadStore
    /// The platform schema (projection status, readiness).
    public let admin: PostgresPool
    /// The database URL.
    public let databaseURL: String
    /// Read-your-writes waits on one LISTEN session (a service of the API's application).
    public let checkpoints: CheckpointWatcher
    /// Listening address, limits, timeouts and tokens.
    public let settings: APISettings
    /// The live reader behind `GET /v1/stream` (a service of the API's application).
    public let stream: EventHub
    /// The event catalog (`GET /asyncapi.json`, the console's schema page).
    public let catalog: EventCatalog

    /// Gathers what the routes use; nothing is opened until a request needs it.
    /// - Parameters:
    ///   - participants: the workers, connectors and projections for the catalog.
    ///   - redisAddress: `host:port` of Redis, for the catalog.
    public init(log: EventLog, redis: RedisPool, reads: ReadStore, admin: PostgresPool, databaseURL: String, settings: APISettings,
                participants: [EventCatalog.Participant] = [], redisAddress: String = "127.0.0.1:6379") {
        self.log = log
        self.redis = redis
        self.reads = reads
        self.admin = admin
        self.databaseURL = databaseURL
        self.settings = settings
        self.catalog = EventCatalog(registry: log.registry, namespace: log.configuration.namespace, partitions: log.partitioner.partitions,
                                    redisAddress: redisAddress, httpAddress: "\(settings.host):\(settings.port)", participants: participants)
        self.checkpoints = CheckpointWatcher(pool: admin, clock: log.clock)
        self.stream = EventHub(log: log, redis: redis, history: TieredSource(log: log, pool: admin),
                               settings: EventHub.Settings(bufferCapacity: settings.streamBufferCapacity))
    }
}

/// The API's settings (from `BERRYS_HTTP_*`, `BERRYS_CONSISTENCY_TIMEOUT_MS`, …).
public struct APISettings: Sendable {
    /// The address to listen on (`BERRYS_HTTP_HOST`).
    public var host: String
    /// The port to listen on (`BERRYS_HTTP_PORT`; 0 picks a free one).
    public var port: Int
    /// Largest request body, in bytes.
    public var maximumBodyBytes: Int
    /// How long a read waits for `consistent_with`.
    public var consistencyTimeout: Duration
    /// Readiness fails when a projection lags more than this.
    public var readyMaximumLag: Duration
    /// Bearer tokens; nil = no authentication.
    public var tokens: APITokens?
    /// Longest time a request may take (503 `request_timeout` after it).
    public var requestTimeout: Duration
    /// Events that may wait for one `GET /v1/stream` client before it is cut off with an
    /// `overflow` message (`BERRYS_STREAM_BUFFER`).
    public var streamBufferCapacity: Int

    /// Settings with the documented defaults.
    public init(host: String = "127.0.0.1", port: Int = 8080, maximumBodyBytes: Int = 1 << 20, consistencyTimeout: Duration = .seconds(5),
                readyMaximumLag: Duration = .seconds(60), tokens: APITokens? = nil, requestTimeout: Duration = .seconds(30),
                streamBufferCapacity: Int = 10_000) {
        self.host = host
        self.port = port
        self.maximumBodyBytes = maximumBodyBytes
        self.consistencyTimeout = consistencyTimeout
        self.readyMaximumLag = readyMaximumLag
        self.tokens = tokens
        self.requestTimeout = requestTimeout
        self.streamBufferCapacity = streamBufferCapacity
    }
}
