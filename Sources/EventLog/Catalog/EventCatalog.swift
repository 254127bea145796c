import BerrysJSON

/// What the log carries and who takes part: every event type with its versions, the partition
/// streams, and the workers, connectors and projections with the types each receives and
/// sends. Rendered as AsyncAPI 3.0 (`asyncAPI()`), served at `GET /asyncapi.json` and printed
/// by `berrys schemas asyncapi`.
public struct EventCatalog: Sendable {
    /// A consumer of the log and what it receives and sends.
    public struct Participant: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable {
            case worker, connector, projection
        }

        public var name: String
        public var kind: Kind
        public var receives: [String]
        public var sends: [String]

        public init(name: String, kind: Kind, receives: some Sequence<String>, sends: some Sequence<String> = []) {
            self.name = name
            self.kind = kind
            self.receives = receives.sorted()
            self.sends = sends.sorted()
        }
    }

    public var registry: SchemaRegistry
    /// The Redis key prefix (`BERRYS_NAMESPACE`).
    public var namespace: String
    public var partitions: Int
    /// `host:port` of Redis (no credentials).
    public var redisAddress: String
    /// `host:port` of the HTTP API.
    public var httpAddress: String
    public var participants: [Participant]

    public init(registry: SchemaRegistry, namespace: String, partitions: Int, redisAddress: String, httpAddress: String,
                participants: [Participant] = []) {
        self.registry = registry
        self.namespace = namespace
        self.partitions = partitions
        self.redisAddress = redisAddress
        self.httpAddress = httpAddress
        self.participants = participants.sorted { ($0.kind.rawValue, $0.name) < ($1.kind.rawValue, $1.name) }
    }

    /// The participants that receive `type`.
    public func consumers(of type: String) -> [Participant] {
        participants.filter { $0.receives.contains(type) }
    }

    /// The participants that send `type`.
    public func producers(of type: String) -> [Participant] {
        participants.filter { $0.sends.contains(type) }
    }

    /// A version of the catalog's content: the same schemas give the same version.
    var contentVersion: String {
        let text = registry.types.map { type in
            (registry.schemas[type] ?? [:]).keys.sorted().map { "\(type)/\($0):\(registry.schemas[type]![$0]!.document.serialized)" }.joined()
        }.joined()
        let hash = text.utf8.reduce(UInt64(0xCBF2_9CE4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
        return "1.0.0+schemas." + String(hash, radix: 16)
    }
}
