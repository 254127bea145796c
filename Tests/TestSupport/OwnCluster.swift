import Foundation
import Glibc
import RedisClient

/// A Redis Cluster (3 primaries + 3 replicas) of one test's own, for tests that change its
/// topology (kill a primary, move slots), so that the other tests never see it.
public enum OwnCluster {
    static let script = TestServers.projectRoot.appendingPathComponent("scripts/local-servers").path

    /// Starts the cluster `name` of `scripts/local-servers` (`failover-cluster`,
    /// `reshard-cluster`), runs `body` with its URL, and stops every node afterwards, also
    /// when `body` throws.
    public static func with<T>(_ name: String, _ body: (_ url: String) async throws -> T) async throws -> T {
        // Stopping six nodes takes a while: off the cooperative pool (two threads on this
        // machine), where it would hold up every other test's tasks, and their leases expire.
        let down = { _ = try? await TestServers.runCapturingOffPool(script, ["down", name]) }
        return try await doing({
            let output = try await TestServers.runCapturingOffPool(script, ["up", name])
            guard output.status == 0,
                  let line = output.stdout.split(separator: "\n").first(where: { $0.hasPrefix("export BERRYS_REDIS_URL=") }) else {
                throw TestFailure("local-servers up \(name) exited \(output.status): \(output.stderr)")
            }
            return try await body(String(line.dropFirst("export BERRYS_REDIS_URL=".count)))
        }, finally: down)
    }

    /// Kills the node of cluster `name` listening on `node`'s port with SIGKILL (its pid from
    /// `.local/NAME/redis/PORT/redis.pid`), and waits until it is gone.
    public static func kill(_ name: String, node: RedisNodeAddress) async throws {
        let pidFile = TestServers.projectRoot.appendingPathComponent(".local/\(name)/redis/\(node.port)/redis.pid").path
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestFailure("no pid in \(pidFile)")
        }
        Glibc.kill(pid, SIGKILL)
        try await eventually("redis-server \(pid) gone", timeout: 10, every: .milliseconds(10)) { Glibc.kill(pid, 0) != 0 }
    }

    /// Starts the nodes of `name` that are down again (they rejoin as replicas), off the
    /// cooperative pool.
    public static func restartStoppedNodes(_ name: String) async throws {
        let output = try await TestServers.runCapturingOffPool(script, ["up", name])
        guard output.status == 0 else { throw TestFailure("local-servers up \(name) exited \(output.status): \(output.stderr)") }
    }
}
