import BerrysPlatform
import CommandSupport
import ArgumentParser
import BerrysDomain
import BerrysWorkers
import Connectors
import Foundation
import Logging
import Projections
import QueryAPI
import ServiceLifecycle
import Workers

struct WorkerCommand: LongRunningCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run the consumer workers against the log (Ctrl-C or SIGTERM stops them gracefully).",
        discussion: """
        Each worker is a consumer group per partition. Processes running the same worker share its \
        partitions through leases (one process per partition at a time keeps per-key order); a \
        crashed process's partitions and pending events are taken over by the others.
        """)

    @OptionGroup var options: WorkerOptions
    @Option(help: "Serve Prometheus metrics (GET /metrics) and health (GET /health/liveness, /health/readiness: Redis and PostgreSQL reachable) on this port of BERRYS_HTTP_HOST; none by default.")
    var metricsPort: Int?

    func validate() throws {
        if let metricsPort, !(1...65535).contains(metricsPort) { throw ValidationError("--metrics-port must be 1…65535") }
    }

    func run(signals: ShutdownSignals) async throws {
        // Held events (publish --at) are appended when due by the worker processes, which share
        // the partitions for it.
        let assembly = SystemAssembly(roles: [.workers, .firer], domain: .berrys, workers: options.plan(metricsPort: metricsPort),
                                      source: "berrys-worker")
        try await reportingFailures {
            try await ServiceRun.run(signals: signals, loggerLabel: "berrys.workers") {
                try await assembly.services(logger: Logger(label: "berrys.workers"))
            }
        }
    }
}

/// The options of `berrys worker` (shared with the all-in-one run).
struct WorkerOptions: ParsableArguments {
    @Option(name: .customLong("only"), parsing: .upToNextOption, help: "Only these workers or connectors (connector-<name>) (default: all; see berrys workers list).")
    var only: [String] = []
    @Option(help: "Events processed at once per worker and partition (per-key order is kept).")
    var concurrency: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "This process's consumer name (default: <host>-<pid>-<random>); must be unique per process.")
    var consumer: String?
    @Option(help: "Entries read per XREADGROUP.")
    var batchSize: Int = 200
    @Option(help: "Seconds an event may stay pending on a consumer that is still alive before another claims it.")
    var visibilityTimeout: Double = 30
    @Option(help: "Seconds a partition lease lasts without renewal (a crashed process's partitions move after this; in berrys run, the projector's leases too).")
    var leaseSeconds: Double = 10
    @Option(help: "Permanent failures (or deliveries) before an event is dead-lettered.")
    var maxDeliveries: Int = 5
    @Option(help: "Where a worker without a consumer group yet starts: beginning (every event; on a trimmed partition it first catches up from the archive) or now (new events only).")
    var from: GroupStart = .beginning

    func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        guard visibilityTimeout > 0, leaseSeconds > 0 else { throw ValidationError("--visibility-timeout and --lease-seconds must be positive") }
        guard maxDeliveries >= 1 else { throw ValidationError("--max-deliveries must be at least 1") }
    }

    var settings: WorkerSettings {
        WorkerSettings(concurrency: concurrency, batchSize: batchSize, visibilityTimeout: .seconds(visibilityTimeout), lease: .seconds(leaseSeconds),
                       policy: DeliveryPolicy(maxDeliveries: maxDeliveries), start: from)
    }

    /// The workers' part of the process's assembly.
    func plan(metricsPort: Int? = nil) -> SystemAssembly.WorkerPlan {
        SystemAssembly.WorkerPlan(only: only, consumer: consumer, settings: settings, metricsPort: metricsPort)
    }
}

struct WorkersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workers", abstract: "Show the consumer workers.", subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List each worker (and each connector of the connectors folder) with the event types it handles.")

        func run() async throws {
            try await reportingFailures {
                for worker in BerrysWorkerCatalog.all {
                    print("\(worker.name)\t\(worker.handledTypes.sorted().joined(separator: ", "))")
                }
                guard let folder = ConnectorFolder.locate() else { return }
                let knownTypes = Set(try BerrysSchemas.registry().types)
                for connector in try ConnectorFolder.loadAll(from: folder, knownTypes: knownTypes) {
                    print("\(connector.workerName)\t\(connector.handledTypes(among: knownTypes).sorted().joined(separator: ", "))"
                          + "\t→ \(connector.url.absoluteString)")
                }
            }
        }
    }
}

extension GroupStart: ExpressibleByArgument {}
