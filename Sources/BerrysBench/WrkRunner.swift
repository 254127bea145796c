import ProcessSupport
import BerrysFoundation
import CommandSupport
import Foundation

/// Runs `wrk` (Debian package) and reads its figures.
struct WrkRunner {
    struct Result {
        var requestsPerSecond: Double
        /// Requests completed in the run.
        var requests: Int
        var p50: Double
        var p99: Double
        /// Non-2xx/3xx responses and socket errors.
        var errors: Int
    }

    let connections: Int
    let seconds: Int

    /// Installs wrk with apt-get when missing (as root), or says what to run.
    static func ensureInstalled() throws {
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") { return }
        guard getuid() == 0 else {
            throw BenchError("wrk is not installed; run as root: apt-get install -y wrk")
        }
        for arguments in [["update", "-qq"], ["install", "-y", "-qq", "wrk"]] {
            let result = try Subprocess.run("/usr/bin/apt-get", arguments)
            guard result.status == 0 else { throw BenchError("apt-get \(arguments.joined(separator: " ")) failed: \(result.output)") }
        }
    }

    /// Runs wrk against `url` (with a Lua `script`) and waits for it on a thread of its own, so
    /// the server measured in this process keeps all of its threads.
    func run(url: String, script: String? = nil) async throws -> Result {
        var arguments = ["-t", "2", "-c", String(connections), "-d", "\(seconds)s", "--latency"]
        var scriptPath: String?
        if let script {
            let path = NSTemporaryDirectory() + "berrys-wrk-\(UUID().uuidString).lua"
            try script.write(toFile: path, atomically: true, encoding: .utf8)
            arguments += ["-s", path]
            scriptPath = path
        }
        defer { scriptPath.map { try? FileManager.default.removeItem(atPath: $0) } }
        let result = try await Subprocess.runOffPool("/usr/bin/wrk", arguments + [url])
        guard result.status == 0 else { throw BenchError("wrk failed: \(result.output)") }
        return try Self.parse(result.output)
    }

    static func parse(_ output: String) throws -> Result {
        func number(after label: String) -> Double? {
            guard let line = output.split(separator: "\n").first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label) }) else { return nil }
            let value = line.trimmingCharacters(in: .whitespaces).dropFirst(label.count).trimmingCharacters(in: .whitespaces)
                .split(separator: " ").first.map(String.init) ?? ""
            return milliseconds(value)
        }
        guard let rate = number(after: "Requests/sec:"), let p50 = number(after: "50%"), let p99 = number(after: "99%") else {
            throw BenchError("cannot read wrk's output:\n\(output)")
        }
        let non2xx = number(after: "Non-2xx or 3xx responses:").map(Int.init) ?? 0
        let requests = output.split(separator: "\n").lazy.compactMap { line -> Int? in
            let words = line.split(separator: " ")
            return words.count > 2 && words[1] == "requests" && words[2] == "in" ? Int(words[0]) : nil
        }.first
        guard let requests else { throw BenchError("cannot read wrk's request count:\n\(output)") }
        return Result(requestsPerSecond: rate, requests: requests, p50: p50, p99: p99, errors: non2xx)
    }

    /// `1.23ms`, `850.00us`, `1.10s`, or a plain number.
    static func milliseconds(_ text: String) -> Double? {
        if text.hasSuffix("ms") { return Double(text.dropLast(2)) }
        if text.hasSuffix("us") { return Double(text.dropLast(2)).map { $0 / 1000 } }
        if text.hasSuffix("s") { return Double(text.dropLast()).map { $0 * 1000 } }
        return Double(text)
    }

    /// GETs of `prefix` + a random id.
    static func randomPathScript(prefix: String, ids: [String]) -> String {
        let list = ids.map { "\"\($0)\"" }.joined(separator: ",")
        return """
        local ids = {\(list)}
        request = function() return wrk.format("GET", "\(prefix)" .. ids[math.random(#ids)]) end
        """
    }

    /// POSTs of one new project.created each (a fresh UUID per request).
    static func publishScript() -> String {
        #"""
        local counter = 0
        local thread_id = math.random(1, 2^30)
        wrk.method = "POST"
        wrk.headers["Content-Type"] = "application/cloudevents+json"
        local function uuid()
          counter = counter + 1
          return string.format("%08x-%04x-4%03x-8%03x-%012x", thread_id % 4294967296, counter % 65536, math.random(0, 4095),
                               math.random(0, 4095), counter)
        end
        request = function()
          local id = uuid()
          local body = '{"specversion":"1.0","id":"' .. id .. '","source":"wrk","type":"project.created","data":{"project_id":"' .. id .. '","name":"bench"}}'
          return wrk.format(nil, nil, nil, body)
        end
        """#
    }
}

/// A benchmark step that could not run (a tool missing or failing), reported with exit code 1.
struct BenchError: CommandFailure, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = "berrys-bench: \(description)" }
    var report: String { description }
    var exitCode: Int32 { ExitCodes.refused }
}

/// Runs a program to completion and returns its exit status and combined output.
enum Subprocess {
    /// `run` on a thread of its own (`Blocking`): waiting for the program does not hold one of
    /// the few threads that run this process's tasks (and, in a benchmark, its server).
    static func runOffPool(_ program: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await Blocking.run { try run(program, arguments) }
    }

    static func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
