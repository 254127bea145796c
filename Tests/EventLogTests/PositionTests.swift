import EventLog
import Testing

@Suite struct PositionTests {
    @Test func streamIDsParseStrictly() {
        #expect(StreamID("1700000000000-7") == StreamID(milliseconds: 1_700_000_000_000, sequence: 7))
        #expect(StreamID("42") == StreamID(milliseconds: 42, sequence: 0))
        #expect(StreamID("0-0") == .zero)
        for bad in ["", "-", "5-", "-5", "1-2-3", "a-1", "1-b", "+5", "18446744073709551616-0", "1-18446744073709551616"] {
            #expect(StreamID(bad) == nil, "\(bad)")
        }
        #expect(StreamID("18446744073709551615-18446744073709551615") == StreamID(milliseconds: .max, sequence: .max))
    }

    @Test func positionsReadBackWhatTheyPrint() {
        let position = Position(partition: 3, streamID: StreamID(milliseconds: 1_700_000_000_000, sequence: 2))
        #expect(position.description == "3-1700000000000-2")
        #expect(Position(position.description) == position)
        #expect(Position("3-x-2") == nil)
    }
}
