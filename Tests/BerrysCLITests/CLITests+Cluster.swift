import Foundation
import RedisClient
import TestSupport
import Testing

/// Partition counts, durability and the cluster, through the `berrys` executable.
extension CLITests {
    @Test func thePartitionCountIsFixedWhenTheLogIsCreated() async throws {
        let created = try await berrys(["init", "--partitions", "6"])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("6 partitions"), "\(created.stdout)")
        #expect(try await berrys(["init", "--partitions", "6"]).status == 0, "init is idempotent")
        #expect(try await berrys(["init"]).status == 0, "no count asked for: the stored one")

        let other = try await berrys(["init", "--partitions", "8"])
        #expect(other.status == 78, "\(other.stderr)")
        #expect(other.stderr.contains("has 6 partitions") && other.stderr.contains("BERRYS_PARTITIONS"), "\(other.stderr)")
        let fromEnvironment = try await berrys(["status"], environment: ["BERRYS_PARTITIONS": "4"])
        #expect(fromEnvironment.status == 78, "\(fromEnvironment.stderr)")
        #expect(fromEnvironment.stderr.contains("BERRYS_PARTITIONS=6"), "\(fromEnvironment.stderr)")
        #expect(try await berrys(["init", "--partitions", "0"]).status == 64)
    }

    @Test func statusShowsEachPartitionsSlotAndNode() async throws {
        let onCluster = ["BERRYS_REDIS_URL": TestServers.clusterURL]
        #expect(try await berrys(["init"]).status == 0)
        let initialised = try await berrys(["init"], environment: onCluster)
        #expect(initialised.stdout.contains("berrys, berrys_log, berrys_workers, berrys_leases loaded on 3 primaries"), "\(initialised)")
        for primary in try await RedisPool(seeds: TestServers.clusterSeeds).primaries() {
            let connection = RedisConnection(configuration: TestServers.clusterSeeds[0].pointing(at: primary))
            let libraries = try await connection.send("FUNCTION", "LIST").array ?? []
            await connection.close()
            let names = libraries.compactMap { $0.fieldMap["library_name"]?.string }
            #expect(Set(names).isSuperset(of: ["berrys", "berrys_log", "berrys_workers", "berrys_leases"]), "\(primary): \(names)")
        }
        let single = try await berrys(["status"])
        #expect(single.status == 0, "\(single.stderr)")
        let header = "PARTITION\tLENGTH\tLAST ID\tTRIMMED BELOW\tTRIM HELD BY\tSLOT\tNODE\n"
        #expect(single.stdout.hasPrefix("Redis: one node, "), "\(single.stdout)")
        #expect(single.stdout.contains("retention all\n"), "\(single.stdout)")
        #expect(single.stdout.contains(header), "\(single.stdout)")
        let port = try #require(URL(string: TestServers.redisURL)?.port)
        #expect(single.stdout.contains("\t-\t127.0.0.1:\(port)\n"), "\(single.stdout)")

        let cluster = try await berrys(["status"], environment: onCluster)
        #expect(cluster.status == 0, "\(cluster.stderr)")
        #expect(cluster.stdout.hasPrefix("Redis: cluster of 3 primaries, "), "\(cluster.stdout)")
        let lines = cluster.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let rows = lines.drop { $0 + "\n" != header }.dropFirst().prefix { !$0.isEmpty }.map { $0.split(separator: "\t") }
        #expect(rows.count == 4, "\(cluster.stdout)")
        #expect(rows.allSatisfy { $0.count == 7 && Int($0[5]).map { (0..<16384).contains($0) } == true && $0[6].hasPrefix("127.0.0.1:") },
                "\(cluster.stdout)")
    }

    @Test func replicatedDurabilityWithoutAReplicaExitsSixtyNineAndSaysTheRetryIsSafe() async throws {
        let id = UUID().uuidString.lowercased()
        let environment = ["BERRYS_DURABILITY": "replicated", "BERRYS_REPLICATION_TIMEOUT_MS": "50"]
        let published = try await berrys(["publish", "project.created", "--data", Self.project(id), "--id", "r-\(id)"],
                                         environment: environment)
        #expect(published.status == 69, "\(published.stderr)")
        #expect(published.stderr.contains("BERRYS_NOT_REPLICATED") && published.stderr.contains("its id de-duplicates"),
                "\(published.stderr)")
        // On the primary all the same: it may or may not survive a failover.
        #expect(try await berrys(["log", "read"]).stdout.contains("r-\(id)"))

        let wrong = try await berrys(["status"], environment: ["BERRYS_DURABILITY": "sometimes"])
        #expect(wrong.status == 78 && wrong.stderr.contains("BERRYS_DURABILITY"), "\(wrong.stderr)")
        let timeout = try await berrys(["status"], environment: ["BERRYS_DURABILITY": "replicated", "BERRYS_REPLICATION_TIMEOUT_MS": "soon"])
        #expect(timeout.status == 78 && timeout.stderr.contains("BERRYS_REPLICATION_TIMEOUT_MS"), "\(timeout.stderr)")
    }

    @Test func seedsThatAllFailAreEachNamed() async throws {
        let ports = [try TestServers.freePort(), try TestServers.freePort()]
        let result = try await berrys(["status"], environment: [
            "BERRYS_REDIS_URL": "redis://" + ports.map { "127.0.0.1:\($0)" }.joined(separator: ","), "BERRYS_REDIS_RETRY_SECONDS": "1"])
        #expect(result.status == 69, "\(result.stderr)")
        for port in ports { #expect(result.stderr.contains("127.0.0.1:\(port)"), "\(result.stderr)") }
    }
}
