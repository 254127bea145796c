import BerrysFoundation
import CommandSupport
import EventLog
import Foundation
import PostgresClient
import Projections
import RedisClient

/// The steps of `berrys-bench retention`, in one process: projector and trimmer run while
/// events are published, Redis memory is sampled, then the results are checked.
struct RetentionRun {
    let log: EventLog
    let pool: PostgresPool
    let redis: RedisPool
    let definitions: [ProjectionDefinition]
    let keep: Int

    struct Report {
        var text: String
        /// What broke a promise (empty: all kept).
        var failures: [String]
    }

    func measure(events: Int, sampleSeconds: Double) async throws -> Report {
        let catalog = ProjectionCatalog(pool: pool)
        let projector = Task { try await Projector(log: log, pool: pool, definitions: definitions).run() }
        let trimmer = LogTrimmer(log: log, catalog: catalog, policy: .entries(keep))
        let trimming = Task { while !Task.isCancelled { _ = try? await trimmer.round(); try? await Task.sleep(for: .milliseconds(500)) } }
        defer { projector.cancel(); trimming.cancel() }
        let sampler = MemorySampler(log: log, redis: redis, every: sampleSeconds)
        let sampling = Task { await sampler.run() }
        let started = Date()
        printError("publishing \(events) events with entries:\(keep) …")
        try await BenchWorkload.publish(events, to: log)
        let publishSeconds = Date().timeIntervalSince(started)
        printError("waiting for the projections and the trimmer …")
        try await waitUntilSettled()
        sampling.cancel()
        let samples = await sampling.value
        trimming.cancel()
        projector.cancel()
        _ = await projector.result

        var failures: [String] = []
        var lines = ["retention benchmark (\(events) events, \(log.partitioner.partitions) partitions, entries:\(keep))",
                     String(format: "  published in %.1f s (%.0f events/s) with projector and trimmer running", publishSeconds, Double(events) / publishSeconds)]
        lines += memoryLines(samples)
        let retained = try await retainedEntries()
        lines.append("  Redis keeps \(retained) entries (at most \(keep) per partition)")
        if retained > keep * log.partitioner.partitions { failures.append("Redis keeps \(retained) entries, over entries:\(keep) per partition") }
        let archived = Int(try await pool.query("SELECT count(*) FROM read.events").scalar ?? "0") ?? 0
        lines.append("  archive (read.events): \(archived) events of \(events)")
        if archived != events { failures.append("the archive holds \(archived) events, not \(events)") }
        lines += try await storageLines()
        let (rebuildLines, differing) = try await rebuildFromTheTieredLog(events: events)
        lines += rebuildLines
        if !differing.isEmpty { failures.append("the rebuild from the tiered log differs in \(differing.joined(separator: ", "))") }
        lines += try await tierReadRates()
        return Report(text: lines.joined(separator: "\n"), failures: failures)
    }

    /// Until every projection has applied the whole log and each partition is within its retention.
    private func waitUntilSettled() async throws {
        let catalog = ProjectionCatalog(pool: pool)
        var heads: [Int: StreamID] = [:]
        for partition in 0..<log.partitioner.partitions { heads[partition] = try await log.lastStreamID(partition: partition) }
        while true {
            var settled = try await retainedEntries() <= keep * log.partitioner.partitions
            for definition in definitions where settled {
                let checkpoints = try await catalog.checkpoints(definition)
                settled = heads.allSatisfy { (checkpoints[$0.key] ?? .zero) >= $0.value }
            }
            if settled { return }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    private func retainedEntries() async throws -> Int {
        var total = 0
        for partition in 0..<log.partitioner.partitions { total += Int(try await log.length(partition: partition)) }
        return total
    }

    /// The streams level off at the retention; `used_memory` also holds the de-dup records
    /// (bounded by rate × window) and the sequence hashes (growing with subjects).
    private func memoryLines(_ samples: [MemorySampler.Sample]) -> [String] {
        guard let last = samples.last else { return ["  (no memory samples)"] }
        let used = samples.map(\.used), streams = samples.map(\.streams)
        let secondHalf = streams.suffix(max(1, streams.count / 2))
        return [
            "  Redis used_memory \(MemoryGrowth.sparkline(used)) \(mebibytes(used[0])) → \(mebibytes(last.used)) MB, peak \(mebibytes(used.max() ?? 0)) MB",
            "  the log's streams \(MemoryGrowth.sparkline(streams)) \(mebibytes(streams[0])) → \(mebibytes(last.streams)) MB, peak \(mebibytes(streams.max() ?? 0)) MB;"
                + " second half of the run within \(mebibytes(secondHalf.min() ?? 0))–\(mebibytes(secondHalf.max() ?? 0)) MB",
        ]
    }

    /// Redis memory per retained entry (the streams) and per subject ever seen (the sequence hashes).
    private func storageLines() async throws -> [String] {
        var streamBytes = 0, entries = 0, sequenceBytes = 0, subjects = 0
        let keys = log.configuration.keys
        for partition in 0..<log.partitioner.partitions {
            streamBytes += Int(try await redis.send("MEMORY", "USAGE", keys.stream(partition: partition), "SAMPLES", "0").int ?? 0)
            entries += Int(try await log.length(partition: partition))
            sequenceBytes += Int(try await redis.send("MEMORY", "USAGE", keys.sequences(partition: partition), "SAMPLES", "0").int ?? 0)
            subjects += Int(try await redis.send("HLEN", keys.sequences(partition: partition)).int ?? 0)
        }
        let deduplication = try await deduplicationRecords()
        return [
            "  Redis memory per retained entry: \(streamBytes / max(1, entries)) bytes (streams, MEMORY USAGE)",
            "  de-dup records: \(deduplication.count) of about \(deduplication.bytesEach) bytes each (one per event id for the de-dup window, whatever the retention: bounded by publish rate × window)",
            "  sequence hashes: \(sequenceBytes / max(1, subjects)) bytes per subject ever seen (\(subjects) subjects, \(mebibytes(Double(sequenceBytes))) MB; they grow with subjects, not with retention)",
        ]
    }

    /// How many de-dup records the log has now, and the memory of one (sampled).
    private func deduplicationRecords() async throws -> (count: Int, bytesEach: Int) {
        let pattern = log.configuration.namespace + ":dedup:*"
        let counts = try await redis.forEachPrimary { _, connection -> (Int, Int) in
            var cursor = "0", count = 0, sampled = 0
            repeat {
                let reply = try await connection.send("SCAN", cursor, "MATCH", pattern, "COUNT", "10000").array ?? []
                cursor = reply.first?.string ?? "0"
                let keys = reply.count > 1 ? (reply[1].array ?? []).compactMap(\.string) : []
                count += keys.count
                if sampled == 0, let key = keys.first { sampled = Int(try await connection.send("MEMORY", "USAGE", key).int ?? 0) }
            } while cursor != "0"
            return (count, sampled)
        }
        return (counts.map(\.0).reduce(0, +), counts.map(\.1).max() ?? 0)
    }

    /// Builds every non-archive projection again as a new version from the tiered log (archive
    /// below the trimmed point), together as `berrys replay NAME…` does, and compares every
    /// table with the live build.
    private func rebuildFromTheTieredLog(events: Int) async throws -> (lines: [String], differing: [String]) {
        let live = definitions.filter { $0.name != LogTrimmer.archiveProjection }
        let rebuilt = live.map { definition -> ProjectionDefinition in
            var next = definition
            next.version += 1
            next.checksum += "-bench-rebuild"
            return next
        }
        let shared = SharedSource(base: TieredSource(log: log, pool: pool), readers: rebuilt.count)
        let started = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for definition in rebuilt {
                group.addTask { try await ProjectionBuilder(log: log, pool: pool, definition: definition, batchSize: 5000, source: shared).run() }
            }
            try await group.waitForAll()
        }
        let seconds = Date().timeIntervalSince(started)
        var differing: [String] = [], tableCount = 0
        for (old, new) in zip(live, rebuilt) {
            let tables = try await pool.query("SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY 1", [old.schemaName]).values.compactMap { $0[0] }
            tableCount += tables.count
            for table in tables {
                let difference = try await pool.query("""
                    SELECT count(*) FROM ((SELECT * FROM \(old.schemaName).\(table) EXCEPT SELECT * FROM \(new.schemaName).\(table))
                    UNION ALL (SELECT * FROM \(new.schemaName).\(table) EXCEPT SELECT * FROM \(old.schemaName).\(table))) d
                    """).scalar
                if difference != "0" { differing.append("\(old.name).\(table)") }
            }
        }
        let line = String(format: "  %d read models rebuilt together from the tiered log: %d events in %.1f s (%.0f events/s); %d tables %@",
                          rebuilt.count, events, seconds, Double(events) / seconds, tableCount,
                          differing.isEmpty ? "identical to the live builds" : "DIFFERENT")
        return ([line], differing)
    }

    /// The same entries read from Redis (XRANGE) and from the archive, batches of 1000.
    private func tierReadRates() async throws -> [String] {
        let partition = 0
        // Just below the watermark: Redis holds every entry after it.
        let watermark = try await log.trimWatermark(partition: partition)
        let after = watermark == .zero ? StreamID.zero
            : watermark.sequence > 0 ? StreamID(milliseconds: watermark.milliseconds, sequence: watermark.sequence - 1)
            : StreamID(milliseconds: watermark.milliseconds - 1, sequence: .max)
        let redisStart = Date()
        var count = 0, last = after
        while true {
            let entries = try await log.readEntries(partition: partition, after: last, count: 1000)
            count += entries.count
            guard let end = entries.last?.position?.streamID, entries.count == 1000 else { break }
            last = end
        }
        let redisSeconds = Date().timeIntervalSince(redisStart)
        let archive = ArchiveSource(pool: pool)
        let archiveStart = Date()
        var archived = 0
        last = after
        while archived < count {
            let entries = try await archive.entries(partition: partition, after: last, count: 1000)
            archived += entries.count
            guard let end = entries.last?.position?.streamID, entries.count == 1000 else { break }
            last = end
        }
        let archiveSeconds = Date().timeIntervalSince(archiveStart)
        let redisRate = Double(count) / redisSeconds, archiveRate = Double(archived) / archiveSeconds
        return [String(format: "  reading partition %d's %d retained entries: Redis XRANGE %.0f events/s, archive %.0f events/s = %.2f× Redis",
                       partition, count, redisRate, archiveRate, archiveRate / redisRate)]
    }

    private func mebibytes(_ bytes: Double) -> String { String(format: "%.1f", bytes / 1_048_576) }
}

/// Samples Redis `used_memory` and the memory of the log's streams until cancelled.
struct MemorySampler {
    let log: EventLog
    let redis: RedisPool
    let every: Double

    struct Sample {
        var used: Double
        var streams: Double
    }

    func run() async -> [Sample] {
        var samples: [Sample] = []
        while !Task.isCancelled {
            if let used = try? await log.redisUsedMemory(), let streams = try? await streamBytes() {
                samples.append(Sample(used: Double(used), streams: Double(streams)))
            }
            try? await Task.sleep(for: .milliseconds(Int(every * 1000)))
        }
        return samples
    }

    private func streamBytes() async throws -> Int {
        var total = 0
        for partition in 0..<log.partitioner.partitions {
            total += Int(try await redis.send("MEMORY", "USAGE", log.configuration.streamKey(partition: partition), "SAMPLES", "0").int ?? 0)
        }
        return total
    }
}
