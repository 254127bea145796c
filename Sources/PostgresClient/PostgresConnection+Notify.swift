import CLibpq
import Foundation

extension PostgresConnection {
    /// Subscribes this connection to a `NOTIFY` channel.
    public func listen(_ channel: String) throws {
        try execute("LISTEN \(try quotedIdentifier(channel))")
    }

    /// Sends a notification on `channel` with `payload` (both as bind parameters).
    public func notify(_ channel: String, payload: String) throws {
        try query("SELECT pg_notify($1, $2)", [channel, payload])
    }

    /// Waits up to `timeout` seconds for a notification on any channel this connection listens to.
    /// - Returns: the notification, or `nil` when the time ran out.
    public func waitForNotification(timeout: Double) throws -> PostgresNotification? {
        let connection = try connected()
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            guard PQconsumeInput(connection) == 1 else { throw brokenOrServerError(nil, sql: "LISTEN") }
            if let notify = PQnotifies(connection) {
                defer { PQfreemem(notify) }
                return PostgresNotification(
                    channel: String(cString: notify.pointee.relname),
                    payload: String(cString: notify.pointee.extra),
                    senderProcessID: Int(notify.pointee.be_pid))
            }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return nil }
            var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, Int32(min(remaining, 1) * 1000))
        }
    }

    /// Quotes an identifier (table, channel) with libpq's escaping.
    public func quotedIdentifier(_ name: String) throws -> String {
        let connection = try connected()
        guard let escaped = PQescapeIdentifier(connection, name, name.utf8.count) else {
            throw PostgresError(.usage, "cannot quote identifier '\(name)': \(Self.errorMessage(connection))")
        }
        defer { PQfreemem(escaped) }
        return String(cString: escaped)
    }
}
