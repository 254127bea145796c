import EventLog
import Synchronization

/// One stream entry in a worker's hands: where it came from, its fields as stored, and the
/// event decoded from them (or why it is not a valid event).
struct Delivery: Sendable {
    /// Where the entry is read from.
    enum Origin: Sendable, Hashable {
        /// The partition's stream, through the consumer group (acknowledged with XACK).
        case stream
        /// The worker's retry stream (entry id there), after `dlq retry` or a drop released it.
        case retry(entryID: String)
    }

    /// How the entry is to be handled when its turn comes.
    enum Mode: Sendable, Hashable {
        case process
        /// An earlier event of its key is parked (or being retried): it goes behind it.
        case parkBehind
        /// It was claimed after killing consumers more than `maxDeliveries` times.
        case parkCrashLoop
    }

    /// The entry as read; shared, not copied, as the delivery moves between queues and tasks.
    ///
    /// The event is decoded (envelope, schema, upcast) on first use, which is by the task that
    /// processes it: the consumer loop that reads a partition only needs the ordering key,
    /// taken from the raw fields, so decoding runs on as many tasks as process events.
    final class Entry: Sendable {
        let origin: Origin
        /// The entry's id in the partition's stream.
        let streamID: String
        /// The stored fields, without `dlq_*` bookkeeping.
        let fields: [(String, String)]
        /// The ordering key: the partition key (or subject) as stored, or a key of its own for
        /// an entry that has neither.
        let key: String
        private let partition: Int
        private let registry: SchemaRegistry
        // Mutex: a delivery is processed by one task at a time, but may be handed between
        // tasks; the lock makes the one-time decode safe whoever asks first.
        private let decoded = Mutex<Result<EventEnvelope, EventLogError>?>(nil)

        init(origin: Origin, streamID: String, fields: [(String, String)], partition: Int, registry: SchemaRegistry) {
            self.origin = origin
            self.streamID = streamID
            self.fields = fields
            self.partition = partition
            self.registry = registry
            self.key = Self.orderingKey(fields: fields, streamID: streamID)
        }

        /// The event, or why the entry is not one (decoded once).
        var event: Result<EventEnvelope, EventLogError> {
            decoded.withLock { cached in
                if let cached { return cached }
                let event = Self.decode(fields: fields, streamID: streamID, partition: partition, registry: registry)
                cached = event
                return event
            }
        }

        /// `partitionkey`, else `subject` (what `EventEnvelope.effectivePartitionKey` gives for
        /// a valid event), else a key of the entry's own.
        private static func orderingKey(fields: [(String, String)], streamID: String) -> String {
            var subject: String?
            for (name, value) in fields where !value.isEmpty {
                if name == "partitionkey" { return value }
                if name == "subject" { subject = value }
            }
            return subject ?? "#invalid:\(streamID)"
        }

        private static func decode(fields: [(String, String)], streamID: String, partition: Int,
                                   registry: SchemaRegistry) -> Result<EventEnvelope, EventLogError> {
            do {
                let position = StreamID(streamID).map { Position(partition: partition, streamID: $0) }
                let envelope = try EventEnvelope(fields: fields, position: position)
                try registry.validate(type: envelope.type, version: envelope.dataVersion, data: envelope.data)
                return .success(try registry.upcast(envelope))
            } catch let error as EventLogError {
                return .failure(error)
            } catch {
                return .failure(EventLogError(.invalidEnvelope, "\(error)"))
            }
        }
    }

    let entry: Entry
    /// Which delivery this is (1 = first), from the pending list when claimed.
    var deliveryCount: Int
    var mode: Mode
    /// When an earlier attempt failed, kept across re-parking.
    var firstFailedAt: String?
    /// Seconds to wait before the next attempt: a retry handed to its own task carries the
    /// backoff (or the `Retry-After`) of the failure before it.
    var retryDelay: Duration = .zero

    var origin: Origin { entry.origin }
    var streamID: String { entry.streamID }
    var fields: [(String, String)] { entry.fields }
    var event: Result<EventEnvelope, EventLogError> { entry.event }
    var key: String { entry.key }

    /// The partition key as parked (empty for an invalid entry, which blocks nothing).
    var parkedKey: String { (try? event.get()) == nil ? "" : key }

    /// A delivery of stored fields; the event is decoded (envelope and schema validated) when
    /// first asked for.
    static func received(fields raw: [(String, String)], streamID: String, partition: Int, origin: Origin,
                       registry: SchemaRegistry, deliveryCount: Int) -> Delivery {
        // Only entries from a dead-letter or retry stream carry bookkeeping fields.
        let hasBookkeeping = origin != .stream && raw.contains { $0.0.hasPrefix("dlq_") }
        let fields = hasBookkeeping ? raw.filter { !$0.0.hasPrefix("dlq_") } : raw
        let firstFailed = hasBookkeeping ? raw.first { $0.0 == "dlq_first_failed_at" }?.1 : nil
        return Delivery(entry: Entry(origin: origin, streamID: streamID, fields: fields, partition: partition, registry: registry),
                        deliveryCount: deliveryCount, mode: .process, firstFailedAt: firstFailed)
    }

    /// True when the entry is valid but cannot be processed by this build (an unknown type or a
    /// newer schema version): a permanent failure rather than an invalid entry.
    var isUnknownToThisBuild: Bool {
        guard case .failure(let error) = event else { return false }
        return error.code == .unknownType || error.code == .unknownVersion
    }
}

/// How a delivery ended.
enum DeliveryOutcome: Sendable {
    /// Handled (or not handled by this worker); a stream entry still needs its XACK.
    case done(Delivery)
    /// Moved to the DLQ or behind a key being retried (acknowledged by the move).
    case parked(Delivery)
    /// Stopped before finishing (shutdown or lost lease): left pending for redelivery.
    case abandoned(Delivery)
    /// Its first attempt in a chunk or batch failed: to be run again on its own, with retries
    /// (its key stays busy meanwhile).
    case retryAlone(Delivery)
}
