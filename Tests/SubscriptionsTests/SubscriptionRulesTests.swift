import EventLog
import Testing
@testable import Subscriptions

/// The pure rules of live subscriptions: resume tokens, filters, and the cursor that keeps
/// each event once across the catch-up and the live queue.
@Suite struct SubscriptionRulesTests {
    static func id(_ ms: UInt64, _ seq: UInt64 = 0) -> StreamID { StreamID(milliseconds: ms, sequence: seq) }
    static func at(_ partition: Int, _ ms: UInt64) -> Position { Position(partition: partition, streamID: id(ms)) }

    @Test func aTokenRoundTripsAndNamesWhatIsWrong() throws {
        let token = ResumeToken(positions: [Self.id(1733400000000, 2), .zero, Self.id(5, 1)])
        #expect(token.description == "v1.1733400000000-2.0-0.5-1")
        #expect(try ResumeToken(parsing: token.description, partitions: 3) == token)
        #expect(throws: ResumeTokenError.self) { try ResumeToken(parsing: token.description, partitions: 4) }
        let wrong = #expect(throws: ResumeTokenError.self) { try ResumeToken(parsing: "v1.1-0.x.2-0", partitions: 3) }
        #expect(wrong?.description.contains("partition 1") == true)
        #expect(throws: ResumeTokenError.self) { try ResumeToken(parsing: "1-0.2-0", partitions: 2) }
        #expect(try Subscription.start(from: "beginning", lastEventID: nil, partitions: 2) == .beginning)
        #expect(try Subscription.start(from: nil, lastEventID: nil, partitions: 2) == .now)
        #expect(try Subscription.start(from: "beginning", lastEventID: "v1.3-0.4-0", partitions: 2)
                == .after(ResumeToken(positions: [Self.id(3), Self.id(4)])), "Last-Event-ID wins over from")
    }

    @Test func filtersMatchExactTypesPrefixesAndAttributes() throws {
        let filter = try StreamFilter(types: ["agent.execution.*", "task.created"], subject: "s")
        #expect(filter.matches(type: "agent.execution.queued", subject: "s", partitionKey: "s", source: "x"))
        #expect(filter.matches(type: "task.created", subject: "s", partitionKey: "k", source: "x"))
        #expect(!filter.matches(type: "agent.executions", subject: "s", partitionKey: "s", source: "x"), "a prefix ends at a dot")
        #expect(!filter.matches(type: "task.created", subject: "other", partitionKey: "s", source: "x"))
        let bySource = try StreamFilter(types: [], partitionKey: "k", source: "api")
        #expect(bySource.matches(type: "any", subject: "s", partitionKey: "k", source: "api"))
        #expect(!bySource.matches(type: "any", subject: "s", partitionKey: "k", source: "cli"))
        #expect(try StreamFilter(types: ["*"]) == StreamFilter(), "* is every type")
        for bad in ["agent*", "*.created", "", ".*", "a.*.b"] {
            #expect(throws: StreamFilterError.self, "\(bad)") { try StreamFilter(types: [bad]) }
        }
    }

    @Test func theCursorSkipsWhatTheCatchUpDeliveredAndUsesTheHubsTokenOnceInStep() {
        // Caught up to 10 on partition 0 and 7 on partition 1; the hub had read less when the
        // subscriber registered, so its queue starts with events the catch-up delivered.
        var cursor = SubscriberCursor(positions: [Self.id(10), Self.id(7)])
        let step1 = cursor.live(Self.at(0, 9), hubPositions: [Self.id(9), Self.id(5)])
        #expect(step1 == .skip)
        let step2 = cursor.live(Self.at(0, 10), hubPositions: [Self.id(10), Self.id(5)])
        #expect(step2 == .skip)
        // New on partition 0, but the hub is still behind on partition 1: the cursor's own token.
        let step3 = cursor.live(Self.at(0, 11), hubPositions: [Self.id(11), Self.id(5)])
        #expect(step3
                == .own(ResumeToken(positions: [Self.id(11), Self.id(7)])))
        #expect(!cursor.inStep)
        let step4 = cursor.live(Self.at(1, 7), hubPositions: [Self.id(11), Self.id(7)])
        #expect(step4 == .skip)
        // The hub covers the cursor: from now on its rendered message is the subscriber's too.
        let step5 = cursor.live(Self.at(1, 8), hubPositions: [Self.id(11), Self.id(8)])
        #expect(step5 == .shared)
        #expect(cursor.inStep)
        // A heartbeat moves an in-step cursor past events its filter kept out.
        let step6 = cursor.heartbeat(hubPositions: [Self.id(20), Self.id(30)])
        #expect(step6 == ResumeToken(positions: [Self.id(20), Self.id(30)]))
    }

    @Test func aHeartbeatPutsACursorInStepOnceTheHubCoversIt() {
        var cursor = SubscriberCursor(positions: [Self.id(5), Self.id(5)])
        let step7 = cursor.heartbeat(hubPositions: [Self.id(6), Self.id(4)])
        #expect(step7 == ResumeToken(positions: [Self.id(5), Self.id(5)]))
        #expect(!cursor.inStep, "the hub is behind on partition 1: its token would repeat events")
        let step8 = cursor.heartbeat(hubPositions: [Self.id(6), Self.id(5)])
        #expect(step8 == ResumeToken(positions: [Self.id(6), Self.id(5)]))
        #expect(cursor.inStep)
    }

    @Test func historyEntriesPassOnce() {
        var cursor = SubscriberCursor(positions: [.zero])
        let step9 = cursor.pass(Self.at(0, 1))
        #expect(step9)
        let step10 = cursor.pass(Self.at(0, 1))
        #expect(!step10)
        let step11 = cursor.pass(Self.at(3, 1))
        #expect(!step11, "a partition the log does not have")
    }
}
