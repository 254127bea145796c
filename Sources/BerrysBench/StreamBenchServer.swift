import Foundation
import Glibc

/// `berrys serve` in a process of its own for `berrys-bench stream`, so that its memory and CPU
/// are its own: read from /proc.
struct StreamBenchServer {
    let process: Process
    let logPath: String

    /// Starts the release `berrys` next to this program.
    static func start(port: Int, namespace: String, redisURL: String, databaseURL: String) throws -> StreamBenchServer {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let binary = directory.appendingPathComponent("berrys").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw BenchFailure("\(binary) is missing: build it with swift build -c release --product berrys")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["BERRYS_REDIS_URL"] = redisURL
        environment["BERRYS_DATABASE_URL"] = databaseURL
        environment["BERRYS_NAMESPACE"] = namespace
        environment["BERRYS_HTTP_HOST"] = "127.0.0.1"
        environment["BERRYS_HTTP_PORT"] = String(port)
        environment["BERRYS_LOG_LEVEL"] = "warning"
        let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("stream-bench-\(namespace).log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve"]
        process.environment = environment
        let log = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        return StreamBenchServer(process: process, logPath: logPath)
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// Waits until the server answers, at most 60 s.
    func waitUntilServing(port: Int) async throws {
        for _ in 0..<600 {
            guard process.isRunning else { throw BenchFailure("berrys serve exited; its log: \(logPath)") }
            if let answer = try? Self.get(port: port, path: "/health/liveness"), answer.contains("up") { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchFailure("berrys serve did not answer on port \(port) within 60 s; its log: \(logPath)")
    }

    /// Waits until the hub counts `count` subscribers (its gauge on /metrics), at most 60 s.
    func waitForSubscribers(_ count: Int, port: Int) async throws {
        var seen = 0
        for _ in 0..<600 {
            let metrics = (try? Self.get(port: port, path: "/metrics")) ?? ""
            let line = metrics.split(separator: "\n").first { $0.hasPrefix("berrys_stream_subscribers ") }
            seen = line.flatMap { Double($0.split(separator: " ").last ?? "") }.map { Int($0) } ?? 0
            if seen >= count { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchFailure("only \(seen) of \(count) subscribers registered within 60 s; the server's log: \(logPath)")
    }

    /// Resident memory of the server, in KiB.
    func residentKilobytes() -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    /// User plus system CPU seconds of the server so far.
    func cpuSeconds() -> Double {
        let stat = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8)) ?? ""
        // The fields after the command name (which may hold spaces) start after its ')'.
        guard let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// A blocking GET on loopback (at most 5 s without an answer): the body.
    static func get(port: Int, path: String) throws -> String {
        let socket = try SSELoad.connect(port: port)
        defer { close(socket) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        _ = request.withCString { send(socket, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count <= 0 { break }
            response += buffer[0..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        return text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? text
    }
}
