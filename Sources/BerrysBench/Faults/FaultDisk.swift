import ProcessSupport
import BerrysFoundation
import Foundation
import PostgresClient

/// A small disk for the disk-full scenario: a tmpfs mounted in the project's `.local/faults`
/// folder, a PostgreSQL tablespace on it holding the scenario's database, and remounts that
/// shrink it to just above its use (PostgreSQL then fails to extend its tables: SQLSTATE 53100)
/// and grow it back. Needs root, to mount; the scenario is skipped otherwise.
struct FaultDisk: Sendable {
    let folder: String
    let tablespace: String
    let admin: String

    /// Mounts the tmpfs (64 MiB) and creates the tablespace.
    /// - Throws: `FaultSkipped` when this machine cannot mount one.
    static func prepare(world: FaultWorld) async throws -> FaultDisk {
        guard geteuid() == 0 else { throw FaultSkipped(reason: "mounting a tmpfs needs root") }
        let suffix = String(world.databaseName.suffix(8))
        let folder = world.servers.projectRoot.appendingPathComponent(".local/faults/disk-\(suffix)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let mounted = try await Blocking.run { try ChildProcess.run("mount", ["-t", "tmpfs", "-o", "size=64m", "tmpfs", folder], input: nil, environment: nil) }
        guard mounted.status == 0 else { throw FaultSkipped(reason: "mount -t tmpfs failed: \(mounted.stderr)") }
        let data = folder + "/pg"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        // The server runs as postgres when we are root (scripts/local-servers), and needs to own its tablespace.
        _ = try await Blocking.run { try ChildProcess.run("chown", ["postgres:postgres", data], input: nil, environment: nil) }
        let disk = FaultDisk(folder: folder, tablespace: "berrys_faults_\(suffix)", admin: world.servers.databaseURL)
        try await PostgresConnection(conninfo: disk.admin).execute("CREATE TABLESPACE \(disk.tablespace) LOCATION '\(data)'")
        return disk
    }

    /// Shrinks the disk to 256 KiB above its use for 4 s (the projectors' writes fail for want
    /// of space meanwhile), then grows it back.
    func fillAndGrow(world: FaultWorld) async throws {
        let used = try await Blocking.run { try ChildProcess.run("du", ["-sk", folder], input: nil, environment: nil) }
        guard let kilobytes = used.stdout.split(separator: "\t").first.flatMap({ Int($0) }) else { throw FaultRunError("du \(folder): \(used.stderr)") }
        try await remount(size: "\(kilobytes + 256)k")
        try? await Task.sleep(for: .seconds(4))
        try await remount(size: "64m")
    }

    /// Gives the space back (the scenario then settles on a disk with room).
    func release() async {
        try? await remount(size: "64m")
    }

    /// Drops the tablespace (after the databases on it) and unmounts the disk.
    func teardown() async {
        try? await PostgresConnection(conninfo: admin).execute("DROP TABLESPACE IF EXISTS \(tablespace)")
        _ = try? await Blocking.run { try ChildProcess.run("umount", [folder], input: nil, environment: nil) }
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func remount(size: String) async throws {
        let result = try await Blocking.run {
            try ChildProcess.run("mount", ["-o", "remount,size=\(size)", folder], input: nil, environment: nil)
        }
        guard result.status == 0 else { throw FaultRunError("remount \(folder) size=\(size): \(result.stderr)") }
    }
}
