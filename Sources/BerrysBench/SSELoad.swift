import Foundation
import Glibc
import Synchronization

/// Many server-sent-event subscribers on one thread (`poll`), for `berrys-bench stream`: each
/// connection sends one `GET`, then every `data:` line's CloudEvent `time` gives the latency
/// from the publish (the publisher stamps `time` just before the append) to its arrival here.
///
/// `@unchecked Sendable`: the connections and counters are touched only by the reading thread
/// while it runs; `results` is read after `stop` has joined it.
final class SSELoad: @unchecked Sendable {
    /// A class, so that appending to its bytes never copies them (a struct in the dictionary
    /// copied its whole buffer on each read: the reader could not keep up with 50k events/s).
    final class Connection {
        let socket: Int32
        let group: Int
        var pending: [UInt8] = []
        var events = 0

        init(socket: Int32, group: Int) {
            self.socket = socket
            self.group = group
        }
    }

    private var connections: [Int32: Connection] = [:]
    private let stopping = Atomic<Bool>(false)
    private let measuring = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    /// Latencies in milliseconds, per group.
    private(set) var latencies: [[Float]]

    /// Opens a connection per path (`group` tells apart the kinds of subscriber).
    init(port: Int, paths: [(path: String, group: Int)], groups: Int) throws {
        latencies = Array(repeating: [], count: groups)
        for (path, group) in paths {
            let socket = try Self.connect(port: port)
            let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
            _ = request.withCString { send(socket, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            _ = fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) | O_NONBLOCK)
            connections[socket] = Connection(socket: socket, group: group)
        }
    }

    /// A blocking TCP connection to the API on loopback.
    static func connect(port: Int) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard socket >= 0, result == 0 else {
            if socket >= 0 { close(socket) }
            throw BenchFailure("cannot connect to the API on port \(port)")
        }
        return socket
    }

    /// Starts the reading thread; events count from `beginMeasuring` on.
    func start() {
        let thread = Thread { [self] in readLoop() }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// From now on, arrivals are counted and timed.
    func beginMeasuring() { measuring.store(true, ordering: .releasing) }

    /// Stops the reading thread, waits for it and closes every connection.
    func stop() {
        stopping.store(true, ordering: .releasing)
        finished.wait()
        for socket in connections.keys { close(socket) }
    }

    /// Events each connection received while measuring, per group.
    func eventsPerGroup(_ groups: Int) -> [Int] {
        var counts = Array(repeating: 0, count: groups)
        for connection in connections.values { counts[connection.group] += connection.events }
        return counts
    }

    private func readLoop() {
        var watched = connections.keys.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while !stopping.load(ordering: .acquiring) {
            let count = poll(&watched, nfds_t(watched.count), 100)
            guard count > 0 else { continue }
            let now = Self.nowMilliseconds()
            for index in watched.indices where watched[index].revents != 0 {
                let socket = watched[index].fd
                watched[index].revents = 0
                while true {
                    let read = recv(socket, &buffer, buffer.count, 0)
                    if read == 0 || (read < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                        watched[index].fd = -1  // closed by the server: poll passes it over from now on
                        break
                    }
                    if read < 0 { break }
                    connections[socket]?.pending.append(contentsOf: buffer[0..<read])
                }
                drainLines(socket, now: now)
            }
        }
        finished.signal()
    }

    private static let timeKey = Array("\"time\":\"".utf8)

    /// Takes whole lines of a connection; a `data:` line is an event (chunk-size lines and the
    /// other fields are passed over: one write is one chunk of whole messages, so lines are
    /// never cut by the framing).
    private func drainLines(_ socket: Int32, now: Double) {
        guard let connection = connections[socket] else { return }
        let counting = measuring.load(ordering: .acquiring)
        let consumed = connection.pending.withUnsafeBufferPointer { bytes -> Int in
            var start = 0
            while start < bytes.count, let found = memchr(bytes.baseAddress! + start, 0x0A, bytes.count - start) {
                let end = bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
                defer { start = end + 1 }
                // "data: " starts a message's data line.
                guard counting, end - start > 6, bytes[start] == 0x64, bytes[start + 1] == 0x61, bytes[start + 4] == 0x3A else { continue }
                connection.events += 1
                if let sent = Self.eventTime(UnsafeBufferPointer(rebasing: bytes[start..<end])) {
                    latencies[connection.group].append(Float(now - sent))
                }
            }
            return start
        }
        connection.pending.removeFirst(consumed)
    }

    /// The `time` of a CloudEvent's JSON line, in milliseconds since 1970.
    static func eventTime(_ line: UnsafeBufferPointer<UInt8>) -> Double? {
        guard let base = line.baseAddress else { return nil }
        // The key's quotes by memchr, the rest by memcmp (Glibc's module has no memmem).
        var from = 0
        var offset: Int?
        while offset == nil, from < line.count, let quote = memchr(base + from, 0x22, line.count - from) {
            let at = base.distance(to: quote.assumingMemoryBound(to: UInt8.self))
            if at + timeKey.count <= line.count, timeKey.withUnsafeBytes({ memcmp(base + at, $0.baseAddress!, timeKey.count) }) == 0 {
                offset = at + timeKey.count
            }
            from = at + 1
        }
        guard let offset, offset + 24 <= line.count else { return nil }
        return milliseconds(rfc3339: Array(line[offset..<(offset + 24)])[...])
    }

    /// Milliseconds since 1970 of a `Timestamp` (`2026-12-05T14:54:11.863Z`).
    static func milliseconds(rfc3339 text: ArraySlice<UInt8>) -> Double? {
        guard text.count == 24 else { return nil }
        let digits = Array(text)
        func number(_ from: Int, _ count: Int) -> Int {
            var value = 0
            for offset in 0..<count { value = value * 10 + Int(digits[from + offset]) - 48 }
            return value
        }
        let (year, month, day) = (number(0, 4), number(5, 2), number(8, 2))
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Double(days * 86_400 + number(11, 2) * 3600 + number(14, 2) * 60 + number(17, 2))
        return seconds * 1000 + Double(number(20, 3))
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func nowMilliseconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) * 1000 + Double(spec.tv_nsec) / 1e6
    }
}

/// A benchmark that cannot run as asked, with what to do.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
