import BerrysJSON
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A server-sent events client over a plain socket, for tests: it sends one GET, reads the
/// chunked response on a thread of its own (never on the cooperative pool), and parses the
/// messages as a browser's `EventSource` does, `Last-Event-ID` included. It can also hold off
/// reading, to play a client that never reads.
public final class SSEClient: Sendable {
    /// One dispatched message.
    public struct Message: Sendable, Equatable {
        public var id: String?
        public var event: String
        public var data: String
    }

    struct State {
        var status: Int?
        var headers: [String: String] = [:]
        var messages: [Message] = []
        /// The CloudEvent ids of the messages other than `overflow`, in arrival order.
        var eventIDs: [String] = []
        var lastEventID: String?
        var ended = false
        var comments = 0
    }

    private let socket: Int32
    private let state = Mutex(State())
    private let reading = Mutex(false)

    /// Connects to `127.0.0.1:port` and sends `GET path`; starts reading unless `read` is false.
    public init(port: Int, path: String, headers: [String: String] = [:], read: Bool = true, receiveBuffer: Int32? = nil) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw SSEClientError("socket() failed") }
        if var size = receiveBuffer {
            setsockopt(socket, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(socket)
            throw SSEClientError("connect to port \(port) failed")
        }
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nConnection: close\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        _ = request.withCString { send(socket, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        if read { startReading() }
    }

    deinit { Glibc.close(socket) }

    /// The response status, once its head arrived.
    public var status: Int? { state.withLock { $0.status } }
    /// The response headers (names lowercased).
    public var headers: [String: String] { state.withLock { $0.headers } }
    /// The messages dispatched so far.
    public var messages: [Message] { state.withLock { $0.messages } }
    /// The CloudEvent ids of the events received (not the overflow notice), in arrival order;
    /// parsed once, on the reading thread, as they arrive.
    public var eventIDs: [String] { state.withLock { $0.eventIDs } }
    /// What a browser would send as `Last-Event-ID` on reconnecting.
    public var lastEventID: String? { state.withLock { $0.lastEventID } }
    /// True once the server ended the response or closed the connection.
    public var ended: Bool { state.withLock { $0.ended } }
    /// Comment lines (keep-alives) seen.
    public var comments: Int { state.withLock { $0.comments } }

    /// Starts the reading thread (once).
    public func startReading() {
        let started = reading.withLock { started in
            defer { started = true }
            return started
        }
        guard !started else { return }
        let thread = Thread { [self] in readUntilClosed() }
        thread.start()
    }

    /// Closes the connection (the server sees the client go away).
    public func close() {
        shutdown(socket, Int32(SHUT_RDWR))
    }

    private func readUntilClosed() {
        var raw: [UInt8] = []
        var headParsed = false
        var decoder = ChunkDecoder()
        var parser = EventStreamParser()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count <= 0 { break }
            raw += buffer[0..<count]
            if !headParsed {
                guard let end = raw.firstRange(of: Array("\r\n\r\n".utf8)) else { continue }
                let head = String(decoding: raw[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
                state.withLock { state in
                    state.status = head.first.flatMap { Int($0.split(separator: " ")[safe: 1] ?? "") }
                    for line in head.dropFirst() {
                        let parts = line.split(separator: ":", maxSplits: 1)
                        if parts.count == 2 { state.headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces) }
                    }
                }
                raw.removeSubrange(..<end.upperBound)
                headParsed = true
            }
            let (body, finished) = decoder.feed(&raw)
            let dispatched = parser.feed(body)
            let ids = dispatched.map { item -> String? in
                guard case .message(let message) = item, message.event != "overflow" else { return nil }
                return (try? JSON(parsing: message.data))?["id"]?.stringValue
            }
            state.withLock { state in
                for (item, id) in zip(dispatched, ids) {
                    if let id { state.eventIDs.append(id) }
                    switch item {
                    case .message(let message): state.messages.append(message)
                    case .lastEventID(let id): state.lastEventID = id
                    case .comment: state.comments += 1
                    }
                }
            }
            if finished { break }
        }
        state.withLock { $0.ended = true }
    }
}

/// Undoes HTTP/1.1 chunked transfer encoding, as bytes arrive.
struct ChunkDecoder {
    /// Takes whole chunks from `raw` (leaving a partial one there); the consumed bytes are
    /// removed once per call, not per chunk (a test receiving 12 MB spent seconds of CPU
    /// copying the rest of its buffer after every chunk).
    /// - Returns: their bytes, and whether the last chunk arrived.
    mutating func feed(_ raw: inout [UInt8]) -> ([UInt8], Bool) {
        var out: [UInt8] = []
        var start = 0
        var finished = false
        while let lineEnd = Self.crlf(in: raw, from: start) {
            let sizeText = String(decoding: raw[start..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size > 0 else {
                finished = true
                break
            }
            let body = lineEnd + 2
            guard raw.count >= body + size + 2 else { break }
            out += raw[body..<(body + size)]
            start = body + size + 2
        }
        raw.removeFirst(finished ? raw.count : start)
        return (out, finished)
    }

    static func crlf(in bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == 13 && bytes[index + 1] == 10 { return index }
            index += 1
        }
        return nil
    }
}

/// Parses `text/event-stream` as the HTML standard says (for the fields this server sends).
struct EventStreamParser {
    enum Item { case message(SSEClient.Message), lastEventID(String), comment }
    private var pending: [UInt8] = []
    private var data: [String] = []
    private var event = ""
    private var id: String?

    mutating func feed(_ bytes: [UInt8]) -> [Item] {
        pending += bytes
        var items: [Item] = []
        var start = 0
        defer { pending.removeFirst(start) }  // once per feed, not per line
        while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: pending[start..<newline], as: UTF8.self)
            start = newline + 1
            if line.isEmpty {
                if let id { items.append(.lastEventID(id)) }
                if !data.isEmpty { items.append(.message(SSEClient.Message(id: id, event: event.isEmpty ? "message" : event, data: data.joined(separator: "\n")))) }
                (data, event, id) = ([], "", nil)
            } else if line.hasPrefix(":") {
                items.append(.comment)
            } else {
                let parts = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                var value = parts.count > 1 ? String(parts[1]) : ""
                if value.hasPrefix(" ") { value.removeFirst() }
                switch parts[0] {
                case "data": data.append(value)
                case "event": event = value
                case "id": id = value
                default: break
                }
            }
        }
        return items
    }
}

struct SSEClientError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Array {
    fileprivate subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
