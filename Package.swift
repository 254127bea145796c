// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "berrys",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "berrys", targets: ["BerrysCLI"]),
        .executable(name: "berrys-bench", targets: ["BerrysBench"]),
        .executable(name: "berrys-fuzz", targets: ["BerrysFuzz"]),
        .library(name: "EventLog", targets: ["EventLog"]),
        .library(name: "BerrysDomain", targets: ["BerrysDomain"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/swift-otel/swift-w3c-trace-context.git", from: "1.0.0"),
    ],
    targets: [
        // C shims
        .systemLibrary(name: "CHiredis", path: "Sources/CHiredis"),
        .systemLibrary(name: "CLibpq", path: "Sources/CLibpq"),
        .target(name: "CRedisReplies", dependencies: ["CHiredis"]),

        // The foundation every module stands on: threads for C handles, backoff and retries, ids, digests, signals.
        .target(name: "BerrysFoundation", dependencies: [.product(name: "Logging", package: "swift-log")]),

        // Child processes, free ports and blocking waits off the cooperative pool: for the
        // benchmarks and the tests only (the product does not link it).
        .target(name: "ProcessSupport"),

        // What runs beside every service of a process: the stall detector (the home of the
        // runtime's clock-driven rules).
        .target(name: "BerrysRuntime", dependencies: [
            "BerrysFoundation",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),

        // Clients over the C libraries, each connection confined to its own thread.
        .target(name: "RedisClient", dependencies: ["CHiredis", "CRedisReplies", "BerrysFoundation", .product(name: "Logging", package: "swift-log")]),
        .target(name: "PostgresClient", dependencies: ["CLibpq", "BerrysFoundation", .product(name: "Logging", package: "swift-log")]),

        // JSON values and the JSON Schema subset validator.
        .target(name: "BerrysJSON"),
        .target(name: "JSONSchema", dependencies: ["BerrysJSON"]),

        // The event log on Redis Streams.
        .target(name: "EventLog", dependencies: [
            "RedisClient", "BerrysFoundation", "BerrysRuntime", "BerrysJSON", "JSONSchema", .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
        ], resources: [.copy("Lua")]),

        // The data owners' keys for erasure (crypto-shredding), in PostgreSQL, behind a per-process cache.
        .target(name: "DataKeys", dependencies: [
            "EventLog", "PostgresClient", "BerrysFoundation", .product(name: "Crypto", package: "swift-crypto"),
        ]),

        // The Berrys platform's domain: event types, conventions, upcasters.
        .target(name: "BerrysDomain", dependencies: ["EventLog", "BerrysJSON"]),

        // Read models in PostgreSQL, built from the log.
        .target(name: "Projections", dependencies: [
            "EventLog", "PostgresClient", "BerrysJSON", "BerrysFoundation", "BerrysRuntime",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),

        // Live subscriptions: one reader of the log per process fanned out to filtered, resumable streams.
        .target(name: "Subscriptions", dependencies: [
            "EventLog", "RedisClient", "BerrysJSON", "BerrysFoundation",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),

        // Connectors to other services: webhooks declared under connectors/, each a consumer
        // worker with a circuit breaker per endpoint.
        .target(name: "Connectors", dependencies: [
            "Workers", "EventLog", "RedisClient", "BerrysFoundation",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),

        // Consumer workers: consumer groups with leases, retries, claims, dead letters.
        .target(name: "Workers", dependencies: [
            "EventLog", "RedisClient", "PostgresClient", "BerrysFoundation", "BerrysRuntime", "BerrysJSON",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Tracing", package: "swift-distributed-tracing"),
            .product(name: "Instrumentation", package: "swift-distributed-tracing"),
        ], resources: [.copy("Lua")]),

        // The Berrys platform's consumer workers (agent lifecycle, planning, routing).
        .target(name: "BerrysWorkers", dependencies: ["BerrysDomain", "Workers", "EventLog", "PostgresClient", "BerrysJSON"]),

        // The thin HTTP query API: read models, CloudEvents publishing, health and metrics.
        .target(name: "QueryAPI", dependencies: [
            "EventLog", "Projections", "Workers", "Subscriptions", "PostgresClient", "RedisClient", "BerrysJSON", "JSONSchema", "BerrysFoundation",
            "BerrysRuntime",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], resources: [.copy("Resources/openapi.json"), .copy("Resources/console")]),

        // The Berrys platform's read-model routes, served by the query API.
        .target(name: "BerrysAPI", dependencies: [
            "QueryAPI", "BerrysDomain", "BerrysJSON",
            .product(name: "Hummingbird", package: "hummingbird"),
        ], resources: [.copy("Resources/openapi-berrys.json"), .copy("Resources/console")]),

        // What the command line and the benchmarks share: settings, context, failure reporting, exit codes, logging.
        .target(name: "CommandSupport", dependencies: [
            "BerrysFoundation", "BerrysRuntime",
            "EventLog", "RedisClient", "PostgresClient", "BerrysJSON", "Projections", "Workers", "Connectors", "QueryAPI",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),

        // The Berrys platform's domain as the commands take it (PlatformDomain.berrys): what the
        // executables wire into the engine.
        .target(name: "BerrysPlatform", dependencies: ["CommandSupport", "BerrysDomain", "BerrysAPI", "BerrysWorkers"]),

        // The command line.
        .executableTarget(name: "BerrysCLI", dependencies: [
            "CommandSupport", "BerrysPlatform", "EventLog", "BerrysDomain", "RedisClient", "PostgresClient", "BerrysJSON", "JSONSchema", "Projections", "Workers", "BerrysWorkers", "QueryAPI",
            "Connectors",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),

        // The benchmarks (`berrys-bench`), a product apart from `berrys`.
        .executableTarget(name: "BerrysBench", dependencies: [
            "CommandSupport", "BerrysPlatform", "EventLog", "BerrysDomain", "RedisClient", "PostgresClient", "BerrysJSON", "Projections", "Workers", "BerrysWorkers", "QueryAPI",
            "BerrysAPI", "BerrysFoundation", "BerrysRuntime", "Connectors", "ProcessSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),

        // Fuzzing (scripts/fuzz): the properties each decoder must keep, and the libFuzzer entry
        // points (built with -sanitize=fuzzer,address -DFUZZING; a normal build replays saved inputs).
        .target(name: "BerrysFuzzTargets", dependencies: ["BerrysJSON", "JSONSchema", "EventLog", "BerrysDomain"]),
        .executableTarget(name: "BerrysFuzz", dependencies: ["BerrysFuzzTargets", "BerrysDomain"]),

        // Tests
        .target(name: "TestSupport", dependencies: [
            "BerrysRuntime", "ProcessSupport", "RedisClient", "PostgresClient", "EventLog", "BerrysDomain", "BerrysJSON", "BerrysFoundation", "Workers",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], path: "Tests/TestSupport"),
        .testTarget(name: "BerrysJSONTests", dependencies: ["BerrysJSON"]),
        .testTarget(name: "FuzzRegressionTests", dependencies: ["BerrysFuzzTargets", "BerrysDomain", "TestSupport"]),
        .testTarget(name: "ProjectionsTests", dependencies: [
            "BerrysRuntime", "Projections", "Workers", "EventLog", "BerrysDomain", "PostgresClient", "RedisClient", "BerrysJSON", "TestSupport",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "BerrysFoundationTests", dependencies: ["BerrysFoundation", "TestSupport"]),
        .testTarget(name: "BerrysRuntimeTests", dependencies: ["BerrysRuntime", "TestSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "WorkersTests", dependencies: [
            "Workers", "BerrysFoundation", "EventLog", "RedisClient", "PostgresClient", "BerrysJSON", "TestSupport",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "BerrysWorkersTests", dependencies: [
            "BerrysWorkers", "Workers", "BerrysDomain", "EventLog", "PostgresClient", "BerrysJSON", "TestSupport",
        ]),
        .testTarget(name: "SubscriptionsTests", dependencies: ["Subscriptions", "EventLog"]),
        .testTarget(name: "ConnectorsTests", dependencies: [
            "Connectors", "Workers", "EventLog", "RedisClient", "BerrysJSON", "TestSupport",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "RedisClientTests", dependencies: ["RedisClient", "TestSupport"]),
        .testTarget(name: "PostgresClientTests", dependencies: ["PostgresClient", "TestSupport"]),
        .testTarget(name: "JSONSchemaTests", dependencies: ["JSONSchema", "BerrysJSON", "TestSupport"]),
        .testTarget(name: "DataKeysTests", dependencies: [
            "DataKeys", "EventLog", "PostgresClient", "Projections", "BerrysFoundation", "BerrysJSON", "TestSupport",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .testTarget(name: "EventLogTests", dependencies: [
            "EventLog", "BerrysJSON", "RedisClient", "TestSupport", .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
        ]),
        .testTarget(name: "QueryAPITests", dependencies: [
            "BerrysRuntime", "QueryAPI", "Subscriptions", "BerrysAPI", "Projections", "Workers", "BerrysWorkers", "BerrysDomain", "EventLog", "PostgresClient", "RedisClient", "BerrysJSON", "TestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "BerrysCLITests", dependencies: ["TestSupport", "ProcessSupport", "BerrysFoundation", "BerrysJSON", "EventLog", "PostgresClient", "RedisClient", "Workers"]),
        .testTarget(name: "BerrysBenchTests", dependencies: ["BerrysBench"]),
        .testTarget(name: "BerrysDomainTests", dependencies: ["BerrysDomain", "BerrysFoundation", "ProcessSupport", "EventLog", "BerrysJSON", "JSONSchema", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
