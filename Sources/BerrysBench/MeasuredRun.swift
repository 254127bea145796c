/// One wrk run with the CPU it cost this process (the server) and the local PostgreSQL.
struct MeasuredRun {
    var result: WrkRunner.Result
    var serverSeconds: Double
    var postgresSeconds: Double?

    /// Runs `wrk` against `url` (with an optional Lua `script`) and meters the CPU around it.
    static func run(_ wrk: WrkRunner, url: String, script: String? = nil) async throws -> MeasuredRun {
        let server = CPUMeter.processSeconds()
        let postgres = LocalServerCPU.seconds(program: "postgres")
        let result = try await wrk.run(url: url, script: script)
        let postgresSpent = postgres.flatMap { before in LocalServerCPU.seconds(program: "postgres").map { $0 - before } }
        return MeasuredRun(result: result, serverSeconds: CPUMeter.processSeconds() - server, postgresSeconds: postgresSpent)
    }

    /// Server CPU per request, in microseconds.
    var serverMicroseconds: Double { serverSeconds * 1e6 / Double(max(1, result.requests)) }

    /// PostgreSQL CPU per request, in microseconds (nil when PostgreSQL is not on this machine).
    var postgresMicroseconds: Double? { postgresSeconds.map { $0 * 1e6 / Double(max(1, result.requests)) } }
}
