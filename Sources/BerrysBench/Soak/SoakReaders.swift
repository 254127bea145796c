import ProcessSupport
import BerrysFoundation
import Foundation
import Synchronization

/// API readers during a soak: half a second after the last, one `curl` fetches 8 read endpoints
/// of the `berrys run` over one kept-alive connection (about 8 reads a second in all, with
/// curl's own time), and the statuses are counted. A 5xx other than the documented 503/504 is a
/// finding.
final class SoakReaders: Sendable {
    static let paths = ["/v1/agents?limit=50", "/v1/events?limit=100", "/v1/projects?limit=20", "/v1/agents?q=a&limit=20",
                        "/v1/workers", "/v1/projections", "/v1/models", "/health/readiness"]
    private let statuses = Mutex<[String: Int]>([:])

    /// Requests answered so far, by status ("000": no answer).
    var counts: [String: Int] { statuses.withLock { $0 } }

    /// Reads from the API on `port` until cancelled.
    func run(port: Int) async {
        let urls = Self.paths.map { "http://127.0.0.1:\(port)\($0)" }
        while !Task.isCancelled {
            let result = try? await Blocking.run {
                // Each URL needs its own -o, or the bodies after the first go to standard output.
                try ChildProcess.run("curl", ["-s", "--max-time", "10", "-w", "%{http_code}\\n"] + urls.flatMap { ["-o", "/dev/null", $0] },
                                     input: nil, environment: nil)
            }
            let codes = result?.stdout.split(separator: "\n").map(String.init) ?? []
            statuses.withLock { counts in
                for code in codes { counts[code, default: 0] += 1 }
                if codes.count < urls.count { counts["000", default: 0] += urls.count - codes.count }
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }

    /// The unexpected answers: 5xx other than 503/504.
    var serverErrors: [String: Int] { counts.filter { $0.key.hasPrefix("5") && $0.key != "503" && $0.key != "504" } }

    /// "12000 reads: 11990× 200, 10× 000".
    var summary: String {
        let all = counts
        let parts = all.sorted { $0.value > $1.value }.map { "\($0.value)× \($0.key)" }
        return "\(all.values.reduce(0, +)) API reads: " + (parts.isEmpty ? "none" : parts.joined(separator: ", "))
    }
}
