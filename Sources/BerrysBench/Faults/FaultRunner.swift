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
        let opened = try await open(world, roles: scenario.roles, tablespace: disk?.tablespace)
        let load = FaultLoad(log: opened.log, unitsPerSecond: unitsPerSecond)
        var probe = opened.probe
        probe.poisons = load
        let producer = Task { await load.run() }
        let injector = FaultInjector(world: world, probe: probe, redis: redis, servers: servers, load: load,
                                     expectedGroups: expectedGroups(world), projections: projections.count, disk: disk)
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
        outcome.findings += try await settle(world: world, probe: probe)
        let rebuildKills = scenario == .killReplay ? faults : 0
        let checked = try await audit(world: world, log: opened.log, postgres: opened.postgres, tally: tally,
                                      rebuildKills: rebuildKills, random: &random)
        outcome.audit = checked.audit
        if scenario == .killReplay { outcome.faults = checked.kills }
        outcome.rebuildMatches = checked.differences.isEmpty
        outcome.findings += checked.differences.map { "projection differs from a fresh rebuild: \($0)" }
    }

    /// What a scenario (or a soak) works with once its world is up.
    struct Opened: Sendable {
        let log: EventLog
        let postgres: PostgresPool
        let probe: FaultProbe
    }

    /// Every consumer group a world has: each worker on each partition.
    func expectedGroups(_ world: FaultWorld) -> Int { workers * world.partitions }

    /// Creates the world's database and log, starts `roles` and waits until they consume.
    func open(_ world: FaultWorld, roles: [FaultWorld.Role], tablespace: String? = nil) async throws -> Opened {
        try await world.create(tablespace: tablespace)
        let postgres = PostgresPool(conninfo: world.databaseURL, size: 2)
        let probe = FaultProbe(redis: redis, postgres: postgres, keys: LogKeys(namespace: world.namespace), partitions: world.partitions)
        var configuration = EventLogConfiguration(namespace: world.namespace, partitions: world.partitions)
        configuration.unavailableRetry = .seconds(2)
        let log = try await EventLog.open(redis: redis, configuration: configuration, registry: registry, conventions: BerrysConventions(),
                                          defaultSource: "berrys-bench-faults", create: false)
        for role in roles { _ = try await world.start(role) }
        guard await probe.waitUntilPassed([:], expectedGroups: expectedGroups(world), projections: projections.count, since: Date(), timeout: 90) != nil else {
            throw FaultRunError("the processes did not start within 90 s (see \(world.logPath))")
        }
        return Opened(log: log, postgres: postgres, probe: probe)
    }

    /// The audit, then the comparison with a fresh rebuild (`rebuildKills` kill -9s of it).
    func audit(world: FaultWorld, log: EventLog, postgres: PostgresPool, tally: FaultLoad.Tally, rebuildKills: Int,
               random: inout SplitMix) async throws -> (audit: FaultAudit.Result, differences: [String], kills: Int) {
        let audit = try await FaultAudit(log: log, redis: redis, postgres: postgres).run(tally: tally)
        let (differences, kills) = try await FaultRebuild(world: world, projections: projections)
            .compare(kills: rebuildKills, events: audit.events, random: &random)
        return (audit, differences, kills)
    }

    /// Stops the processes (SIGTERM, each must exit 0), runs one clean berrys run until every
    /// group and projection has handled the whole log, and stops it.
    /// - Returns: what went wrong.
    func settle(world: FaultWorld, probe: FaultProbe) async throws -> [String] {
        // Settled means the poisons too are through their retries and dead-lettered.
        var probe = probe
        probe.poisons = nil
        var findings: [String] = []
        for failure in await world.stopAll() {
            findings.append("berrys \(failure.role.rawValue) exited \(failure.status.map(String.init) ?? "(did not end within 60 s)") on SIGTERM at the end")
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
            guard await probe.waitUntilPassed(heads, expectedGroups: expectedGroups(world), projections: projections.count, since: Date(), timeout: left) != nil
            else { break }
            if try await probe.heads() == heads { settled = true; break }
        }
        if !settled { findings.append("did not settle within 180 s (see \(world.logPath))") }
        for faulted in try await probe.faultedProjections() { findings.append("projection faulted: \(faulted)") }
        let status = await world.stop(run, signal: SIGTERM)
        if status != 0 { findings.append("the settling berrys run exited \(status.map(String.init) ?? "(hung)") on SIGTERM") }
        return findings
    }
}

/// A scenario this machine cannot run, with the reason.
struct FaultSkipped: Error {
    let reason: String
}
