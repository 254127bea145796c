import CommandSupport
import Foundation
import Glibc

/// CPU seconds of the processes of one program on this machine (from `/proc`), e.g. every
/// `postgres` process: how much a benchmark step cost a local server that has no counter of
/// its own. Processes that end between two readings take their seconds with them.
enum LocalServerCPU {
    /// User plus system CPU seconds of the running processes whose name is `program`, or nil
    /// when none is visible (a server on another machine, or /proc not readable).
    static func seconds(program: String) -> Double? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var total = 0.0
        var found = false
        for entry in entries where entry.first?.isNumber == true {
            guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")"),
                  stat[stat.index(after: open)..<close] == program
            else { continue }
            // After the name: state is field 3; utime and stime are fields 14 and 15.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
            total += (user + system) / ticks
            found = true
        }
        return found ? total : nil
    }
}
