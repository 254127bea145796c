import BerrysPlatform
import ArgumentParser
import CommandSupport
import EventLog
import Foundation

/// `berrys schedule list|cancel`: the events held for later (`berrys publish --at`).
struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Show or cancel events held for later (berrys publish --at, the Berrys-Deliver-At header).",
        discussion: """
        A held event was checked when it was published and its id is reserved; the log appends it \
        once at or after its time (berrys run and berrys worker fire them; those due while none ran \
        are appended at the next start).
        """,
        subcommands: [List.self, Cancel.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List held events, soonest first: due time, id, type, subject, partition.")
        @Option(help: "At most this many per partition.") var limit: Int = 100

        func run() async throws {
            try await reportingFailures {
                let log = try await Context(domain: .berrys).openLog(create: false)
                let events = try await log.scheduledEvents(limit: limit)
                print(["DELIVER AT", "ID", "TYPE", "SUBJECT", "PARTITION"].joined(separator: "\t"))
                for event in events {
                    print([Timestamp.format(event.deliverAt), event.id, event.type, event.subject, String(event.partition)].joined(separator: "\t"))
                }
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Drop a held event and free its id; exit 1 when no event of that id is held.")
        @Argument(help: "The event's id.") var id: String

        func run() async throws {
            try await reportingFailures {
                let log = try await Context(domain: .berrys).openLog(create: false)
                guard try await log.cancelScheduled(id: id) else {
                    printError("berrys: no held event has id \(id) (appended already, cancelled, or never scheduled)")
                    throw ExitCode(ExitCodes.refused)
                }
                print("cancelled id=\(id)")
            }
        }
    }
}
