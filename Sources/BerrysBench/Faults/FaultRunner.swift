import BerrysDomain
import EventLog
import Foundation
import PostgresClient
import RedisClient

/// Runs one scenario from start to audit: a fresh namespace and database, the scenario's
/// processes under load, the faults, then settling, the audit and the rebuild comparison.
struct FaultRunner: Sendable {
    let servers: FaultServers
    let redis: RedisPool
    let registry: SchemaRegistry
    let projections: [String]
    let workers: Int
    let faults: Int
    let unitsPerSecond: Double
    let seed: UInt64

    /// One scenario's figures and findings.
    struct Outcome: Sendable {
        let scenario: FaultScenario
        var faults = 0
        var recoveries: [Double] = []
        var acked = 0
        var refusals: [String: Int] = [:]
        var audit = FaultAudit.Result()
        var rebuildMatches = false
        var findings: [String] = []
        var skipped: String?
        var seconds = 0.0
        var logPath = ""

        var passed: Bool { skipped != nil || (findings.isEmpty && audit.findings.isEmpty && rebuildMatches) }
    }

    func run(_ scenario: FaultScenario) async -> Outcome {
        var outcome = Outcome(scenario: scenario)
        let began = Date()
        let world = FaultWorld(servers: servers, scenario: scenario.rawValue)
        outcome.logPath = world.logPath
        var disk: FaultDisk?
        do {
            disk = scenario == .diskFull ? try await FaultDisk.prepare(world: world) : nil
            try await run(scenario, in: world, disk: disk, &outcome)
        } catch let skip as FaultSkipped {
            outcome.skipped = skip.reason
        } catch {
            outcome.findings.append("the run failed: \(error)")
        }
        await world.destroy(redis: redis)
        await disk?.teardown()
        outcome.seconds = Date().timeIntervalSince(began)
        return outcome
    }

    private func run(_ scenario: FaultScenario, in world: FaultWorld, disk: FaultDisk?, _ outcome: inout Outcome) async throws {
        var random = SplitMix(seed: seed ^ UInt64(FaultScenario.allCases.firstIndex(of: scenario)! + 1) &* 0x9E37_79B9)
        try await world.create(tablespace: disk?.tablespace)
        let postgres = PostgresPool(conninfo: world.databaseURL, size: 2)
        var probe = FaultProbe(redis: redis, postgres: postgres, keys: LogKeys(namespace: world.namespace), partitions: world.partitions)
        var configuration = EventLogConfiguration(namespace: world.namespace, partitions: world.partitions)
        configuration.unavailableRetrySeconds = 2
        let log = try await EventLog.open(redis: redis, configuration: configuration, registry: registry, conventions: BerrysConventions(),
                                          defaultSource: "berrys-bench-faults", create: false)
        for role in scenario.roles { _ = try await world.start(role) }
        let expectedGroups = workers * world.partitions
        guard await probe.waitUntilPassed([:], expectedGroups: expectedGroups, projections: projections.count, since: Date(), timeout: 90) != nil else {
            throw FaultRunError("the scenario's processes did not start within 90 s (see \(world.logPath))")
        }
        let load = FaultLoad(log: log, unitsPerSecond: unitsPerSecond)
        probe.poisons = load
        let producer = Task { await load.run() }
        let injector = FaultInjector(world: world, probe: probe, redis: redis, servers: servers, load: load,
                                     expectedGroups: expectedGroups, projections: projections.count, disk: disk)
        do {
            try await Task.sleep(for: .seconds(2))
            try await injector.inject(scenario, count: faults, random: &random, &outcome)
            try await Task.sleep(for: .seconds(2))
        } catch {
            producer.cancel()
            await disk?.release()
            throw error
        }
        producer.cancel()
        _ = await producer.value
        await disk?.release()
        let tally = load.snapshot
        outcome.acked = tally.acked.count
        outcome.refusals = tally.refusals
        try await settle(world: world, probe: probe, expectedGroups: expectedGroups, &outcome)
        outcome.audit = try await FaultAudit(log: log, redis: redis, postgres: postgres).run(tally: tally)
        let rebuildKills = scenario == .killReplay ? faults : 0
        let (differences, kills) = try await FaultRebuild(world: world, projections: projections)
            .compare(kills: rebuildKills, events: outcome.audit.events, random: &random)
        if scenario == .killReplay { outcome.faults = kills }
        outcome.rebuildMatches = differences.isEmpty
        outcome.findings += differences.map { "projection differs from a fresh rebuild: \($0)" }
    }

    /// Stops the scenario's processes (SIGTERM, each must exit 0), runs one clean berrys run
    /// until every group and projection has handled the whole log, and stops it.
    private func settle(world: FaultWorld, probe: FaultProbe, expectedGroups: Int, _ outcome: inout Outcome) async throws {
        // Settled means the poisons too are through their retries and dead-lettered.
        var probe = probe
        probe.poisons = nil
        for failure in await world.stopAll() {
            outcome.findings.append("berrys \(failure.role.rawValue) exited \(failure.status.map(String.init) ?? "(did not end within 60 s)") on SIGTERM at the end")
        }
        let run = try await world.start(.run)
        // Past its start-up and lease takeover first: everything may have been handled already,
        // and a stop within its first milliseconds is the sigterm scenario's business.
        try await Task.sleep(for: .seconds(3))
        let began = Date()
        var settled = false
        while Date().timeIntervalSince(began) < 180 {
            let heads = try await probe.heads()
            let left = 180 - Date().timeIntervalSince(began)
            guard await probe.waitUntilPassed(heads, expectedGroups: expectedGroups, projections: projections.count, since: Date(), timeout: left) != nil
            else { break }
            if try await probe.heads() == heads { settled = true; break }
        }
        if !settled { outcome.findings.append("did not settle within 180 s after the faults (see \(world.logPath))") }
        for faulted in try await probe.faultedProjections() { outcome.findings.append("projection faulted: \(faulted)") }
        let status = await world.stop(run, signal: SIGTERM)
        if status != 0 { outcome.findings.append("the settling berrys run exited \(status.map(String.init) ?? "(hung)") on SIGTERM") }
    }
}

/// A scenario this machine cannot run, with the reason.
struct FaultSkipped: Error {
    let reason: String
}
