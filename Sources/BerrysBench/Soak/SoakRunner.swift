import BerrysFoundation
import BerrysDomain
import CommandSupport
import EventLog
import Foundation
import PostgresClient
import RedisClient

/// A long steady run of `berrys run`, `berrys worker` and `berrys project` side by side under
/// the fault runner's producer and API readers (`SoakReaders`), sampled every `sampleSeconds`, then settled and audited as a
/// fault scenario is (nothing lost or doubled, DLQ = poisons, projections = a fresh rebuild).
struct SoakRunner: Sendable {
    let faults: FaultRunner
    let minutes: Double
    let sampleSeconds: Double

    struct Outcome: Sendable {
        var samples: [SoakSample] = []
        var acked = 0
        /// What the API readers got.
        var reads = ""
        var audit = FaultAudit.Result()
        var rebuildMatches = false
        var findings: [String] = []
        var logPath = ""

        var unboundedGrowth: Bool { SoakReport.growth(samples).contains { $0.unbounded } }
        var passed: Bool { findings.isEmpty && audit.findings.isEmpty && rebuildMatches && !unboundedGrowth }
    }

    func run() async -> Outcome {
        var outcome = Outcome()
        let world = FaultWorld(servers: faults.servers, scenario: "soak")
        outcome.logPath = world.logPath
        do {
            try await run(in: world, &outcome)
        } catch {
            outcome.findings.append("the soak failed: \(error)")
        }
        await world.destroy(redis: faults.redis)
        return outcome
    }

    private func run(in world: FaultWorld, _ outcome: inout Outcome) async throws {
        let opened = try await faults.open(world, roles: [.run, .worker, .project])
        let sampler = SoakSampler(redis: faults.redis, postgres: opened.postgres, keys: LogKeys(namespace: world.namespace),
                                  partitions: world.partitions)
        let load = FaultLoad(log: opened.log, unitsPerSecond: faults.unitsPerSecond)
        var probe = opened.probe
        probe.poisons = load
        let producer = Task { await load.run() }
        let readers = SoakReaders()
        let apiPort = await world.running.first { $0.role == .run }?.port ?? 0
        let reading = Task { await readers.run(port: apiPort) }
        let began = ContinuousClock.now
        var next = began
        while true {
            let elapsed = (ContinuousClock.now - began).inSeconds
            let processes = await world.running
            for entry in processes {
                if let status = entry.process.exited() { outcome.findings.append("berrys \(entry.role.rawValue) exited \(status) during the soak") }
            }
            guard outcome.findings.isEmpty else { break }
            let sample = try await sampler.sample(at: elapsed / 60, processes: processes)
            outcome.samples.append(sample)
            printError(SoakReport.progress(sample, of: minutes))
            guard elapsed < minutes * 60 else { break }
            next += .milliseconds(Int(sampleSeconds * 1000))
            try await Task.sleep(until: next)
        }
        producer.cancel()
        reading.cancel()
        _ = await producer.value
        _ = await reading.value
        outcome.reads = readers.summary
        outcome.findings += readers.serverErrors.map { "the API answered \($0.value) reads with \($0.key)" }
        let tally = load.snapshot
        outcome.acked = tally.acked.count
        outcome.findings += try await faults.settle(world: world, probe: probe)
        var random = SplitMix(seed: faults.seed)
        let checked = try await faults.audit(world: world, log: opened.log, postgres: opened.postgres, tally: tally, rebuildKills: 0, random: &random)
        outcome.audit = checked.audit
        outcome.rebuildMatches = checked.differences.isEmpty
        outcome.findings += checked.differences.map { "projection differs from a fresh rebuild: \($0)" }
    }
}
