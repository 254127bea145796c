/// Where an event sits in the log: its partition and its Redis stream id.
///
/// Its text form `<partition>-<stream id>` (e.g. `2-1732540000000-0`) is the token clients
/// pass around for read-your-writes.
public struct Position: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var partition: Int
    public var streamID: StreamID

    public init(partition: Int, streamID: StreamID) {
        self.partition = partition
        self.streamID = streamID
    }

    /// Parses `<partition>-<milliseconds>-<sequence>`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", maxSplits: 1)
        guard parts.count == 2, let partition = Int(parts[0]), partition >= 0,
              let streamID = StreamID(String(parts[1])) else { return nil }
        self.init(partition: partition, streamID: streamID)
    }

    public var description: String { "\(partition)-\(streamID)" }

    public static func < (lhs: Position, rhs: Position) -> Bool {
        (lhs.partition, lhs.streamID) < (rhs.partition, rhs.streamID)
    }
}

/// A Redis stream entry id, `<milliseconds>-<sequence>`.
public struct StreamID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var milliseconds: UInt64
    public var sequence: UInt64

    /// The id before every entry (`0-0`).
    public static let zero = StreamID(milliseconds: 0, sequence: 0)

    public init(milliseconds: UInt64, sequence: UInt64) {
        self.milliseconds = milliseconds
        self.sequence = sequence
    }

    /// Parses `<ms>-<seq>` (or `<ms>`, meaning sequence 0).
    public init?(_ text: String) {
        // One pass over the bytes (this runs for every entry read).
        var milliseconds: UInt64 = 0, sequence: UInt64 = 0
        var digits = 0, sawDash = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: "-") {
                guard !sawDash, digits > 0 else { return nil }
                sawDash = true
                digits = 0
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = UInt64(byte - UInt8(ascii: "0"))
            if sawDash {
                let (times, overflow1) = sequence.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times.addingReportingOverflow(digit)
                guard !overflow1, !overflow2 else { return nil }
                sequence = sum
            } else {
                let (times, overflow1) = milliseconds.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times.addingReportingOverflow(digit)
                guard !overflow1, !overflow2 else { return nil }
                milliseconds = sum
            }
            digits += 1
        }
        guard digits > 0 else { return nil }
        self.init(milliseconds: milliseconds, sequence: sequence)
    }

    public var description: String { "\(milliseconds)-\(sequence)" }

    /// The smallest id after this one: `XTRIM … MINID` with it removes this entry and all before.
    public var successor: StreamID {
        sequence == .max ? StreamID(milliseconds: milliseconds + 1, sequence: 0) : StreamID(milliseconds: milliseconds, sequence: sequence + 1)
    }

    public static func < (lhs: StreamID, rhs: StreamID) -> Bool {
        (lhs.milliseconds, lhs.sequence) < (rhs.milliseconds, rhs.sequence)
    }
}
