import ArgumentParser
import BerrysPlatform
import CommandSupport

/// `berrys schemas asyncapi`: the event catalog as an AsyncAPI 3.0 document, offline.
struct SchemasAsyncAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "asyncapi",
        abstract: "Print the event catalog as an AsyncAPI 3.0 document (what GET /asyncapi.json serves).",
        discussion: """
        Every event type (its newest schema and its versions), the partition streams, publishing and the \
        live stream, and which workers, connectors and projections receive and send each type. Offline: \
        the partition count is BERRYS_PARTITIONS (default 4); a running API serves its log's own.
        """)

    func run() async throws {
        try await reportingFailures {
            let context = try Context(domain: .berrys)
            print(try context.catalog(partitions: context.settings.log.partitions).asyncAPI().serialized)
        }
    }
}
